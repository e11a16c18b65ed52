//! The course's conventions, checked against the tree: what `verify` reports
//! before it runs anything, and what the workspace tests assert, so that the
//! conventions are enforced by a test and not by memory.

use crate::course::{Course, Lesson};
use crate::known_bad::load_variants;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// How many plausible mistakes each exercise records as known-bad variants,
/// at least: the course's own evidence that its tests reject wrong answers.
const KNOWN_BAD_PER_EXERCISE: usize = 5;

/// Every way the tree disagrees with the manifests and conventions, one
/// sentence each; empty when all is well.
pub fn problems(course: &Course) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for lesson in &course.lessons {
        lesson_problems(course, lesson, &mut problems)?;
    }
    Ok(problems)
}

fn lesson_problems(course: &Course, lesson: &Lesson, problems: &mut Vec<String>) -> Result<()> {
    let exercise_crate = course.exercise_crate(lesson);
    let solution_crate = course.solution_crate(lesson);
    let handle = lesson.handle();
    for (path, what) in [
        (course.chapter(lesson), "the lesson text"),
        (exercise_crate.join("Cargo.toml"), "the exercise crate"),
        (solution_crate.join("Cargo.toml"), "the solution crate"),
    ] {
        if !path.is_file() {
            problems.push(format!(
                "{handle}: {what} {} is missing",
                course.relative(&path).display()
            ));
        }
    }
    if !exercise_crate.join("Cargo.toml").is_file() || !solution_crate.join("Cargo.toml").is_file()
    {
        return Ok(());
    }

    let exercise_manifest = read_manifest(&exercise_crate.join("Cargo.toml"))?;
    let solution_manifest = read_manifest(&solution_crate.join("Cargo.toml"))?;
    let exercise_package = string_at(&exercise_manifest, &["package", "name"]);
    if exercise_package.as_deref() != Some(lesson.package().as_str()) {
        problems.push(format!(
            "{handle}: the exercise crate's package must be named {}",
            lesson.package()
        ));
    }
    if string_at(&solution_manifest, &["package", "name"]).as_deref()
        != Some(lesson.solution_package().as_str())
    {
        problems.push(format!(
            "{handle}: the solution crate's package must be named {}",
            lesson.solution_package()
        ));
    }
    if string_at(&solution_manifest, &["lib", "name"]).as_deref() != Some(lesson.package().as_str())
    {
        problems.push(format!(
            "{handle}: the solution's [lib] must be named {} so the same tests compile against it",
            lesson.package()
        ));
    }
    for section in ["dependencies", "dev-dependencies"] {
        let learner = table_keys(&exercise_manifest, section);
        for dependency in table_keys(&solution_manifest, section).difference(&learner) {
            problems.push(format!(
                "{handle}: the solution uses {dependency} ({section}) but the exercise crate does not declare it; \
                 learners never edit Cargo.toml"
            ));
        }
    }
    let exercise_lib = fs::read_to_string(exercise_crate.join("src/lib.rs")).unwrap_or_default();
    let solution_lib = fs::read_to_string(solution_crate.join("src/lib.rs")).unwrap_or_default();
    if exercise_lib != solution_lib {
        problems.push(format!(
            "{handle}: exercises/{0}/src/lib.rs and solutions/{0}/src/lib.rs differ; they are the same map of modules",
            lesson.folder
        ));
    }

    let solution_tests = solution_test_targets(&solution_manifest);
    for exercise in &lesson.exercises {
        let name = format!("{handle}/{} ({})", exercise.number, exercise.id);
        let file = exercise_crate.join(&exercise.file);
        match fs::read_to_string(&file) {
            Err(_) => problems.push(format!(
                "{name}: {} is missing",
                course.relative(&file).display()
            )),
            Ok(source) => {
                if !source.starts_with("//!") {
                    problems.push(format!(
                        "{name}: {} must start with a //! statement of the task",
                        course.relative(&file).display()
                    ));
                }
                for function in &exercise.functions {
                    let bare = function.rsplit("::").next().unwrap_or(function);
                    if !source.contains(&format!("fn {bare}("))
                        && !source.contains(&format!("fn {bare}<"))
                    {
                        problems.push(format!(
                            "{name}: the manifest names {function}, but {} has no fn {bare}",
                            course.relative(&file).display()
                        ));
                    }
                }
            }
        }
        if !solution_crate.join(&exercise.file).is_file() {
            problems.push(format!(
                "{name}: the solution has no {}",
                exercise.file.display()
            ));
        }
        let test = exercise_crate.join(&exercise.test);
        match fs::read_to_string(&test) {
            Err(_) => problems.push(format!(
                "{name}: {} is missing",
                course.relative(&test).display()
            )),
            Ok(source) => {
                if source.contains("#[should_panic") {
                    problems.push(format!(
                        "{name}: {} uses #[should_panic], which passes against a todo!() stub",
                        course.relative(&test).display()
                    ));
                }
            }
        }
        let expected_path = format!(
            "../../exercises/{}/{}",
            lesson.folder,
            exercise.test.display()
        );
        match solution_tests.iter().find(|(target, _)| *target == exercise.test_target()) {
            Some((_, path)) if *path == expected_path => {}
            _ => problems.push(format!(
                "{name}: the solution's Cargo.toml needs [[test]] name = \"{}\", path = \"{expected_path}\"",
                exercise.test_target()
            )),
        }
    }

    let manifest_tests: BTreeSet<String> = lesson
        .exercises
        .iter()
        .map(|exercise| exercise.test_target())
        .collect();
    if let Ok(entries) = fs::read_dir(exercise_crate.join("tests")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                let stem = path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                if !manifest_tests.contains(&stem) {
                    problems.push(format!(
                        "{handle}: {} belongs to no exercise in lessons/{}/lesson.toml",
                        course.relative(&path).display(),
                        lesson.folder
                    ));
                }
            }
        }
    }
    for (target, _) in &solution_tests {
        if !manifest_tests.contains(target) {
            problems.push(format!(
                "{handle}: the solution's [[test]] {target} belongs to no exercise"
            ));
        }
    }

    match load_variants(course, lesson) {
        Err(error) => problems.push(format!("{handle}: {error:#}")),
        Ok(variants) => {
            for (index, exercise) in lesson.exercises.iter().enumerate() {
                let count = variants
                    .iter()
                    .filter(|variant| variant.exercise == index)
                    .count();
                if count < KNOWN_BAD_PER_EXERCISE {
                    problems.push(format!(
                        "{handle}/{} ({}): {count} known-bad variant(s) in solutions/{}/known-bad/{}.toml; \
                         an exercise records at least {KNOWN_BAD_PER_EXERCISE} plausible mistakes its tests catch",
                        exercise.number, exercise.id, lesson.folder, exercise.id
                    ));
                }
            }
            for variant in &variants {
                let exercise = &lesson.exercises[variant.exercise];
                let tests =
                    fs::read_to_string(exercise_crate.join(&exercise.test)).unwrap_or_default();
                if !tests.contains(&format!("fn {}(", variant.caught_by)) {
                    problems.push(format!(
                        "{}: variant {} names caught_by = {:?}, which is no test in {}",
                        variant.defined_in.display(),
                        variant.id,
                        variant.caught_by,
                        exercise.test.display()
                    ));
                }
                if let Err(error) = variant.apply(&solution_crate) {
                    problems.push(format!("{error:#}"));
                }
            }
        }
    }
    Ok(())
}

fn read_manifest(path: &Path) -> Result<toml::Table> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse()
        .with_context(|| format!("parsing {}", path.display()))
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
