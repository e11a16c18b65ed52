//! `cargo xtask verify`, for maintainers and CI: the manifests match the
//! tree, every test fails against its untouched stub and passes against the
//! reference solution, and every known-bad variant is caught by the test it
//! names, by assertion or deadline.

use crate::build::{BuildDir, BuildTarget};
use crate::conventions;
use crate::course::{Course, Lesson};
use crate::known_bad::{Variant, load_variants, prepare_package};
use crate::lesson_run::{LessonResults, LessonRunRequest, run_lesson};
use crate::release;
use crate::style::Style;
use crate::test_run::{DeadlineArg, RunOptions, Verdict};
use anyhow::Result;
use std::ops::RangeInclusive;

/// How many tests an exercise has: one idea, simplest behaviour first.
const TESTS_PER_EXERCISE: RangeInclusive<usize> = 3..=8;

#[derive(Debug)]
pub struct VerifyArgs {
    pub lesson: Option<String>,
    pub deadline: DeadlineArg,
}

impl VerifyArgs {
    pub fn command() -> clap::Command {
        clap::Command::new("verify")
            .about(
                "For maintainers and CI: stubs fail, solutions pass, known-bad variants are caught",
            )
            .arg(
                clap::Arg::new("lesson")
                    .value_name("LESSON")
                    .help("Verify only this lesson"),
            )
            .arg(DeadlineArg::arg())
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> VerifyArgs {
        VerifyArgs {
            lesson: matches.get_one::<String>("lesson").cloned(),
            deadline: DeadlineArg::from_matches(matches),
        }
    }
}

pub fn verify(course: &Course, args: &VerifyArgs, style: Style) -> Result<bool> {
    let run = &args.deadline.run_options(None);
    let handle = args.lesson.as_deref();
    let lessons: Vec<&Lesson> = match handle {
        Some(handle) => vec![course.lesson(course.select(handle)?.lesson())],
        None => course.lessons.iter().collect(),
    };
    let build_dir = BuildDir::acquire(&course.root, "verify")?;
    let mut problems = conventions::problems(course)?;
    problems.extend(release::staleness(course)?);
    report_step(style, "manifests and conventions", &problems);
    let mut summaries = Vec::new();
    for lesson in lessons {
        match verify_lesson(course, &build_dir, lesson, run, style) {
            Ok((summary, lesson_problems)) => {
                summaries.push(summary);
                problems.extend(lesson_problems);
            }
            Err(error) => problems.push(format!(
                "{}: could not finish verifying: {error:#}",
                lesson.handle()
            )),
        }
    }
    println!();
    print_summary(&summaries);
    if problems.is_empty() {
        println!("{} verify: every check passed", style.green("✓"));
        Ok(true)
    } else {
        println!(
            "{} verify found {} problem(s):",
            style.red("✗"),
            problems.len()
        );
        for problem in &problems {
            println!("  - {problem}");
        }
        Ok(false)
    }
}

fn report_step(style: Style, step: &str, problems: &[String]) {
    if problems.is_empty() {
        println!("{} {step}", style.green("✓"));
    } else {
        println!("{} {step}: {} problem(s)", style.red("✗"), problems.len());
    }
}

/// What `verify` found for one lesson, for the table at the end.
struct LessonSummary {
    handle: String,
    exercises: usize,
    tests: usize,
    known_bad: usize,
    known_bad_caught: usize,
}

fn print_summary(summaries: &[LessonSummary]) {
    if summaries.is_empty() {
        return;
    }
    println!("lesson    exercises  tests  known-bad variants caught");
    for summary in summaries {
        println!(
            "{:<9} {:>9}  {:>5}  {:>8} of {}",
            summary.handle,
            summary.exercises,
            summary.tests,
            summary.known_bad_caught,
            summary.known_bad
        );
    }
    println!();
}

fn verify_lesson(
    course: &Course,
    build_dir: &BuildDir,
    lesson: &Lesson,
    run: &RunOptions,
    style: Style,
) -> Result<(LessonSummary, Vec<String>)> {
    let handle = lesson.handle();
    let run_package = |package: &str| {
        run_lesson(&LessonRunRequest {
            color: style.color,
            ..LessonRunRequest::new(
                course,
                build_dir,
                lesson,
                BuildTarget::Package(package),
                run,
            )
        })
    };

    let mut stub_problems = Vec::new();
    let mut tests = 0;
    match run_package(&lesson.package())? {
        LessonResults::CompileErrors(errors) => {
            stub_problems.push(format!(
                "{handle}: the untouched stubs do not compile:\n{errors}"
            ));
        }
        LessonResults::Ran(ran) => {
            for result in ran.exercises {
                let exercise = &lesson.exercises[result.exercise];
                let count = result.outcomes.len();
                tests += count;
                if !TESTS_PER_EXERCISE.contains(&count) {
                    stub_problems.push(format!(
                        "{handle}/{} ({}) has {count} tests; an exercise has {} to {}",
                        exercise.number,
                        exercise.id,
                        TESTS_PER_EXERCISE.start(),
                        TESTS_PER_EXERCISE.end()
                    ));
                }
                for outcome in result
                    .outcomes
                    .iter()
                    .filter(|outcome| outcome.verdict == Verdict::Pass)
                {
                    stub_problems.push(format!(
                        "{handle}/{} ({}): test {} passes against the untouched stub, so it cannot tell \
                         a finished exercise from an unfinished one",
                        exercise.number, exercise.id, outcome.case.name
                    ));
                }
            }
        }
    }
    report_step(
        style,
        &format!("{handle}: every test fails against the stubs"),
        &stub_problems,
    );

    let mut solution_problems = Vec::new();
    match run_package(&lesson.solution_package())? {
        LessonResults::CompileErrors(errors) => {
            solution_problems.push(format!(
                "{handle}: the reference solution does not compile:\n{errors}"
            ));
        }
        LessonResults::Ran(ran) => {
            for result in ran.exercises {
                let exercise = &lesson.exercises[result.exercise];
                for outcome in result
                    .outcomes
                    .iter()
                    .filter(|outcome| outcome.verdict != Verdict::Pass)
                {
                    let why = match &outcome.verdict {
                        Verdict::Fail { message, .. } => message.clone(),
                        _ => "it timed out".to_owned(),
                    };
                    solution_problems.push(format!(
                        "{handle}/{} ({}): test {} fails against the reference solution: {why}",
                        exercise.number, exercise.id, outcome.case.name
                    ));
                }
            }
        }
    }
    report_step(
        style,
        &format!("{handle}: every test passes against the solution"),
        &solution_problems,
    );

    let variants = load_variants(course, lesson)?;
    let variant_problems = verify_known_bad(course, build_dir, lesson, &variants, run, style)?;
    report_step(
        style,
        &format!(
            "{handle}: all {} known-bad variants are caught",
            variants.len()
        ),
        &variant_problems,
    );
    let summary = LessonSummary {
        handle,
        exercises: lesson.exercises.len(),
        tests,
        known_bad: variants.len(),
        known_bad_caught: variants.len() - variant_problems.len(),
    };
    Ok((
        summary,
        [stub_problems, solution_problems, variant_problems].concat(),
    ))
}

fn verify_known_bad(
    course: &Course,
    build_dir: &BuildDir,
    lesson: &Lesson,
    variants: &[Variant],
    run: &RunOptions,
    style: Style,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for variant in variants {
        let exercise = &lesson.exercises[variant.exercise];
        let name = format!(
            "{}/{} known-bad {}",
            lesson.handle(),
            exercise.number,
            variant.id
        );
        let manifest = prepare_package(course, build_dir, lesson, variant)?;
        let results = run_lesson(&LessonRunRequest {
            exercises: vec![variant.exercise],
            only_tests: Some(std::slice::from_ref(&variant.caught_by)),
            offline: true,
            color: style.color,
            ..LessonRunRequest::new(
                course,
                build_dir,
                lesson,
                BuildTarget::Manifest(&manifest),
                run,
            )
        })?;
        let outcome = match &results {
            LessonResults::CompileErrors(errors) => {
                problems.push(format!(
                    "{name} does not compile; a variant must build and fail a test:\n{errors}"
                ));
                continue;
            }
            LessonResults::Ran(ran) => ran
                .exercises
                .first()
                .and_then(|result| result.outcomes.first()),
        };
        let Some(outcome) = outcome else {
            problems.push(format!(
                "{name}: its test {} did not run",
                variant.caught_by
            ));
            continue;
        };
        let how = match &outcome.verdict {
            Verdict::Pass => {
                problems.push(format!(
                    "{name} is not caught: test {} passes although the code {}",
                    variant.caught_by, variant.mistake
                ));
                continue;
            }
            verdict if verdict.is_unimplemented() => {
                problems.push(format!(
                    "{name} fails only by todo!(): a variant must be a complete wrong answer"
                ));
                continue;
            }
            Verdict::Fail { .. } => "by assertion",
            Verdict::Timeout => "by deadline",
        };
        println!(
            "  {} {name}: {} fails {how}",
            style.green("caught"),
            variant.caught_by
        );
    }
    Ok(problems)
}
