//! `cargo xtask list`: every lesson and exercise, with the status each had at
//! its last check, and the points so far.

use crate::app_state::AppState;
use crate::progress::Status;
use crate::style::Style;

pub fn list(state: &AppState, style: Style) {
    let course = &state.course;
    let mut earned = 0;
    let mut possible = 0;
    let mut passed = 0;
    let mut total = 0;
    for lesson_ref in course.lesson_refs() {
        let lesson = course.lesson(lesson_ref);
        println!();
        println!(
            "{}  {}  {}",
            style.bold(&lesson.handle()),
            style.bold(&lesson.title),
            style.dim(&format!("lessons/{}/README.md", lesson.folder))
        );
        let (label_width, title_width) = lesson.column_widths();
        for exercise_ref in course.exercise_refs(lesson_ref) {
            let exercise = course.exercise(exercise_ref);
            let status = state.status(exercise_ref);
            let (mark, words) = match status {
                Some(Status::Passed) => (style.green("✓"), "passed"),
                Some(Status::Failing) => (style.red("✗"), "failing"),
                None => (style.dim("·"), "not checked yet"),
            };
            if status == Some(Status::Passed) {
                earned += exercise.points;
                passed += 1;
            }
            possible += exercise.points;
            total += 1;
            let label = lesson.exercise_label(exercise);
            println!(
                "  {mark} {label:<label_width$}  {:<title_width$}  {:>3} points  {}",
                exercise.title,
                exercise.points,
                style.dim(words)
            );
        }
    }
    println!();
    println!(
        "Progress: {passed} of {total} exercises passed at their last check, {earned}/{possible} points."
    );
    println!("Statuses come from your last `cargo xtask check`; run it again to refresh them.");
}
