//! Building one lesson's crate and running the tests of some of its
//! exercises: the step shared by `check` and `verify`.

use crate::build::{BuildDir, BuildOutcome, BuildRequest, BuildTarget, Isolation, build_tests};
use crate::course::{Course, Lesson};
use crate::test_run::{RunOptions, TestCase, TestOutcome, Verdict, list_tests, run_tests};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::Path;

pub enum LessonResults {
    /// The crate does not compile; the compiler's errors, rendered.
    CompileErrors(String),
    Ran(Ran),
}

pub struct Ran {
    pub exercises: Vec<ExerciseResults>,
    /// The compiler's warnings about the learner's code, rendered.
    pub warnings: Vec<String>,
}

pub struct ExerciseResults {
    /// Index into the lesson's exercises.
    pub exercise: usize,
    pub outcomes: Vec<TestOutcome>,
}

impl ExerciseResults {
    pub fn passed(&self) -> bool {
        !self.outcomes.is_empty()
            && self
                .outcomes
                .iter()
                .all(|outcome| outcome.verdict == Verdict::Pass)
    }

    pub fn count_passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.verdict == Verdict::Pass)
            .count()
    }

    /// No test passes and every one fails by `todo!()`: the learner has
    /// not begun this exercise.
    pub fn not_started(&self) -> bool {
        !self.outcomes.is_empty()
            && self
                .outcomes
                .iter()
                .all(|outcome| outcome.verdict.is_unimplemented())
    }

    pub fn first_failure(&self) -> Option<&TestOutcome> {
        self.outcomes
            .iter()
            .find(|outcome| outcome.verdict != Verdict::Pass)
    }
}

pub struct LessonRunRequest<'a> {
    pub course: &'a Course,
    pub build_dir: &'a BuildDir,
    pub lesson: &'a Lesson,
    pub target: BuildTarget<'a>,
    /// Indexes of the exercises to run.
    pub exercises: Vec<usize>,
    /// Run only the tests with these names (all when `None`).
    pub only_tests: Option<&'a [String]>,
    pub offline: bool,
    pub color: bool,
    /// Collect the compiler's warnings about the learner's crate.
    pub show_warnings: bool,
    pub isolation: Isolation,
    pub run: &'a RunOptions,
}

impl<'a> LessonRunRequest<'a> {
    /// Every test of every exercise of `lesson`, with cargo free to use the
    /// network, plain output, and no warnings collected.
    pub fn new(
        course: &'a Course,
        build_dir: &'a BuildDir,
        lesson: &'a Lesson,
        target: BuildTarget<'a>,
        run: &'a RunOptions,
    ) -> LessonRunRequest<'a> {
        LessonRunRequest {
            course,
            build_dir,
            lesson,
            target,
            exercises: (0..lesson.exercises.len()).collect(),
            only_tests: None,
            offline: false,
            color: false,
            show_warnings: false,
            isolation: Isolation::None,
            run,
        }
    }
}

/// Sorts test names by where each `fn` appears in its file, so that results
/// (and the first failure) follow the file's order, simplest test first,
/// rather than libtest's alphabetical order.
fn in_source_order(mut names: Vec<String>, test_file: &Path) -> Vec<String> {
    let source = fs::read_to_string(test_file).unwrap_or_default();
    names.sort_by_key(|name| source.find(&format!("fn {name}(")).unwrap_or(usize::MAX));
    names
}

pub fn run_lesson(request: &LessonRunRequest) -> Result<LessonResults> {
    let lesson = request.lesson;
    let exercise_crate = request.course.exercise_crate(lesson);
    for &index in &request.exercises {
        let exercise = &lesson.exercises[index];
        let test_file = exercise_crate.join(&exercise.test);
        if !test_file.is_file() {
            let shown = request.course.relative(&test_file).display().to_string();
            bail!(
                "the tests of {}/{} ({}) are missing: {shown} is gone. \
                 Restore it with `git checkout -- {shown}`",
                lesson.handle(),
                exercise.number,
                exercise.id,
            );
        }
    }
    let test_targets: Vec<String> = request
        .exercises
        .iter()
        .map(|&index| lesson.exercises[index].test_target())
        .collect();
    let build = BuildRequest {
        workspace_root: &request.course.root,
        build_dir: request.build_dir,
        target: request.target,
        test_targets: &test_targets,
        offline: request.offline,
        color: request.color,
        warnings_from: request.show_warnings.then_some(exercise_crate.as_path()),
        isolation: request.isolation,
    };
    let (executables, warnings) = match build_tests(&build)? {
        BuildOutcome::CompileErrors(errors) => return Ok(LessonResults::CompileErrors(errors)),
        BuildOutcome::Built(executables, warnings) => (executables, warnings),
    };

    let mut cases = Vec::new();
    let mut case_exercise = Vec::new();
    for (&index, target) in request.exercises.iter().zip(&test_targets) {
        let executable = executables
            .iter()
            .find(|executable| &executable.target == target)
            .with_context(|| format!("cargo built no test executable named {target}"))?;
        let test_file = exercise_crate.join(&lesson.exercises[index].test);
        for name in in_source_order(list_tests(executable, request.run)?, &test_file) {
            if request.only_tests.is_none_or(|only| only.contains(&name)) {
                cases.push(TestCase {
                    executable: executable.clone(),
                    name,
                });
                case_exercise.push(index);
            }
        }
    }

    let outcomes = run_tests(cases, request.run)?;
    let mut results: Vec<ExerciseResults> = request
        .exercises
        .iter()
        .map(|&exercise| ExerciseResults {
            exercise,
            outcomes: Vec::new(),
        })
        .collect();
    for (outcome, exercise) in outcomes.into_iter().zip(case_exercise) {
        if let Some(result) = results
            .iter_mut()
            .find(|result| result.exercise == exercise)
        {
            result.outcomes.push(outcome);
        }
    }
    Ok(LessonResults::Ran(Ran {
        exercises: results,
        warnings,
    }))
}
