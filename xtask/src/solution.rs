//! `cargo xtask solution LESSON/EX`: the reference solution of an exercise,
//! once it passes (or with `--force`), and with `--diff` the differences
//! between the learner's file and the reference.

use crate::app_state::AppState;
use crate::check;
use crate::course::{Selection, UsageError};
use crate::style::Style;
use crate::test_run::DeadlineArg;
use anyhow::{Context, Result};
use std::fs;

#[derive(Debug)]
pub struct SolutionArgs {
    pub lesson: String,
    pub force: bool,
    pub diff: bool,
    pub deadline: DeadlineArg,
}

impl SolutionArgs {
    pub fn command() -> clap::Command {
        clap::Command::new("solution")
            .about("The reference solution of an exercise, once yours passes")
            .arg(
                clap::Arg::new("lesson")
                    .value_name("LESSON/EXERCISE")
                    .required(true)
                    .help("lesson1/2 or lesson1/resolve"),
            )
            .arg(
                clap::Arg::new("force")
                    .long("force")
                    .action(clap::ArgAction::SetTrue)
                    .help("Show it even though your exercise does not pass yet"),
            )
            .arg(
                clap::Arg::new("diff")
                    .long("diff")
                    .action(clap::ArgAction::SetTrue)
                    .help("Show how your file differs from the reference"),
            )
            .arg(DeadlineArg::arg())
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> SolutionArgs {
        SolutionArgs {
            lesson: matches
                .get_one::<String>("lesson")
                .cloned()
                .unwrap_or_default(),
            force: matches.get_flag("force"),
            diff: matches.get_flag("diff"),
            deadline: DeadlineArg::from_matches(matches),
        }
    }
}

pub fn solution(state: &mut AppState, request: &SolutionArgs, style: Style) -> Result<bool> {
    let run = &request.deadline.run_options(None);
    let selection = state.course.select(&request.lesson)?;
    let Some(exercise_ref) = selection.exercise() else {
        let lesson = state.course.lesson(selection.lesson());
        return Err(UsageError(format!(
            "name one exercise, like `cargo xtask solution {}/1`",
            lesson.handle()
        ))
        .into());
    };
    if !request.force
        && !state.passed(exercise_ref)
        && !check::passes_now(state, Selection::Exercise(exercise_ref), run, style)?
    {
        let lesson = state.course.lesson(exercise_ref.lesson());
        let exercise = state.course.exercise(exercise_ref);
        let label = lesson.exercise_label(exercise);
        println!(
            "{label} does not pass yet, so its solution stays hidden: finishing it teaches more than \
             reading it.\nRun `cargo xtask check {}/{}` to see what fails, `cargo xtask hint {}/{}` \
             for a hint, or add --force to see the reference anyway.",
            lesson.handle(),
            exercise.number,
            lesson.handle(),
            exercise.number
        );
        return Ok(false);
    }

    let course = &state.course;
    let lesson = course.lesson(exercise_ref.lesson());
    let exercise = course.exercise(exercise_ref);
    let label = lesson.exercise_label(exercise);
    let reference_path = course.solution_crate(lesson).join(&exercise.file);
    let reference = fs::read_to_string(&reference_path)
        .with_context(|| format!("reading {}", course.relative(&reference_path).display()))?;
    if request.diff {
        let yours_path = course.exercise_crate(lesson).join(&exercise.file);
        let yours = fs::read_to_string(&yours_path)
            .with_context(|| format!("reading {}", course.relative(&yours_path).display()))?;
        println!(
            "{} {label}: {} (yours, -) against {} (reference, +)\n",
            style.bold("Differences for"),
            course.relative(&yours_path).display(),
            course.relative(&reference_path).display()
        );
        print_diff(&yours, &reference, style);
    } else {
        println!(
            "{} {label}: {}\n",
            style.bold("Reference solution for"),
            course.relative(&reference_path).display()
        );
        print!("{reference}");
        println!(
            "\n{}",
            style.dim(&format!(
                "Compare it with yours: cargo xtask solution {}/{} --diff",
                lesson.handle(),
                exercise.number
            ))
        );
    }
    Ok(true)
}

/// One line of a line-by-line comparison.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The lines of `old` and `new` aligned on their longest common
/// subsequence: what stayed, what went, what came.
fn diff_lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    // common[i][j]: the length of the longest common subsequence of
    // old[i..] and new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push(Line::Same(old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(Line::Removed(old[i]));
            i += 1;
        } else {
            lines.push(Line::Added(new[j]));
            j += 1;
        }
    }
    lines
}

/// Prints the changed lines with three lines of context around each change.
fn print_diff(old: &str, new: &str, style: Style) {
    const CONTEXT: usize = 3;
    let lines = diff_lines(old, new);
    let changed: Vec<usize> = (0..lines.len())
        .filter(|&index| !matches!(lines[index], Line::Same(_)))
        .collect();
    if changed.is_empty() {
        println!("Your file is the same as the reference.");
        return;
    }
    let near_a_change = |index: usize| {
        changed
            .iter()
            .any(|&change| change.abs_diff(index) <= CONTEXT)
    };
    let mut skipped = false;
    for (index, line) in lines.iter().enumerate() {
        if !near_a_change(index) {
            skipped = true;
            continue;
        }
        if skipped {
            println!("{}", style.dim("  ..."));
            skipped = false;
        }
        match line {
            Line::Same(text) => println!("  {text}"),
            Line::Removed(text) => println!("{}", style.red(&format!("- {text}"))),
            Line::Added(text) => println!("{}", style.green(&format!("+ {text}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_common_lines_and_marks_the_rest() {
        let lines = diff_lines("a\nb\nc\n", "a\nx\nc\nd\n");
        assert_eq!(
            lines,
            vec![
                Line::Same("a"),
                Line::Removed("b"),
                Line::Added("x"),
                Line::Same("c"),
                Line::Added("d")
            ]
        );
    }
}
