//! `cargo xtask hint LESSON/EX`: the next hint of an exercise, one more each
//! time it is asked, from a nudge to nearly the answer.

use crate::app_state::AppState;
use crate::course::{ExerciseRef, Selection};
use crate::style::Style;
use anyhow::Result;

#[derive(Debug)]
pub struct HintArgs {
    pub lesson: String,
}

impl HintArgs {
    pub fn command() -> clap::Command {
        clap::Command::new("hint")
            .about("The next hint for an exercise, one more each time you ask")
            .arg(
                clap::Arg::new("lesson")
                    .value_name("LESSON/EXERCISE")
                    .required(true)
                    .help("lesson1/2 or lesson1/resolve; a lesson alone means its first unfinished exercise"),
            )
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> HintArgs {
        HintArgs {
            lesson: matches
                .get_one::<String>("lesson")
                .cloned()
                .unwrap_or_default(),
        }
    }
}

pub fn hint(state: &mut AppState, args: &HintArgs, style: Style) -> Result<bool> {
    let selection = state.course.select(&args.lesson)?;
    let Some(exercise_ref) = exercise_to_hint(state, selection) else {
        let lesson = state.course.lesson(selection.lesson());
        println!(
            "Every exercise of {} passed at your last check, so there is no next one to hint at. \
             To read the hints of one exercise, name it: `cargo xtask hint {}/1` (up to {}/{}).",
            lesson.handle(),
            lesson.handle(),
            lesson.handle(),
            lesson.exercises.len()
        );
        return Ok(true);
    };
    let view = HintView::new(state, exercise_ref);
    print!("{}", view.render(style));
    state.record_hints_seen(exercise_ref, view.shown);
    state.save();
    Ok(true)
}

/// What `hint` shows for one exercise, as plain data.
#[derive(Debug)]
pub struct HintView {
    /// `lesson1/2 resolve: From a name to addresses`.
    pub heading: String,
    /// `lesson1/2`, as the learner types it.
    pub handle: String,
    pub hints: Vec<String>,
    /// How many hints the learner had seen before this one.
    pub seen_before: usize,
    /// How many are shown now: one more than before, up to all.
    pub shown: usize,
    /// Where the rest is once the hints run out.
    pub exercise_file: String,
    pub chapter: String,
}

impl HintView {
    pub fn new(state: &AppState, exercise_ref: ExerciseRef) -> HintView {
        let lesson = state.course.lesson(exercise_ref.lesson());
        let exercise = state.course.exercise(exercise_ref);
        let seen_before = state.hints_seen(exercise_ref).min(exercise.hints.len());
        HintView {
            heading: format!(
                "{}/{} {}: {}",
                lesson.handle(),
                exercise.number,
                exercise.id,
                exercise.title
            ),
            handle: state.course.handle_of(Selection::Exercise(exercise_ref)),
            hints: exercise.hints.clone(),
            seen_before,
            shown: (seen_before + 1).min(exercise.hints.len()),
            exercise_file: format!("exercises/{}/{}", lesson.folder, exercise.file.display()),
            chapter: format!("lessons/{}/README.md", lesson.folder),
        }
    }

    pub fn render(&self, style: Style) -> String {
        let mut out = format!("{} {}\n", style.bold("Hints for"), self.heading);
        for (number, text) in self.hints.iter().enumerate().take(self.shown) {
            let label = format!("Hint {} of {}:", number + 1, self.hints.len());
            if number == self.seen_before {
                out += &format!("\n  {} {text}\n", style.bold(&label));
            } else {
                out += &format!("\n  {} {}\n", style.dim(&label), style.dim(text));
            }
        }
        out.push('\n');
        if self.seen_before >= self.hints.len() {
            out += &format!(
                "That was the last hint. The doc comments in {} and the lesson text ({}) have the rest.\n",
                self.exercise_file, self.chapter
            );
        } else if self.shown < self.hints.len() {
            out += &format!(
                "Still stuck? `cargo xtask hint {}` shows the next one.\n",
                self.handle
            );
        } else {
            out += "That was the last hint: the next step is the code itself.\n";
        }
        out
    }
}

/// The exercise named, or for a whole lesson the first exercise that did
/// not pass at its last check; `None` when every one has passed.
fn exercise_to_hint(state: &AppState, selection: Selection) -> Option<ExerciseRef> {
    if let Some(exercise) = selection.exercise() {
        return Some(exercise);
    }
    let pending = state.first_pending_exercise(selection.lesson())?;
    eprintln!(
        "(no exercise named: showing {}, the first one not passed yet)",
        state.course.handle_of(Selection::Exercise(pending))
    );
    Some(pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app_state::tests::state;
    use crate::progress::Status;

    #[test]
    fn a_lesson_whose_exercises_all_passed_has_no_exercise_to_hint() {
        let mut state = state();
        let lesson = state.course.lesson_refs().next().unwrap();
        let exercises: Vec<ExerciseRef> = state.course.exercise_refs(lesson).collect();
        assert_eq!(
            exercise_to_hint(&state, Selection::Lesson(lesson)),
            exercises.first().copied()
        );
        for exercise in &exercises {
            state.record(*exercise, Status::Passed);
        }
        assert_eq!(exercise_to_hint(&state, Selection::Lesson(lesson)), None);
        assert_eq!(
            exercise_to_hint(&state, Selection::Exercise(exercises[0])),
            Some(exercises[0])
        );
    }

    #[test]
    fn each_hint_asked_for_shows_one_more_until_the_last() {
        let mut state = state();
        let resolve = state.course.lesson_refs().next().unwrap().exercise(1);
        let plain = Style { color: false };
        let first = HintView::new(&state, resolve).render(plain);
        assert_eq!(
            first,
            "Hints for lesson1/2 resolve: resolve\n\n  Hint 1 of 1: a nudge\n\n\
             That was the last hint: the next step is the code itself.\n"
        );
        state.record_hints_seen(resolve, 1);
        let again = HintView::new(&state, resolve).render(plain);
        assert!(
            again.ends_with(
                "That was the last hint. The doc comments in exercises/01-lesson/src/resolve.rs \
                 and the lesson text (lessons/01-lesson/README.md) have the rest.\n"
            ),
            "{again}"
        );
    }
}
