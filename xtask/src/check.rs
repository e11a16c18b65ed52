//! `cargo xtask check [LESSON[/EX]]`: build and test the learner's crate,
//! then say which exercises pass, show the first failure in full, and name
//! the next step.

use crate::app_state::AppState;
use crate::build::{BuildDir, BuildTarget};
use crate::course::{Course, Lesson, Selection};
use crate::lesson_run::{ExerciseResults, LessonResults, LessonRunRequest, run_lesson};
use crate::style::Style;
use crate::test_run::{DeadlineArg, RunOptions, TestOutcome, Verdict};
use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

#[derive(Debug)]
pub struct CheckArgs {
    pub lesson: Option<String>,
    pub seed: Option<u64>,
    pub all: bool,
    pub deadline: DeadlineArg,
}

impl CheckArgs {
    pub fn command() -> Command {
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
            .arg(DeadlineArg::arg())
    }

    pub fn from_matches(matches: &ArgMatches) -> CheckArgs {
        CheckArgs {
            lesson: matches.get_one::<String>("lesson").cloned(),
            seed: matches.get_one::<u64>("seed").copied(),
            all: matches.get_flag("all"),
            deadline: DeadlineArg::from_matches(matches),
        }
    }
}

/// Checks the lesson or exercise named by `handle`, or else the first
/// lesson that does not pass yet. Returns whether everything checked passed.
pub fn check(state: &mut AppState, args: &CheckArgs, style: Style) -> Result<bool> {
    let report = ReportOptions {
        every_failure: args.all,
        style,
    };
    let run = &args.deadline.run_options(args.seed);
    let selection = args
        .lesson
        .as_deref()
        .map(|handle| state.course.select(handle))
        .transpose()?;
    let build_dir = BuildDir::acquire(&state.course.root, "check")?;
    let passed = match selection {
        Some(selection) => check_selection(state, &build_dir, selection, run, report),
        None => check_first_unfinished(state, &build_dir, run, report),
    };
    state.save();
    passed
}

/// Whether one exercise passes right now, without printing a report; the
/// verdict is recorded in the learner's progress.
pub fn passes_now(
    state: &mut AppState,
    selection: Selection,
    run: &RunOptions,
    style: Style,
) -> Result<bool> {
    let build_dir = BuildDir::acquire(&state.course.root, "check")?;
    let results = run_selection(&state.course, &build_dir, selection, run, style)?;
    state.record_results(selection, &results);
    state.save();
    Ok(all_passed(&results))
}

/// How much a report shows, and how.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Every failing test's message, not only the first.
    pub every_failure: bool,
    pub style: Style,
}

fn check_first_unfinished(
    state: &mut AppState,
    build_dir: &BuildDir,
    run: &RunOptions,
    report: ReportOptions,
) -> Result<bool> {
    let style = report.style;
    for lesson_ref in state.course.lesson_refs() {
        let lesson = state.course.lesson(lesson_ref);
        // A lesson that passed entirely at its last check is not rebuilt;
        // `check lessonN` re-checks it on request.
        if state.first_pending_exercise(lesson_ref).is_none() {
            println!(
                "{} {} {}: passed at your last check ({} re-checks it)",
                style.green("✓"),
                style.bold(&lesson.handle()),
                lesson.title,
                style.dim(&format!("cargo xtask check {}", lesson.handle()))
            );
            continue;
        }
        let selection = Selection::Lesson(lesson_ref);
        let results = run_selection(&state.course, build_dir, selection, run, style)?;
        state.record_results(selection, &results);
        if !all_passed(&results) {
            print!(
                "{}",
                CheckReport::new(&state.course, selection, &results, report.every_failure)
                    .render(report.style)
            );
            return Ok(false);
        }
        let lesson = state.course.lesson(lesson_ref);
        println!(
            "{} {} {}: all {} exercises pass",
            style.green("✓"),
            style.bold(&lesson.handle()),
            lesson.title,
            lesson.exercises.len()
        );
    }
    println!("\nEvery lesson written so far passes. Well done!");
    Ok(true)
}

/// Checks one selection, records its verdicts and prints its report.
pub(crate) fn check_selection(
    state: &mut AppState,
    build_dir: &BuildDir,
    selection: Selection,
    run: &RunOptions,
    report: ReportOptions,
) -> Result<bool> {
    let results = run_selection(&state.course, build_dir, selection, run, report.style)?;
    state.record_results(selection, &results);
    print!(
        "{}",
        CheckReport::new(&state.course, selection, &results, report.every_failure)
            .render(report.style)
    );
    Ok(all_passed(&results))
}

fn run_selection(
    course: &Course,
    build_dir: &BuildDir,
    selection: Selection,
    run: &RunOptions,
    style: Style,
) -> Result<LessonResults> {
    let lesson = course.lesson(selection.lesson());
    let exercises = course.exercise_indexes(selection);
    let package = lesson.package();
    run_lesson(&LessonRunRequest {
        exercises,
        color: style.color,
        show_warnings: true,
        ..LessonRunRequest::new(
            course,
            build_dir,
            lesson,
            BuildTarget::Package(&package),
            run,
        )
    })
}

fn all_passed(results: &LessonResults) -> bool {
    match results {
        LessonResults::CompileErrors(_) => false,
        LessonResults::Ran(ran) => ran.exercises.iter().all(ExerciseResults::passed),
    }
}

/// Appends one line to a report, as `println!` would print it.
macro_rules! report_line {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {
        $out.push_str(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// What one check found, ready to be rendered: the verdicts, the first
/// failure (or every one) in full, and the next step.
pub struct CheckReport<'a> {
    pub course: &'a Course,
    pub selection: Selection,
    pub results: &'a LessonResults,
    pub every_failure: bool,
}

impl<'a> CheckReport<'a> {
    pub fn new(
        course: &'a Course,
        selection: Selection,
        results: &'a LessonResults,
        every_failure: bool,
    ) -> CheckReport<'a> {
        CheckReport {
            course,
            selection,
            results,
            every_failure,
        }
    }

    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        let options = ReportOptions {
            every_failure: self.every_failure,
            style,
        };
        write_report(&mut out, self.course, self.selection, self.results, options);
        out
    }
}

fn write_report(
    out: &mut String,
    course: &Course,
    selection: Selection,
    results: &LessonResults,
    report: ReportOptions,
) {
    let style = report.style;
    let lesson = course.lesson(selection.lesson());
    let exercise_crate = format!("exercises/{}", lesson.folder);
    report_line!(out);
    report_line!(
        out,
        "{} · {}",
        style.bold(&format!("Lesson {}", lesson.number)),
        style.bold(&lesson.title)
    );
    report_line!(out, "{}", style.dim(&lesson.summary));
    report_line!(
        out,
        "{}",
        style.dim(&format!("Read: lessons/{}/README.md", lesson.folder))
    );
    report_line!(out);

    let ran = match results {
        LessonResults::CompileErrors(errors) => {
            report_line!(
                out,
                "{} The code in {exercise_crate} does not compile yet, so no test could run. The compiler says:\n",
                style.red("✗")
            );
            report_line!(out, "{}", errors.trim_end());
            report_line!(out);
            report_line!(
                out,
                "{} fix the first error (later ones often follow from it), then run `cargo xtask check {}` again.",
                style.bold("Next:"),
                course.handle_of(selection)
            );
            return;
        }
        LessonResults::Ran(ran) => ran,
    };
    let exercises = &ran.exercises;

    for result in exercises {
        write_exercise_line(out, lesson, result, style);
    }
    write_warnings(out, &ran.warnings, style);
    let earned: u32 = exercises
        .iter()
        .filter(|result| result.passed())
        .map(|result| lesson.exercises[result.exercise].points)
        .sum();
    let possible: u32 = exercises
        .iter()
        .map(|result| lesson.exercises[result.exercise].points)
        .sum();
    report_line!(
        out,
        "\n  Points: {earned}/{possible} {}",
        style.dim("(an exercise scores once all of its tests pass)")
    );

    match exercises.iter().find(|result| !result.passed()) {
        Some(failing) => write_failures(out, course, selection, failing, exercises, report),
        None => write_success_next_step(out, course, selection, style),
    }
}

/// The compiler's warnings about the learner's code: often the clue
/// (an unused `Result`, a variable never read). The first few, in full.
fn write_warnings(out: &mut String, warnings: &[String], style: Style) {
    const SHOWN: usize = 3;
    if warnings.is_empty() {
        return;
    }
    report_line!(out);
    report_line!(
        out,
        "  {} the compiler has {} warning(s) about your code{}:",
        style.yellow("!"),
        warnings.len(),
        if warnings.len() > SHOWN {
            format!(", the first {SHOWN}")
        } else {
            String::new()
        }
    );
    for warning in warnings.iter().take(SHOWN) {
        for line in warning.trim_end().lines() {
            report_line!(out, "    {line}");
        }
    }
}

fn write_exercise_line(out: &mut String, lesson: &Lesson, result: &ExerciseResults, style: Style) {
    let exercise = &lesson.exercises[result.exercise];
    let timed_out = result
        .outcomes
        .iter()
        .any(|outcome| outcome.verdict == Verdict::Timeout);
    let mark = if result.passed() {
        style.green("✓")
    } else if timed_out {
        style.yellow("⏱")
    } else {
        style.red("✗")
    };
    let points = if result.passed() { exercise.points } else { 0 };
    let tests = format!("{}/{} tests", result.count_passed(), result.outcomes.len());
    let label = lesson.exercise_label(exercise);
    let (label_width, title_width) = lesson.column_widths();
    report_line!(
        out,
        "  {mark} {label:<label_width$}  {:<title_width$}  {tests:>11}  {points:>3}/{} points",
        exercise.title,
        exercise.points
    );
    // Once some tests pass, name the ones still failing; an exercise not
    // started yet would only list every test.
    let started = result.count_passed() > 0;
    for outcome in &result.outcomes {
        match outcome.verdict {
            Verdict::Timeout => report_line!(
                out,
                "      {} test {} never finished: stopped after {:.0?}",
                style.yellow("⏱"),
                outcome.case.name,
                outcome.duration
            ),
            Verdict::Fail { .. } if started => {
                report_line!(
                    out,
                    "      {} test {} fails",
                    style.red("✗"),
                    outcome.case.name
                )
            }
            _ => {}
        }
    }
}

fn write_failures(
    out: &mut String,
    course: &Course,
    selection: Selection,
    failing: &ExerciseResults,
    exercises: &[ExerciseResults],
    report: ReportOptions,
) {
    let style = report.style;
    let lesson = course.lesson(selection.lesson());
    let exercise_crate = format!("exercises/{}", lesson.folder);
    let exercise = &lesson.exercises[failing.exercise];
    let file = format!("{exercise_crate}/{}", exercise.file.display());
    report_line!(out);
    match failing.first_failure() {
        Some(first) => {
            report_line!(
                out,
                "{} {}/{} {}, test {}",
                style.bold("First failure:"),
                lesson.handle(),
                exercise.number,
                exercise.id,
                style.bold(&first.case.name)
            );
            report_line!(
                out,
                "  Edit {}: {}",
                style.cyan(&file),
                exercise.functions.join(", ")
            );
            report_line!(out);
            write_outcome(out, first, style);
            if report.every_failure {
                write_every_other_failure(out, lesson, exercises, first, style);
            } else {
                write_other_failures_counted(out, course, selection, failing, exercises);
            }
        }
        None => report_line!(
            out,
            "{} {}/{} has no tests: was {exercise_crate}/{} emptied?",
            style.red("✗"),
            lesson.handle(),
            exercise.number,
            exercise.test.display()
        ),
    }
    report_line!(out);
    report_line!(
        out,
        "  Stuck? `cargo xtask hint {}/{}` gives a hint, one more each time.",
        lesson.handle(),
        exercise.number
    );
    report_line!(out);
    report_line!(
        out,
        "{} open {file}, read the doc comments and the lesson text, make this test pass, then run \
         `cargo xtask check {}/{}`.",
        style.bold("Next:"),
        lesson.handle(),
        exercise.number
    );
}

/// Under the first failure, with `--all`: every other failing test's
/// message in full.
fn write_every_other_failure(
    out: &mut String,
    lesson: &Lesson,
    exercises: &[ExerciseResults],
    first: &TestOutcome,
    style: Style,
) {
    for result in exercises {
        let exercise = &lesson.exercises[result.exercise];
        for outcome in result
            .outcomes
            .iter()
            .filter(|outcome| outcome.verdict != Verdict::Pass && !std::ptr::eq(*outcome, first))
        {
            report_line!(out);
            report_line!(
                out,
                "{} {}/{} {}, test {}",
                style.bold("Also failing:"),
                lesson.handle(),
                exercise.number,
                exercise.id,
                style.bold(&outcome.case.name)
            );
            report_line!(out);
            write_outcome(out, outcome, style);
        }
    }
}

/// Under the first failure, without `--all`: how many other tests fail,
/// told apart from the exercises not started yet (every test still meets
/// `todo!()`), which are not failures of the learner's code.
fn write_other_failures_counted(
    out: &mut String,
    course: &Course,
    selection: Selection,
    failing: &ExerciseResults,
    exercises: &[ExerciseResults],
) {
    let lesson = course.lesson(selection.lesson());
    let label = |result: &ExerciseResults| {
        format!(
            "{}/{}",
            lesson.handle(),
            lesson.exercises[result.exercise].number
        )
    };
    let failures = |result: &ExerciseResults| {
        result
            .outcomes
            .iter()
            .filter(|outcome| outcome.verdict != Verdict::Pass)
            .count()
    };
    let mut lines = Vec::new();
    let more_here = failures(failing).saturating_sub(1);
    if more_here > 0 {
        lines.push(format!(
            "{more_here} more test(s) of {} fail.",
            label(failing)
        ));
    }
    let others = exercises
        .iter()
        .filter(|result| result.exercise != failing.exercise && !result.passed());
    let (not_started, started): (Vec<&ExerciseResults>, Vec<&ExerciseResults>) =
        others.partition(|result| result.not_started());
    if !started.is_empty() {
        let counted: Vec<String> = started
            .iter()
            .map(|result| format!("{} ({} test(s))", label(result), failures(result)))
            .collect();
        lines.push(format!("Other exercises failing: {}.", counted.join(", ")));
    }
    if !not_started.is_empty() {
        let labels: Vec<String> = not_started.iter().map(|result| label(result)).collect();
        lines.push(format!(
            "Not started yet (every test meets todo!()): {}.",
            labels.join(", ")
        ));
    }
    if lines.is_empty() {
        return;
    }
    report_line!(out);
    for line in lines {
        report_line!(out, "  {line}");
    }
    report_line!(
        out,
        "  `cargo xtask check {} --all` shows every failing test's message.",
        course.handle_of(selection)
    );
}

fn write_outcome(out: &mut String, outcome: &TestOutcome, style: Style) {
    match &outcome.verdict {
        Verdict::Pass => {}
        Verdict::Fail { message, location } => {
            for line in message.lines() {
                report_line!(out, "    {}", style.red(line));
            }
            if let Some(location) = location {
                report_line!(out, "    {}", style.dim(&format!("at {location}")));
            }
            let printed = output_before_panic(&outcome.output);
            if !printed.is_empty() {
                report_line!(out, "\n    What the test printed before it failed:");
                for line in printed {
                    report_line!(out, "    | {line}");
                }
            }
        }
        Verdict::Timeout => {
            report_line!(
                out,
                "    {}",
                style.yellow(&format!(
                    "timed out: the test was still running after {:.0?} and was stopped.",
                    outcome.duration
                ))
            );
            report_line!(
                out,
                "    Something blocks forever: a read with no data coming, an accept with no client,\n    \
                 a loop with no way out, or a blocking call inside async code."
            );
            let printed = output_before_panic(&outcome.output);
            if !printed.is_empty() {
                report_line!(out, "\n    What the test printed before it was stopped:");
                for line in printed {
                    report_line!(out, "    | {line}");
                }
            }
        }
    }
}

/// The lines a test printed itself, without libtest's own chatter, up to
/// the panic: what a learner's `println!` debugging left.
fn output_before_panic(output: &str) -> Vec<&str> {
    const SHOWN_LINES: usize = 20;
    let lines: Vec<&str> = output
        .lines()
        .take_while(|line| !line.contains(" panicked at "))
        .filter(|line| !line.starts_with("running 1 test"))
        // libtest writes `test NAME ... ` without a newline, so the test's
        // first line of output is glued to it.
        .map(|line| match line.strip_prefix("test ") {
            Some(rest) => rest.split_once(" ... ").map_or("", |(_, printed)| printed),
            None => line,
        })
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(SHOWN_LINES)..].to_vec()
}

fn write_success_next_step(out: &mut String, course: &Course, selection: Selection, style: Style) {
    let lesson = course.lesson(selection.lesson());
    report_line!(out);
    if let Some(checked) = selection.exercise() {
        let exercise = course.exercise(checked);
        match lesson.exercises.get(checked.index() + 1) {
            Some(next) => report_line!(
                out,
                "{} {}/{} passes. {} cargo xtask check {}/{} ({})",
                style.green("✓"),
                lesson.handle(),
                exercise.number,
                style.bold("Next:"),
                lesson.handle(),
                next.number,
                next.title
            ),
            None => report_line!(
                out,
                "{} {}/{} passes. {} cargo xtask check {} (the whole lesson)",
                style.green("✓"),
                lesson.handle(),
                exercise.number,
                style.bold("Next:"),
                lesson.handle()
            ),
        }
        return;
    }
    match course.next_lesson(selection.lesson()) {
        Some(next) => {
            let next = course.lesson(next);
            report_line!(
                out,
                "{} Lesson {} is done. {} read lessons/{}/README.md, then cargo xtask check {}",
                style.green("✓"),
                lesson.number,
                style.bold("Next:"),
                next.folder,
                next.handle()
            )
        }
        None => report_line!(
            out,
            "{} Lesson {} is done, and it is the last lesson written so far. Well done!",
            style.green("✓"),
            lesson.number
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_before_panic_keeps_the_tests_own_lines() {
        let output = "\nrunning 1 test\ntest x ... first line\ndebug: got 3 bytes\n\
                      thread 'x' (1) panicked at a.rs:1:1:\nboom\n";
        assert_eq!(
            output_before_panic(output),
            vec!["first line", "debug: got 3 bytes"]
        );
    }

    fn outcome(name: &str, verdict: Verdict) -> TestOutcome {
        TestOutcome {
            case: crate::test_run::TestCase {
                executable: crate::build::TestExecutable {
                    target: "endpoint".into(),
                    path: "/target/endpoint".into(),
                    package_dir: "/course/exercises/01-lesson".into(),
                },
                name: name.into(),
            },
            verdict,
            duration: std::time::Duration::from_millis(5),
            output: String::new(),
        }
    }

    fn failure(message: &str) -> Verdict {
        Verdict::Fail {
            message: message.into(),
            location: None,
        }
    }

    fn render(
        course: &Course,
        selection: Selection,
        results: &LessonResults,
        every_failure: bool,
    ) -> String {
        CheckReport::new(course, selection, results, every_failure).render(Style { color: false })
    }

    fn expect_lines(report: &str, expected: &[&str]) {
        for expected in expected {
            assert!(report.contains(expected), "{expected:?} in:\n{report}");
        }
    }

    fn results() -> LessonResults {
        LessonResults::Ran(crate::lesson_run::Ran {
            exercises: vec![
                ExerciseResults {
                    exercise: 0,
                    outcomes: vec![
                        outcome("parses", Verdict::Pass),
                        outcome("classifies", failure("expected Registered, got Dynamic")),
                        outcome("rejects", failure("accepted \"nonsense\"")),
                    ],
                },
                ExerciseResults {
                    exercise: 1,
                    outcomes: vec![outcome("resolves", Verdict::Pass)],
                },
            ],
            warnings: Vec::new(),
        })
    }

    #[test]
    fn a_report_shows_the_first_failure_in_full_and_counts_the_others() {
        let state = crate::app_state::tests::state();
        let lesson = state.course.lesson_refs().next().unwrap();
        let results = results();
        let report = render(&state.course, Selection::Lesson(lesson), &results, false);
        expect_lines(
            &report,
            &[
                "Lesson 1 · A lesson",
                "  ✗ lesson1/1 endpoint  endpoint    1/3 tests    0/10 points",
                "      ✗ test classifies fails",
                "  ✓ lesson1/2 resolve   resolve     1/1 tests   10/10 points",
                "  Points: 10/20",
                "First failure: lesson1/1 endpoint, test classifies",
                "  Edit exercises/01-lesson/src/endpoint.rs: endpoint",
                "    expected Registered, got Dynamic",
                "  1 more test(s) of lesson1/1 fail.\n  `cargo xtask check lesson1 --all` shows every failing test's message.",
                "Next: open exercises/01-lesson/src/endpoint.rs",
            ],
        );
        assert!(!report.contains("nonsense"), "{report}");
    }

    #[test]
    fn a_report_with_every_failure_shows_each_message() {
        let state = crate::app_state::tests::state();
        let lesson = state.course.lesson_refs().next().unwrap();
        let results = results();
        let report = render(&state.course, Selection::Lesson(lesson), &results, true);
        assert!(
            report.contains("Also failing: lesson1/1 endpoint, test rejects"),
            "{report}"
        );
        assert!(report.contains("    accepted \"nonsense\""), "{report}");
        assert!(!report.contains("more test(s) fail"), "{report}");
    }

    #[test]
    fn other_failures_are_counted_apart_from_exercises_not_started() {
        let mut state = crate::app_state::tests::state();
        let lesson = state.course.lesson_refs().next().unwrap();
        let mut third = crate::app_state::tests::state().course.lessons[0]
            .exercises
            .remove(1);
        third.number = 3;
        third.id = "listener".into();
        state.course.lessons[0].exercises.push(third);
        let todo = || failure("not yet implemented: parse the address");
        // The first exercise started, the second not, the third failing.
        let LessonResults::Ran(mut ran) = results() else {
            unreachable!("results() ran")
        };
        ran.exercises[0].outcomes[2] = outcome("rejects", todo());
        ran.exercises[1].outcomes = vec![outcome("resolves", todo()), outcome("sorts", todo())];
        ran.exercises.push(ExerciseResults {
            exercise: 2,
            outcomes: vec![
                outcome("binds", failure("bound 0.0.0.0")),
                outcome("reports", todo()),
                outcome("listens", Verdict::Timeout),
            ],
        });
        let results = LessonResults::Ran(ran);
        let report = render(&state.course, Selection::Lesson(lesson), &results, false);
        expect_lines(
            &report,
            &[
                "First failure: lesson1/1 endpoint, test classifies",
                "  1 more test(s) of lesson1/1 fail.\n",
                "  Other exercises failing: lesson1/3 (3 test(s)).\n",
                "  Not started yet (every test meets todo!()): lesson1/2.\n",
                "  `cargo xtask check lesson1 --all` shows every failing test's message.",
            ],
        );
        assert!(!report.contains("more test(s) fail:"), "{report}");
    }

    #[test]
    fn a_passing_exercise_names_the_next_one() {
        let state = crate::app_state::tests::state();
        let lesson = state.course.lesson_refs().next().unwrap();
        let results = LessonResults::Ran(crate::lesson_run::Ran {
            exercises: vec![ExerciseResults {
                exercise: 0,
                outcomes: vec![outcome("parses", Verdict::Pass)],
            }],
            warnings: Vec::new(),
        });
        let selection = Selection::Exercise(lesson.exercise(0));
        let report = render(&state.course, selection, &results, false);
        assert!(
            report.contains("✓ lesson1/1 passes. Next: cargo xtask check lesson1/2 (resolve)"),
            "{report}"
        );
    }
}
