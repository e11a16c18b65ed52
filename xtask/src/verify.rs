//! `cargo xtask verify`, for maintainers and CI: the manifests match the
//! tree, every test fails against its untouched stub and passes against the
//! reference solution, and every known-bad variant is caught by the test it
//! names, by assertion or deadline.

use crate::build::{BuildDir, BuildTarget};
use crate::course::{Course, Lesson, Selection};
use crate::known_bad::{Variant, load_variants, variants_workspace};
use crate::lesson_run::{LessonResults, LessonRunRequest, run_lesson};
use crate::release;
use crate::rules::{self, CourseFiles, TESTS_PER_EXERCISE};
use crate::scratch;
use crate::style::Style;
use crate::test_run::{DeadlineArg, RunOptions, Verdict};
use anyhow::Result;
use std::time::Instant;

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
    let selections: Vec<Selection> = match args.lesson.as_deref() {
        Some(handle) => vec![course.select(handle)?],
        None => course.lesson_refs().map(Selection::Lesson).collect(),
    };
    let build_dir = BuildDir::acquire(&course.root, "verify")?;
    let mut problems = rules::problems(&CourseFiles::as_on_disk(course));
    problems.extend(release::staleness(course)?);
    report_step(style, "the course's rules and its course.lock", &problems);
    let mut summaries = Vec::new();
    for selection in selections {
        match verify_selection(course, &build_dir, selection, run, style) {
            Ok((summary, lesson_problems)) => {
                summaries.push(summary);
                problems.extend(lesson_problems);
            }
            Err(error) => problems.push(format!(
                "{}: could not finish verifying: {error:#}",
                course.handle_of(selection)
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

/// Verifies one lesson, or one exercise of it: its stubs fail, its
/// solution passes, and its known-bad variants are caught.
fn verify_selection(
    course: &Course,
    build_dir: &BuildDir,
    selection: Selection,
    run: &RunOptions,
    style: Style,
) -> Result<(LessonSummary, Vec<String>)> {
    let lesson = course.lesson(selection.lesson());
    let exercises = course.exercise_indexes(selection);
    let handle = course.handle_of(selection);
    let run_package = |package: &str| {
        run_lesson(&LessonRunRequest {
            exercises: exercises.clone(),
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

    // A known-bad file that does not read, or a variant whose edit does not
    // apply, is already one of the course rules' problems: it is left out
    // here rather than reported twice.
    let (variants, caught, variant_problems) = match load_variants(course, lesson) {
        Ok(variants) => {
            let variants: Vec<Variant> = variants
                .into_iter()
                .filter(|variant| exercises.contains(&variant.exercise))
                .collect();
            let (caught, problems) =
                verify_known_bad(course, build_dir, lesson, &variants, run, style)?;
            let (mark, how_many) = if caught == variants.len() {
                (style.green("✓"), "all".to_owned())
            } else {
                (style.red("✗"), format!("{caught} of"))
            };
            println!(
                "{mark} {handle}: {how_many} {} known-bad variants are caught",
                variants.len()
            );
            (variants, caught, problems)
        }
        Err(_) => {
            println!(
                "{} {handle}: no known-bad variant ran: a known-bad file does not read (below)",
                style.red("✗")
            );
            (Vec::new(), 0, Vec::new())
        }
    };
    let summary = LessonSummary {
        handle,
        exercises: exercises.len(),
        tests,
        known_bad: variants.len(),
        known_bad_caught: caught,
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
) -> Result<(usize, Vec<String>)> {
    let mut problems = Vec::new();
    let mut caught = 0;
    let solution_crate = course.solution_crate(lesson);
    let workspace = variants_workspace(course, build_dir)?;
    let solution_package = lesson.solution_package();
    let started = Instant::now();
    for variant in variants {
        // A variant whose edit does not apply is one of the rules' problems.
        let Ok(edited) = variant.apply(&solution_crate) else {
            continue;
        };
        let exercise = &lesson.exercises[variant.exercise];
        let name = format!(
            "{}/{} known-bad {}",
            lesson.handle(),
            exercise.number,
            variant.id
        );
        let file = workspace.solution_crate(lesson).join(&variant.file);
        let results = scratch::with_file_replaced(&file, edited.as_bytes(), || {
            run_lesson(&LessonRunRequest {
                exercises: vec![variant.exercise],
                only_tests: Some(std::slice::from_ref(&variant.caught_by)),
                offline: true,
                color: style.color,
                ..LessonRunRequest::new(
                    &workspace,
                    build_dir,
                    lesson,
                    BuildTarget::Package(&solution_package),
                    run,
                )
            })
        })??;
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
        caught += 1;
        println!(
            "  {} {name}: {} fails {how}",
            style.green("caught"),
            variant.caught_by
        );
    }
    if !variants.is_empty() {
        println!(
            "  {} known-bad variant(s) built and run in {:.1?}",
            variants.len(),
            started.elapsed()
        );
    }
    Ok((caught, problems))
}
