//! `cargo xtask`: parse the command line, run one command, exit with
//! 0 (everything asked for passed), 1 (something failed) or 2 (the command
//! itself was wrong or could not run); 130 after Ctrl-C.

use anyhow::Context;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use xtask::app_state::AppState;
use xtask::course::{Course, UsageError};
use xtask::style::Style;
use xtask::test_run::{Interrupted, RunOptions};
use xtask::{check, grade, grade_report, hint, list, release, reset, solution, verify, watch};

fn cli() -> Command {
    let deadline = Arg::new("deadline")
        .long("deadline")
        .value_name("SECONDS")
        .value_parser(value_parser!(u64).range(1..))
        .default_value("10")
        .help("Stop any single test that runs longer than this");
    Command::new("cargo xtask")
        .bin_name("cargo xtask")
        .about("netlings: learn network socket programming in Rust, one passing test at a time")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(Command::new("list").about("Every lesson and exercise, with its status and points"))
        .subcommand(
            Command::new("check")
                .about("Build and test your code for a lesson (the first unfinished one when omitted)")
                .arg(Arg::new("lesson").value_name("LESSON[/EXERCISE]").help(
                    "lesson1, 1, 01 or socket-basics; one exercise: lesson1/2 or lesson1/resolve",
                ))
                .arg(
                    Arg::new("seed")
                        .long("seed")
                        .value_name("N")
                        .value_parser(value_parser!(u64))
                        .help("Replay a randomised test with the seed its failure printed (sets NETLINGS_SEED)"),
                )
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help("Show every failing test's message, not only the first"),
                )
                .arg(deadline.clone()),
        )
        .subcommand(
            Command::new("watch")
                .about("Check your current exercise again on every save; move on when it passes")
                .arg(Arg::new("lesson").value_name("LESSON").help(
                    "Start with this lesson (default: the first one not finished)",
                ))
                .arg(
                    Arg::new("poll")
                        .long("poll")
                        .action(ArgAction::SetTrue)
                        .help("Look for changes every 250 ms instead of using file events"),
                )
                .arg(deadline.clone()),
        )
        .subcommand(
            Command::new("hint")
                .about("The next hint for an exercise, one more each time you ask")
                .arg(
                    Arg::new("lesson")
                        .value_name("LESSON/EXERCISE")
                        .required(true)
                        .help("lesson1/2 or lesson1/resolve; a lesson alone means its first unfinished exercise"),
                ),
        )
        .subcommand(
            Command::new("reset")
                .about("Put the course's stub back; your version is saved first")
                .arg(
                    Arg::new("lesson")
                        .value_name("LESSON[/EXERCISE]")
                        .required(true)
                        .help("lesson1/2 resets one exercise's file; lesson1 every file of the lesson"),
                ),
        )
        .subcommand(
            Command::new("release")
                .about("For maintainers: record the course's files in course.lock (after `git add`)"),
        )
        .subcommand(
            Command::new("solution")
                .about("The reference solution of an exercise, once yours passes")
                .arg(
                    Arg::new("lesson")
                        .value_name("LESSON/EXERCISE")
                        .required(true)
                        .help("lesson1/2 or lesson1/resolve"),
                )
                .arg(
                    Arg::new("force")
                        .long("force")
                        .action(ArgAction::SetTrue)
                        .help("Show it even though your exercise does not pass yet"),
                )
                .arg(
                    Arg::new("diff")
                        .long("diff")
                        .action(ArgAction::SetTrue)
                        .help("Show how your file differs from the reference"),
                )
                .arg(deadline.clone()),
        )
        .subcommand(
            Command::new("grade")
                .about("For instructors: grade a student's copy against a pristine checkout of the course")
                .arg(
                    Arg::new("course")
                        .long("course")
                        .value_name("PATH")
                        .value_parser(value_parser!(PathBuf))
                        .help("A pristine checkout of the course: its tests, manifests and points are used"),
                )
                .arg(
                    Arg::new("lock")
                        .long("lock")
                        .value_name("FILE")
                        .value_parser(value_parser!(PathBuf))
                        .conflicts_with("course")
                        .help("The course's course.lock: take the course's files from the student's git history"),
                )
                .arg(
                    Arg::new("student")
                        .long("student")
                        .value_name("PATH")
                        .value_parser(value_parser!(PathBuf))
                        .help("The student's copy (default: the checkout around the current folder)"),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_name("FORMAT")
                        .value_parser(grade_report::Format::NAMES)
                        .default_value("human")
                        .help("human, json, junit, classroom (GitHub Classroom) or markdown"),
                )
                .arg(
                    Arg::new("out")
                        .long("out")
                        .value_name("FILE")
                        .value_parser(value_parser!(PathBuf))
                        .help("Write the report to FILE instead of standard output"),
                )
                .arg(deadline.clone()),
        )
        .subcommand(
            Command::new("verify")
                .about("For maintainers and CI: stubs fail, solutions pass, known-bad variants are caught")
                .arg(Arg::new("lesson").value_name("LESSON").help("Verify only this lesson"))
                .arg(deadline),
        )
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
    let (command, arguments) = matches.subcommand().expect("a subcommand is required");
    if command == "grade" {
        // Grading never reads the student's manifests or runs their runner.
        return run_grade(arguments);
    }
    if command == "release" {
        // The record covers every file, whatever state the lessons are in.
        let count = release::release(&Course::find_root()?)?;
        println!("course.lock records {count} files; commit it with them.");
        return Ok(true);
    }
    let course = Course::discover()?;
    let style = Style::for_stdout();
    let lesson = arguments
        .try_get_one::<String>("lesson")
        .ok()
        .flatten()
        .map(String::as_str);
    if command == "verify" {
        return verify::verify(&course, lesson, &run_options(arguments), style);
    }
    let mut state = AppState::load(course);
    match command {
        "list" => {
            list::list(&state, style);
            Ok(true)
        }
        "check" => check::check(
            &mut state,
            lesson,
            arguments.get_flag("all"),
            &run_options(arguments),
            style,
        ),
        "reset" => reset::reset(&mut state, lesson.expect("clap requires it"), style),
        "watch" => watch::watch(
            &mut state,
            &watch::WatchRequest {
                handle: lesson,
                poll: arguments.get_flag("poll"),
            },
            &run_options(arguments),
            style,
        ),
        "hint" => hint::hint(&mut state, lesson.expect("clap requires it"), style),
        "solution" => solution::solution(
            &mut state,
            &solution::SolutionRequest {
                handle: lesson.expect("clap requires it"),
                force: arguments.get_flag("force"),
                diff: arguments.get_flag("diff"),
            },
            &run_options(arguments),
            style,
        ),
        other => unreachable!("clap accepted an unknown command {other}"),
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

/// The deadline a command was given, and one test per core at a time.
fn run_options(arguments: &ArgMatches) -> RunOptions {
    RunOptions {
        deadline: Duration::from_secs(
            *arguments.get_one::<u64>("deadline").expect("has a default"),
        ),
        parallel: std::thread::available_parallelism().map_or(2, usize::from),
        seed: arguments.try_get_one::<u64>("seed").ok().flatten().copied(),
    }
}

fn run_grade(arguments: &ArgMatches) -> anyhow::Result<bool> {
    let student = match arguments.get_one::<PathBuf>("student") {
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("--student {}: no such folder", path.display()))?,
        None => Course::find_root()?,
    };
    let pristine = grade::pristine_source(
        arguments.get_one::<PathBuf>("course").map(PathBuf::as_path),
        arguments.get_one::<PathBuf>("lock").map(PathBuf::as_path),
        &student,
    )?;
    let run = run_options(arguments);
    let report = grade::grade(&student, &pristine, &run)?;
    let format = arguments
        .get_one::<String>("format")
        .and_then(|name| grade_report::Format::from_name(name))
        .expect("clap checks the format");
    let text = grade_report::render(&report, format);
    match arguments.get_one::<PathBuf>("out") {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("writing the report to {}", path.display()))?;
            eprintln!(
                "grade: {}/{} points; report written to {}",
                report.points(),
                report.max_points(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(report.all_passed())
}
