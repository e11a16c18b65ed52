//! `cargo xtask list`: every lesson and exercise, with the status each had at
//! its last check, and the points so far.

use crate::app_state::AppState;
use crate::progress::Status;
use crate::style::Style;
use std::fmt::Write;

pub fn list(state: &AppState, style: Style) {
    print!("{}", ListView::new(state).render(style));
}

/// What `list` shows, as plain data.
#[derive(Debug)]
pub struct ListView {
    pub lessons: Vec<LessonRow>,
}

#[derive(Debug)]
pub struct LessonRow {
    pub handle: String,
    pub title: String,
    /// The chapter, relative to the course root.
    pub chapter: String,
    pub exercises: Vec<ExerciseRow>,
}

#[derive(Debug)]
pub struct ExerciseRow {
    /// `lesson1/2 resolve`.
    pub label: String,
    pub title: String,
    pub points: u32,
    pub status: Option<Status>,
}

impl ListView {
    pub fn new(state: &AppState) -> ListView {
        let course = &state.course;
        let lessons = course
            .lesson_refs()
            .map(|lesson_ref| {
                let lesson = course.lesson(lesson_ref);
                LessonRow {
                    handle: lesson.handle(),
                    title: lesson.title.clone(),
                    chapter: format!("lessons/{}/README.md", lesson.folder),
                    exercises: course
                        .exercise_refs(lesson_ref)
                        .map(|exercise_ref| {
                            let exercise = course.exercise(exercise_ref);
                            ExerciseRow {
                                label: lesson.exercise_label(exercise),
                                title: exercise.title.clone(),
                                points: exercise.points,
                                status: state.status(exercise_ref),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        ListView { lessons }
    }

    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        let exercises = || self.lessons.iter().flat_map(|lesson| &lesson.exercises);
        for lesson in &self.lessons {
            let _ = writeln!(
                out,
                "\n{}  {}  {}",
                style.bold(&lesson.handle),
                style.bold(&lesson.title),
                style.dim(&lesson.chapter)
            );
            let width = |column: fn(&ExerciseRow) -> &str| {
                lesson
                    .exercises
                    .iter()
                    .map(|row| column(row).chars().count())
                    .max()
                    .unwrap_or(0)
            };
            let label_width = width(|row| &row.label);
            let title_width = width(|row| &row.title);
            for row in &lesson.exercises {
                let (mark, words) = match row.status {
                    Some(Status::Passed) => (style.green("✓"), "passed"),
                    Some(Status::Failing) => (style.red("✗"), "failing"),
                    None => (style.dim("·"), "not checked yet"),
                };
                let _ = writeln!(
                    out,
                    "  {mark} {:<label_width$}  {:<title_width$}  {:>3} points  {}",
                    row.label,
                    row.title,
                    row.points,
                    style.dim(words)
                );
            }
        }
        let passed = || exercises().filter(|row| row.status == Some(Status::Passed));
        let earned: u32 = passed().map(|row| row.points).sum();
        let possible: u32 = exercises().map(|row| row.points).sum();
        let _ = writeln!(
            out,
            "\nProgress: {} of {} exercises passed at their last check, {earned}/{possible} points.",
            passed().count(),
            exercises().count()
        );
        let _ = writeln!(
            out,
            "Statuses come from your last `cargo xtask check`; run it again to refresh them."
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app_state::tests::state;

    #[test]
    fn list_shows_each_status_and_the_points_earned() {
        let mut state = state();
        let first = state.course.lesson_refs().next().unwrap();
        state.record(first.exercise(0), Status::Passed);
        state.record(first.exercise(1), Status::Failing);
        let text = ListView::new(&state).render(Style { color: false });
        assert_eq!(
            text,
            "\nlesson1  A lesson  lessons/01-lesson/README.md\n\
             \x20 ✓ lesson1/1 endpoint  endpoint   10 points  passed\n\
             \x20 ✗ lesson1/2 resolve   resolve    10 points  failing\n\
             \nlesson2  A lesson  lessons/02-lesson/README.md\n\
             \x20 · lesson2/1 accept  accept   10 points  not checked yet\n\
             \nProgress: 1 of 3 exercises passed at their last check, 10/30 points.\n\
             Statuses come from your last `cargo xtask check`; run it again to refresh them.\n"
        );
    }
}
