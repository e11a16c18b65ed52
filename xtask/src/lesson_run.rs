//! Building one lesson's crate and running the tests of some of its
//! exercises: the step shared by `check` and `verify`.

use crate::build::{BuildOutcome, BuildRequest, BuildTarget, build_tests};
use crate::course::{Course, Lesson};
use crate::test_run::{RunOptions, TestCase, TestOutcome, Verdict, list_tests, run_tests};
use anyhow::{Result, bail};
use std::fs;
use std::path::Path;

pub enum LessonResults {
    /// The crate does not compile; the compiler's errors, rendered.
    CompileErrors(String),
    Ran(Vec<ExerciseResults>),
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

    pub fn first_failure(&self) -> Option<&TestOutcome> {
        self.outcomes
            .iter()
            .find(|outcome| outcome.verdict != Verdict::Pass)
    }
}

pub struct LessonRunRequest<'a> {
    pub course: &'a Course,
    pub lesson: &'a Lesson,
    pub target: BuildTarget<'a>,
    /// Indexes of the exercises to run.
    pub exercises: &'a [usize],
    /// Run only the tests with these names (all when `None`).
    pub only_tests: Option<&'a [String]>,
    pub offline: bool,
    pub color: bool,
    pub run: &'a RunOptions,
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
    let test_targets: Vec<String> = request
        .exercises
        .iter()
        .map(|&index| request.lesson.exercises[index].test_target())
        .collect();
    let build = BuildRequest {
        workspace_root: &request.course.root,
        target: request.target,
        test_targets: &test_targets,
        offline: request.offline,
        color: request.color,
    };
    let executables = match build_tests(&build)? {
        BuildOutcome::CompileErrors(errors) => return Ok(LessonResults::CompileErrors(errors)),
        BuildOutcome::Built(executables) => executables,
    };

    let mut cases = Vec::new();
    let mut case_exercise = Vec::new();
    for (&index, target) in request.exercises.iter().zip(&test_targets) {
        let Some(executable) = executables
            .iter()
            .find(|executable| &executable.target == target)
        else {
            let exercise = &request.lesson.exercises[index];
            bail!(
                "the tests of {}/{} ({}) were not built: is exercises/{}/{} missing? \
                 Restore it with `git checkout -- exercises/{}/{}`",
                request.lesson.handle(),
                exercise.number,
                exercise.id,
                request.lesson.folder,
                exercise.test.display(),
                request.lesson.folder,
                exercise.test.display()
            );
        };
        for name in in_source_order(
            list_tests(executable)?,
            &request
                .course
                .exercise_crate(request.lesson)
                .join(&request.lesson.exercises[index].test),
        ) {
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
    Ok(LessonResults::Ran(results))
}
