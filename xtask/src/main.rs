//! `cargo xtask`: parse the command line, run one command, exit with
//! 0 (everything asked for passed), 1 (something failed) or 2 (the command
//! itself was wrong or could not run); 130 after Ctrl-C.

use clap::{ArgMatches, Command};
use std::process::ExitCode;
use xtask::app_state::AppState;
use xtask::book::BookArgs;
use xtask::check::CheckArgs;
use xtask::course::{Course, UsageError};
use xtask::grade::GradeArgs;
use xtask::hint::HintArgs;
use xtask::reset::ResetArgs;
use xtask::solution::SolutionArgs;
use xtask::style::Style;
use xtask::test_run::Interrupted;
use xtask::verify::VerifyArgs;
use xtask::watch::WatchArgs;
use xtask::{book, check, grade, hint, list, release, reset, solution, verify, watch};

fn cli() -> Command {
    Command::new("cargo xtask")
        .bin_name("cargo xtask")
        .about("netlings: learn network socket programming in Rust, one passing test at a time")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("list").about("Every lesson and exercise, with its status and points"),
        )
        .subcommand(CheckArgs::command())
        .subcommand(WatchArgs::command())
        .subcommand(HintArgs::command())
        .subcommand(ResetArgs::command())
        .subcommand(
            Command::new("release").about(
                "For maintainers: record the course's files in course.lock (after `git add`)",
            ),
        )
        .subcommand(SolutionArgs::command())
        .subcommand(GradeArgs::command())
        .subcommand(VerifyArgs::command())
        .subcommand(BookArgs::command())
}

fn main() -> ExitCode {
    die_quietly_on_broken_pipe();
    let matches = match cli().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&matches) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) if error.is::<Interrupted>() => {
            eprintln!("{error}");
            // The shell's convention for "ended by SIGINT".
            ExitCode::from(130)
        }
        Err(error) => {
            match error.downcast_ref::<UsageError>() {
                Some(usage) => eprintln!("error: {usage}"),
                None => eprintln!("error: {error:#}"),
            }
            ExitCode::from(2)
        }
    }
}

fn run(matches: &ArgMatches) -> anyhow::Result<bool> {
    let style = Style::for_stdout();
    match matches.subcommand() {
        // Grading never reads the student's manifests or runs their runner.
        Some(("grade", args)) => grade::grade_command(&GradeArgs::from_matches(args)),
        Some(("release", _)) => {
            // The record covers every file, whatever state the lessons are in.
            let count = release::release(&Course::find_root()?)?;
            println!("course.lock records {count} files; commit it with them.");
            Ok(true)
        }
        Some(("verify", args)) => {
            verify::verify(&Course::discover()?, &VerifyArgs::from_matches(args), style)
        }
        Some(("book", args)) => {
            book::book(&Course::discover()?, &BookArgs::from_matches(args), style)
        }
        Some(("list", _)) => {
            list::list(&AppState::discover()?, style);
            Ok(true)
        }
        Some(("check", args)) => check::check(
            &mut AppState::discover()?,
            &CheckArgs::from_matches(args),
            style,
        ),
        Some(("watch", args)) => watch::watch(
            &mut AppState::discover()?,
            &WatchArgs::from_matches(args),
            style,
        ),
        Some(("hint", args)) => hint::hint(
            &mut AppState::discover()?,
            &HintArgs::from_matches(args),
            style,
        ),
        Some(("reset", args)) => reset::reset(
            &mut AppState::discover()?,
            &ResetArgs::from_matches(args),
            style,
        ),
        Some(("solution", args)) => solution::solution(
            &mut AppState::discover()?,
            &SolutionArgs::from_matches(args),
            style,
        ),
        other => unreachable!("clap accepted no known command: {other:?}"),
    }
}

/// `cargo xtask solution lesson1/1 | head` closes the pipe early; like any
/// command-line tool, the runner should then stop without a panic message.
/// Rust ignores SIGPIPE by default; this restores the usual behaviour.
fn die_quietly_on_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        super::cli().debug_assert();
    }
}
