//! `cargo xtask list`: every lesson and exercise, with the status each had at
//! its last check, and the points so far.

use crate::course::Course;
use crate::progress::{Progress, Status};
use crate::style::Style;

pub fn list(course: &Course, style: Style) {
    let loaded = Progress::load(course);
    if let Some(problem) = &loaded.problem {
        eprintln!("note: {problem}");
    }
    let progress = loaded.progress;
    let mut earned = 0;
    let mut possible = 0;
    let mut passed = 0;
    let mut total = 0;
    for lesson in &course.lessons {
        println!();
        println!(
            "{}  {}  {}",
            style.bold(&lesson.handle()),
            style.bold(&lesson.title),
            style.dim(&format!("lessons/{}/README.md", lesson.folder))
        );
        let (label_width, title_width) = lesson.column_widths();
        for exercise in &lesson.exercises {
            let status = progress.status(&lesson.handle(), &exercise.id);
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
