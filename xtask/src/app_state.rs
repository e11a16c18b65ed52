//! Where the learner is: the course and their progress, loaded once per
//! command. Every question about progress goes through here: which
//! exercise comes next, recording a verdict, saving.

use crate::course::{Course, ExerciseRef, LessonRef, Selection};
use crate::lesson_run::LessonResults;
use crate::progress::{Progress, Status};

pub struct AppState {
    pub course: Course,
    progress: Progress,
}

impl AppState {
    /// The learner's progress over `course`; a progress file that cannot be
    /// read is noted once and started afresh.
    pub fn load(course: Course) -> AppState {
        let loaded = Progress::load(&course);
        if let Some(problem) = &loaded.problem {
            eprintln!("note: {problem}");
        }
        AppState {
            course,
            progress: loaded.progress,
        }
    }

    /// The course around the current folder, with its learner's progress.
    pub fn discover() -> anyhow::Result<AppState> {
        Ok(AppState::load(Course::discover()?))
    }

    pub fn status(&self, exercise: ExerciseRef) -> Option<Status> {
        let (lesson, exercise) = self.keys(exercise);
        self.progress.status(&lesson, &exercise)
    }

    pub fn passed(&self, exercise: ExerciseRef) -> bool {
        self.status(exercise) == Some(Status::Passed)
    }

    pub fn record(&mut self, exercise: ExerciseRef, status: Status) {
        let (lesson, exercise) = self.keys(exercise);
        self.progress.record(&lesson, &exercise, status);
    }

    /// Forgets the verdict of an exercise (after a reset), keeping the
    /// hints seen.
    pub fn forget_status(&mut self, exercise: ExerciseRef) {
        let (lesson, exercise) = self.keys(exercise);
        self.progress.forget_status(&lesson, &exercise);
    }

    pub fn hints_seen(&self, exercise: ExerciseRef) -> usize {
        let (lesson, exercise) = self.keys(exercise);
        self.progress.hints_seen(&lesson, &exercise)
    }

    pub fn record_hints_seen(&mut self, exercise: ExerciseRef, seen: usize) {
        let (lesson, exercise) = self.keys(exercise);
        self.progress.record_hints_seen(&lesson, &exercise, seen);
    }

    /// Records the verdict of every exercise a check ran; code that does not
    /// compile fails every exercise selected.
    pub fn record_results(&mut self, selection: Selection, results: &LessonResults) {
        match results {
            LessonResults::CompileErrors(_) => {
                for exercise in self.course.exercises_of(selection) {
                    self.record(exercise, Status::Failing);
                }
            }
            LessonResults::Ran(ran) => {
                for result in &ran.exercises {
                    let status = if result.passed() {
                        Status::Passed
                    } else {
                        Status::Failing
                    };
                    self.record(selection.lesson().exercise(result.exercise), status);
                }
            }
        }
    }

    /// The first exercise of `lesson` not recorded as passed; `None` once
    /// every one has passed.
    pub fn first_pending_exercise(&self, lesson: LessonRef) -> Option<ExerciseRef> {
        self.course
            .exercise_refs(lesson)
            .find(|exercise| !self.passed(*exercise))
    }

    /// The first lesson with an exercise not recorded as passed.
    pub fn first_pending_lesson(&self) -> Option<LessonRef> {
        self.course
            .lesson_refs()
            .find(|lesson| self.first_pending_exercise(*lesson).is_some())
    }

    /// Writes the progress. Checks work without it, so a failure is a note,
    /// not an error.
    pub fn save(&self) {
        if let Err(error) = self.progress.save(&self.course) {
            eprintln!("note: your progress could not be saved ({error:#}); checks still work");
        }
    }

    fn keys(&self, exercise: ExerciseRef) -> (String, String) {
        let lesson = self.course.lesson(exercise.lesson());
        (lesson.handle(), self.course.exercise(exercise).id.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::course::fixture::{self, lesson};

    /// Two lessons, `endpoint` and `resolve`, then `accept`; nothing
    /// checked yet.
    pub(crate) fn state() -> AppState {
        AppState {
            course: fixture::course(vec![
                lesson(1, "lesson", "A lesson", &["endpoint", "resolve"]),
                lesson(2, "lesson", "A lesson", &["accept"]),
            ]),
            progress: Progress::default(),
        }
    }

    #[test]
    fn the_first_pending_exercise_follows_the_recorded_verdicts() {
        let mut state = state();
        let [first, second]: [LessonRef; 2] = state
            .course
            .lesson_refs()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert_eq!(state.first_pending_lesson(), Some(first));
        assert_eq!(state.first_pending_exercise(first), Some(first.exercise(0)));
        state.record(first.exercise(0), Status::Passed);
        state.record(first.exercise(1), Status::Failing);
        assert_eq!(state.first_pending_exercise(first), Some(first.exercise(1)));
        state.record(first.exercise(1), Status::Passed);
        assert_eq!(state.first_pending_exercise(first), None);
        assert_eq!(state.first_pending_lesson(), Some(second));
        state.forget_status(first.exercise(0));
        assert_eq!(state.first_pending_lesson(), Some(first));
        assert_eq!(state.status(first.exercise(0)), None);
    }

    #[test]
    fn hints_seen_are_kept_per_exercise() {
        let mut state = state();
        let lesson = state.course.lesson_refs().next().unwrap();
        state.record_hints_seen(lesson.exercise(1), 2);
        assert_eq!(state.hints_seen(lesson.exercise(1)), 2);
        assert_eq!(state.hints_seen(lesson.exercise(0)), 0);
    }
}
