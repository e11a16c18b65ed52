//! The course's conventions, enforced by a test rather than by memory: every
//! manifest entry exists on disk, every test file belongs to an exercise,
//! every exercise file states its task, solutions and exercises agree.
//! (`cargo xtask verify` runs the same checks, then runs the tests.)

use std::path::Path;
use xtask::conventions;
use xtask::course::Course;

fn course() -> Course {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Course::load(&root.canonicalize().expect("the course root exists"))
        .expect("every lesson.toml parses")
}

#[test]
fn the_tree_follows_the_courses_conventions() {
    let problems = conventions::problems(&course()).expect("the course can be read");
    assert!(
        problems.is_empty(),
        "the course breaks its conventions:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn lessons_are_numbered_from_one_without_gaps() {
    let numbers: Vec<u32> = course()
        .lessons
        .iter()
        .map(|lesson| lesson.number)
        .collect();
    let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
    assert_eq!(
        numbers, expected,
        "lessons must be numbered 1, 2, 3, ... with no gaps"
    );
}

#[test]
fn every_exercise_has_two_or_three_hints() {
    for lesson in course().lessons {
        for exercise in &lesson.exercises {
            assert!(
                (2..=3).contains(&exercise.hints.len()),
                "{}/{} ({}) has {} hints; give two or three, from a nudge to nearly the answer",
                lesson.handle(),
                exercise.number,
                exercise.id,
                exercise.hints.len()
            );
        }
    }
}

#[test]
fn every_program_name_is_unique_across_the_course() {
    let course = course();
    let mut seen = std::collections::BTreeMap::new();
    for folder in ["exercises", "lessons"] {
        for lesson in &course.lessons {
            let bin_dir = course
                .root
                .join(folder)
                .join(&lesson.folder)
                .join("src/bin");
            let Ok(entries) = std::fs::read_dir(&bin_dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry
                    .path()
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let place = format!("{folder}/{}", lesson.folder);
                if let Some(earlier) = seen.insert(name.clone(), place.clone()) {
                    panic!(
                        "the program name {name} is used by {earlier} and {place}; names must be unique"
                    );
                }
            }
        }
    }
}
