//! `cargo xtask hint LESSON/EX`: the next hint of an exercise, one more each
//! time it is asked, from a nudge to nearly the answer.

use crate::course::{Course, Selection};
use crate::progress::{Progress, Status};
use crate::style::Style;
use anyhow::Result;

pub fn hint(course: &Course, handle: &str, style: Style) -> Result<bool> {
    let loaded = Progress::load(course);
    if let Some(problem) = &loaded.problem {
        eprintln!("note: {problem}");
    }
    let mut progress = loaded.progress;
    let selection = course.select(handle)?;
    let lesson = &course.lessons[selection.lesson];
    let index = exercise_to_hint(course, selection, &progress);
    let exercise = &lesson.exercises[index];
    let key = (lesson.handle(), exercise.id.clone());

    let seen_before = progress
        .hints_seen(&key.0, &key.1)
        .min(exercise.hints.len());
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
    progress.record_hints_seen(&key.0, &key.1, shown);
    if let Err(error) = progress.save(course) {
        eprintln!("note: could not remember which hints you have seen ({error:#})");
    }
    Ok(true)
}

/// The exercise named, or for a whole lesson the first exercise that did
/// not pass at its last check.
fn exercise_to_hint(course: &Course, selection: Selection, progress: &Progress) -> usize {
    if let Some(exercise) = selection.exercise {
        return exercise;
    }
    let lesson = &course.lessons[selection.lesson];
    let index = lesson
        .exercises
        .iter()
        .position(|exercise| {
            progress.status(&lesson.handle(), &exercise.id) != Some(Status::Passed)
        })
        .unwrap_or(0);
    eprintln!(
        "(no exercise named: showing {}/{}, the first one not passed yet)",
        lesson.handle(),
        lesson.exercises[index].number
    );
    index
}
