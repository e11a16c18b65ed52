//! The course's rules, one function each, named for the rule, and the one
//! list of them, [`RULES`]. `verify` runs them before it builds anything,
//! `cargo test` runs them through `tests/course`, and CONTRIBUTING.md lists
//! them by name. The rules that need a build (every test fails against its
//! stub and passes against the solution, [`TESTS_PER_EXERCISE`], every
//! known-bad variant is caught) and the freshness of `course.lock` are
//! `verify`'s alone.
//!
//! A learner edits `exercises/*/src/`, and the rules about those files are
//! rules about the course's stubs. So the rules read the files through
//! [`CourseFiles`], which `cargo test` builds with
//! [`CourseFiles::as_released`]: the learner's files as `course.lock`
//! records them, so that a solved, half-solved or broken exercise never
//! fails the course's own tests.

use crate::course::{Course, Exercise, Lesson};
use crate::known_bad::{Variant, load_variants};
use crate::scratch;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::RangeInclusive;
use std::path::Path;

/// How many tests an exercise has: one idea, simplest behaviour first.
/// Counted by `verify`, which lists the tests of a build.
pub const TESTS_PER_EXERCISE: RangeInclusive<usize> = 3..=8;

/// How many plausible mistakes each exercise records as known-bad variants,
/// at least: the course's own evidence that its tests reject wrong answers.
pub const KNOWN_BAD_PER_EXERCISE: usize = 5;

/// How many hints an exercise gives: from a nudge to nearly the answer.
pub const HINTS_PER_EXERCISE: RangeInclusive<usize> = 2..=3;

/// A rule of the course: its name (the function's) and its check, which
/// says in a sentence each way the course breaks it.
pub struct Rule {
    pub name: &'static str,
    pub check: Check,
}

pub enum Check {
    /// A rule about the course as a whole.
    Course(fn(&CourseFiles) -> Vec<String>),
    /// A rule checked lesson by lesson.
    Lesson(fn(&CourseFiles, &Lesson) -> Vec<String>),
}

macro_rules! rules {
    ($($scope:ident $rule:ident),* $(,)?) => {
        &[$(Rule { name: stringify!($rule), check: Check::$scope($rule) }),*]
    };
}

/// Every rule that reads the course's files, in the order they are reported.
pub const RULES: &[Rule] = rules![
    Course lessons_are_numbered_from_one_without_gaps,
    Lesson each_lesson_has_its_chapter_and_two_crates,
    Lesson crates_are_named_for_their_lesson,
    Lesson the_learner_declares_every_dependency_of_the_solution,
    Lesson lib_rs_is_the_same_map_in_exercise_and_solution,
    Lesson each_exercise_file_states_its_task,
    Lesson each_listed_function_is_in_its_exercise_file,
    Lesson the_solution_has_each_exercise_file,
    Lesson each_exercise_has_its_test_file,
    Lesson no_test_uses_should_panic,
    Lesson the_solution_runs_the_exercises_own_tests,
    Lesson each_test_file_belongs_to_an_exercise,
    Lesson each_exercise_has_two_or_three_hints,
    Course program_names_are_unique_across_the_course,
    Lesson known_bad_files_read,
    Lesson each_exercise_records_five_known_bad_variants,
    Lesson each_variant_names_a_test_of_its_exercise,
    Lesson each_variant_applies_to_the_solution,
];

/// Every way the course breaks a rule, one sentence each, with the rule's
/// name; empty when all is well.
pub fn problems(files: &CourseFiles) -> Vec<String> {
    let mut problems = Vec::new();
    for rule in RULES {
        let found = match rule.check {
            Check::Course(check) => check(files),
            Check::Lesson(check) => files
                .course
                .lessons
                .iter()
                .flat_map(|lesson| check(files, lesson))
                .collect(),
        };
        problems.extend(
            found
                .into_iter()
                .map(|problem| format!("{problem} [{}]", rule.name)),
        );
    }
    problems
}

/// The course's files as the rules read them.
pub struct CourseFiles<'a> {
    pub course: &'a Course,
    /// The learner's files (`exercises/*/src/**`, relative paths) as
    /// released, or `None` to read them as they are on disk.
    released_learner_files: Option<scratch::FileSet>,
}

impl<'a> CourseFiles<'a> {
    /// Every file as it is on disk: the maintainer's tree, for `verify`.
    pub fn as_on_disk(course: &'a Course) -> CourseFiles<'a> {
        CourseFiles {
            course,
            released_learner_files: None,
        }
    }

    /// The learner's files as the `course.lock` at the course's root
    /// records them, read from the git objects of the checkout at
    /// `git_checkout` (the course's own root, as a rule); every other file
    /// as it is on disk. A file git cannot give (a download without
    /// history) is read from disk.
    pub fn as_released(course: &'a Course, git_checkout: &Path) -> Result<CourseFiles<'a>> {
        let learner_files = scratch::released_files_where(&course.root, git_checkout, is_learners)
            .context("reading the learner's files as course.lock records them")?;
        Ok(CourseFiles {
            course,
            released_learner_files: Some(learner_files),
        })
    }

    /// The text of the file at `path` (under the course's root).
    pub fn read(&self, path: &Path) -> Option<String> {
        let relative = self.course.relative(path);
        match &self.released_learner_files {
            Some(released) if is_learners(relative) => released
                .get(relative)
                .map(|content| String::from_utf8_lossy(content).into_owned()),
            _ => fs::read_to_string(path).ok(),
        }
    }

    pub fn exists(&self, path: &Path) -> bool {
        let relative = self.course.relative(path);
        match &self.released_learner_files {
            Some(released) if is_learners(relative) => released.contains_key(relative),
            _ => path.is_file(),
        }
    }

    /// The names of the files directly in the folder `dir`, sorted.
    pub fn file_names_in(&self, dir: &Path) -> Vec<String> {
        let relative = self.course.relative(dir);
        let mut names: Vec<String> = match &self.released_learner_files {
            Some(released) if is_learners(&relative.join("file")) => released
                .keys()
                .filter(|path| path.parent() == Some(relative))
                .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
                .collect(),
            _ => fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|entry| entry.path().is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect(),
        };
        names.sort();
        names
    }

    /// A crate's `Cargo.toml`, parsed; `None` when it is missing or does
    /// not parse, which [`each_lesson_has_its_chapter_and_two_crates`]
    /// reports.
    fn cargo_manifest(&self, crate_dir: &Path) -> Result<toml::Table> {
        let path = crate_dir.join("Cargo.toml");
        let shown = self.course.relative(&path).display().to_string();
        let text = self
            .read(&path)
            .with_context(|| format!("{shown} is missing"))?;
        text.parse()
            .with_context(|| format!("{shown} does not parse"))
    }

    fn variants(&self, lesson: &Lesson) -> Result<Vec<Variant>> {
        load_variants(self.course, lesson)
    }
}

/// `exercises/NN-slug/src/...`: what a learner edits.
fn is_learners(relative: &Path) -> bool {
    let mut parts = relative.components();
    parts
        .next()
        .is_some_and(|part| part.as_os_str() == "exercises")
        && parts.next().is_some()
        && parts.next().is_some_and(|part| part.as_os_str() == "src")
        && parts.next().is_some()
}

/// The problems `check` finds, exercise by exercise, each after the
/// exercise's name: `lesson1/2 (resolve): ...`.
fn each_exercise<Found: IntoIterator<Item = String>>(
    lesson: &Lesson,
    check: impl Fn(&Exercise) -> Found,
) -> Vec<String> {
    let mut problems = Vec::new();
    for exercise in &lesson.exercises {
        let name = format!("{}/{} ({})", lesson.handle(), exercise.number, exercise.id);
        problems.extend(
            check(exercise)
                .into_iter()
                .map(|problem| format!("{name}: {problem}")),
        );
    }
    problems
}

/// The exercise and solution crates' manifests, when both read.
fn both_manifests(files: &CourseFiles, lesson: &Lesson) -> Option<(toml::Table, toml::Table)> {
    let course = files.course;
    let exercise = files.cargo_manifest(&course.exercise_crate(lesson)).ok()?;
    let solution = files.cargo_manifest(&course.solution_crate(lesson)).ok()?;
    Some((exercise, solution))
}

pub fn lessons_are_numbered_from_one_without_gaps(files: &CourseFiles) -> Vec<String> {
    let numbers: Vec<u32> = files.course.lessons.iter().map(|l| l.number).collect();
    let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
    if numbers == expected {
        return Vec::new();
    }
    vec![format!(
        "the lessons are numbered {numbers:?}; number them 1, 2, 3, ... with no gaps"
    )]
}

pub fn each_lesson_has_its_chapter_and_two_crates(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let course = files.course;
    let handle = lesson.handle();
    let mut problems = Vec::new();
    if !files.exists(&course.chapter(lesson)) {
        problems.push(format!(
            "{handle}: the lesson text {} is missing",
            course.relative(&course.chapter(lesson)).display()
        ));
    }
    for crate_dir in [course.exercise_crate(lesson), course.solution_crate(lesson)] {
        if let Err(error) = files.cargo_manifest(&crate_dir) {
            problems.push(format!("{handle}: {error:#}"));
        }
    }
    problems
}

pub fn crates_are_named_for_their_lesson(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let Some((exercise, solution)) = both_manifests(files, lesson) else {
        return Vec::new();
    };
    let handle = lesson.handle();
    let mut problems = Vec::new();
    if string_at(&exercise, &["package", "name"]) != Some(lesson.package()) {
        problems.push(format!(
            "{handle}: the exercise crate's package must be named {}",
            lesson.package()
        ));
    }
    if string_at(&solution, &["package", "name"]) != Some(lesson.solution_package()) {
        problems.push(format!(
            "{handle}: the solution crate's package must be named {}",
            lesson.solution_package()
        ));
    }
    if string_at(&solution, &["lib", "name"]) != Some(lesson.package()) {
        problems.push(format!(
            "{handle}: the solution's [lib] must be named {} so the same tests compile against it",
            lesson.package()
        ));
    }
    problems
}

pub fn the_learner_declares_every_dependency_of_the_solution(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let Some((exercise, solution)) = both_manifests(files, lesson) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for section in ["dependencies", "dev-dependencies"] {
        let learner = table_keys(&exercise, section);
        for dependency in table_keys(&solution, section).difference(&learner) {
            problems.push(format!(
                "{}: the solution uses {dependency} ({section}) but the exercise crate does not \
                 declare it; learners never edit Cargo.toml",
                lesson.handle()
            ));
        }
    }
    problems
}

pub fn lib_rs_is_the_same_map_in_exercise_and_solution(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let course = files.course;
    let exercise_lib = files.read(&course.exercise_crate(lesson).join("src/lib.rs"));
    let solution_lib = files.read(&course.solution_crate(lesson).join("src/lib.rs"));
    if exercise_lib.is_some() && exercise_lib == solution_lib {
        return Vec::new();
    }
    vec![format!(
        "{}: exercises/{folder}/src/lib.rs and solutions/{folder}/src/lib.rs differ or are \
         missing; they are the same map of modules",
        lesson.handle(),
        folder = lesson.folder
    )]
}

pub fn each_exercise_file_states_its_task(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let course = files.course;
    each_exercise(lesson, |exercise| {
        let file = course.exercise_crate(lesson).join(&exercise.file);
        let shown = course.relative(&file).display();
        match files.read(&file) {
            None => Some(format!("{shown} is missing")),
            Some(source) if !source.starts_with("//!") => Some(format!(
                "{shown} must start with a //! statement of the task"
            )),
            Some(_) => None,
        }
    })
}

pub fn each_listed_function_is_in_its_exercise_file(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let course = files.course;
    each_exercise(lesson, |exercise| {
        let file = course.exercise_crate(lesson).join(&exercise.file);
        let source = files.read(&file).unwrap_or_default();
        let mut problems = Vec::new();
        for function in &exercise.functions {
            let bare = function.rsplit("::").next().unwrap_or(function);
            if !source.contains(&format!("fn {bare}(")) && !source.contains(&format!("fn {bare}<"))
            {
                problems.push(format!(
                    "the manifest names {function}, but {} has no fn {bare}",
                    course.relative(&file).display()
                ));
            }
        }
        problems
    })
}

pub fn the_solution_has_each_exercise_file(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let solution_crate = files.course.solution_crate(lesson);
    each_exercise(lesson, |exercise| {
        (!files.exists(&solution_crate.join(&exercise.file)))
            .then(|| format!("the solution has no {}", exercise.file.display()))
    })
}

pub fn each_exercise_has_its_test_file(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let course = files.course;
    each_exercise(lesson, |exercise| {
        let test = course.exercise_crate(lesson).join(&exercise.test);
        (!files.exists(&test)).then(|| format!("{} is missing", course.relative(&test).display()))
    })
}

pub fn no_test_uses_should_panic(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let course = files.course;
    each_exercise(lesson, |exercise| {
        let test = course.exercise_crate(lesson).join(&exercise.test);
        let source = files.read(&test).unwrap_or_default();
        source.contains("#[should_panic").then(|| {
            format!(
                "{} uses #[should_panic], which passes against a todo!() stub",
                course.relative(&test).display()
            )
        })
    })
}

pub fn the_solution_runs_the_exercises_own_tests(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let Ok(solution) = files.cargo_manifest(&files.course.solution_crate(lesson)) else {
        return Vec::new();
    };
    let targets = solution_test_targets(&solution);
    each_exercise(lesson, |exercise| {
        let expected_path = format!(
            "../../exercises/{}/{}",
            lesson.folder,
            exercise.test.display()
        );
        let listed = targets
            .iter()
            .any(|(target, path)| *target == exercise.test_target() && *path == expected_path);
        (!listed).then(|| {
            format!(
                "the solution's Cargo.toml needs [[test]] name = \"{}\", path = \"{expected_path}\"",
                exercise.test_target()
            )
        })
    })
}

pub fn each_test_file_belongs_to_an_exercise(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let course = files.course;
    let handle = lesson.handle();
    let manifest_tests: BTreeSet<String> = lesson
        .exercises
        .iter()
        .map(|exercise| exercise.test_target())
        .collect();
    let mut problems = Vec::new();
    let tests_dir = course.exercise_crate(lesson).join("tests");
    for name in files.file_names_in(&tests_dir) {
        if let Some(stem) = name.strip_suffix(".rs")
            && !manifest_tests.contains(stem)
        {
            problems.push(format!(
                "{handle}: {}/{name} belongs to no exercise in lessons/{}/lesson.toml",
                course.relative(&tests_dir).display(),
                lesson.folder
            ));
        }
    }
    if let Ok(solution) = files.cargo_manifest(&course.solution_crate(lesson)) {
        for (target, _) in solution_test_targets(&solution) {
            if !manifest_tests.contains(&target) {
                problems.push(format!(
                    "{handle}: the solution's [[test]] {target} belongs to no exercise"
                ));
            }
        }
    }
    problems
}

pub fn each_exercise_has_two_or_three_hints(_: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    each_exercise(lesson, |exercise| {
        (!HINTS_PER_EXERCISE.contains(&exercise.hints.len())).then(|| {
            format!(
                "{} hints; give {} to {}, from a nudge to nearly the answer",
                exercise.hints.len(),
                HINTS_PER_EXERCISE.start(),
                HINTS_PER_EXERCISE.end()
            )
        })
    })
}

/// Every program of the course is built into one `target/debug/`, and a
/// test finds its program there by name.
pub fn program_names_are_unique_across_the_course(files: &CourseFiles) -> Vec<String> {
    let course = files.course;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for folder in ["exercises", "lessons"] {
        for lesson in &course.lessons {
            let bin_dir = course
                .root
                .join(folder)
                .join(&lesson.folder)
                .join("src/bin");
            let place = format!("{folder}/{}", lesson.folder);
            for name in files.file_names_in(&bin_dir) {
                let Some(program) = name.strip_suffix(".rs") else {
                    continue;
                };
                if let Some(earlier) = seen.insert(program.to_owned(), place.clone()) {
                    problems.push(format!(
                        "the program name {program} is used by {earlier} and {place}; names must \
                         be unique"
                    ));
                }
            }
        }
    }
    problems
}

pub fn known_bad_files_read(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    match files.variants(lesson) {
        Ok(_) => Vec::new(),
        Err(error) => vec![format!("{}: {error:#}", lesson.handle())],
    }
}

pub fn each_exercise_records_five_known_bad_variants(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let Ok(variants) = files.variants(lesson) else {
        return Vec::new();
    };
    each_exercise(lesson, |exercise| {
        let count = variants
            .iter()
            .filter(|variant| lesson.exercises[variant.exercise].id == exercise.id)
            .count();
        (count < KNOWN_BAD_PER_EXERCISE).then(|| {
            format!(
                "{count} known-bad variant(s) in solutions/{}/known-bad/{}.toml; an exercise \
                 records at least {KNOWN_BAD_PER_EXERCISE} plausible mistakes its tests catch",
                lesson.folder, exercise.id
            )
        })
    })
}

pub fn each_variant_names_a_test_of_its_exercise(
    files: &CourseFiles,
    lesson: &Lesson,
) -> Vec<String> {
    let Ok(variants) = files.variants(lesson) else {
        return Vec::new();
    };
    let exercise_crate = files.course.exercise_crate(lesson);
    variants
        .iter()
        .filter_map(|variant| {
            let exercise = &lesson.exercises[variant.exercise];
            let tests = files
                .read(&exercise_crate.join(&exercise.test))
                .unwrap_or_default();
            (!tests.contains(&format!("fn {}(", variant.caught_by))).then(|| {
                format!(
                    "{}: variant {} names caught_by = {:?}, which is no test in {}",
                    variant.defined_in.display(),
                    variant.id,
                    variant.caught_by,
                    exercise.test.display()
                )
            })
        })
        .collect()
}

pub fn each_variant_applies_to_the_solution(files: &CourseFiles, lesson: &Lesson) -> Vec<String> {
    let Ok(variants) = files.variants(lesson) else {
        return Vec::new();
    };
    let solution_crate = files.course.solution_crate(lesson);
    variants
        .iter()
        .filter_map(|variant| variant.apply(&solution_crate).err())
        .map(|error| format!("{error:#}"))
        .collect()
}

fn string_at(table: &toml::Table, keys: &[&str]) -> Option<String> {
    let (last, parents) = keys.split_last()?;
    let mut table = table;
    for key in parents {
        table = table.get(*key)?.as_table()?;
    }
    table.get(*last)?.as_str().map(str::to_owned)
}

fn table_keys(manifest: &toml::Table, section: &str) -> BTreeSet<String> {
    manifest
        .get(section)
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default()
}

/// `(name, path)` of each `[[test]]` in a solution manifest.
fn solution_test_targets(manifest: &toml::Table) -> Vec<(String, String)> {
    manifest
        .get("test")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|test| {
            let test = test.as_table()?;
            Some((
                test.get("name")?.as_str()?.to_owned(),
                test.get("path")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learners_files_are_those_under_an_exercise_crates_src() {
        assert!(is_learners(Path::new(
            "exercises/01-socket-basics/src/endpoint.rs"
        )));
        assert!(is_learners(Path::new(
            "exercises/01-socket-basics/src/bin/whoami.rs"
        )));
        assert!(!is_learners(Path::new(
            "exercises/01-socket-basics/tests/endpoint.rs"
        )));
        assert!(!is_learners(Path::new(
            "exercises/01-socket-basics/Cargo.toml"
        )));
        assert!(!is_learners(Path::new(
            "solutions/01-socket-basics/src/endpoint.rs"
        )));
    }

    #[test]
    fn every_rule_has_its_own_name() {
        let names: BTreeSet<&str> = RULES.iter().map(|rule| rule.name).collect();
        assert_eq!(names.len(), RULES.len());
    }
}
