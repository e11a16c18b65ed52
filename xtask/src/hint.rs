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
    let lesson = state.course.lesson(exercise_ref.lesson());
    let exercise = state.course.exercise(exercise_ref);

    let seen_before = state.hints_seen(exercise_ref).min(exercise.hints.len());
    let shown = (seen_before + 1).min(exercise.hints.len());
    println!(
        "{} {}/{} {}: {}",
        style.bold("Hints for"),
        lesson.handle(),
        exercise.number,
        exercise.id,
        exercise.title
    );
    for (number, text) in exercise.hints.iter().enumerate().take(shown) {
        let label = format!("Hint {} of {}:", number + 1, exercise.hints.len());
        let is_new = number == seen_before;
        if is_new {
            println!("\n  {} {text}", style.bold(&label));
        } else {
            println!("\n  {} {}", style.dim(&label), style.dim(text));
        }
    }
    println!();
    if seen_before >= exercise.hints.len() {
        println!(
            "That was the last hint. The doc comments in exercises/{}/{} and the lesson text \
             (lessons/{}/README.md) have the rest.",
            lesson.folder,
            exercise.file.display(),
            lesson.folder
        );
    } else if shown < exercise.hints.len() {
        println!(
            "Still stuck? `cargo xtask hint {}/{}` shows the next one.",
            lesson.handle(),
            exercise.number
        );
    } else {
        println!("That was the last hint: the next step is the code itself.");
    }
    state.record_hints_seen(exercise_ref, shown);
    state.save();
    Ok(true)
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
}
