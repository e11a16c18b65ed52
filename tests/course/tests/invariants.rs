//! The course's rules (`xtask::rules`, listed in CONTRIBUTING.md), enforced
//! by `cargo test` rather than by memory. `cargo xtask verify` runs the same
//! rules, then builds and runs the tests.
//!
//! A learner runs `cargo test` too, in a tree where they have edited their
//! exercises; the rules read those files as `course.lock` records them, so
//! that nothing the learner is meant to edit can fail these tests.

use std::fs;
use std::path::{Path, PathBuf};
use xtask::course::Course;
use xtask::rules::{self, CourseFiles};
use xtask::scratch;

fn course_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the course root exists")
}

#[test]
fn the_course_follows_its_rules() {
    let root = course_root();
    let course = Course::load(&root).expect("every lesson.toml parses");
    let files = CourseFiles::as_released(&course, &root).expect("course.lock can be read");
    let problems = rules::problems(&files);
    assert!(
        problems.is_empty(),
        "the course breaks its rules:\n- {}",
        problems.join("\n- ")
    );
}

/// A copy of the course's manifests, crates and record, as a learner's
/// checkout holds them, in a fresh folder.
struct CourseCopy {
    root: PathBuf,
}

impl CourseCopy {
    fn new(name: &str) -> CourseCopy {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("course-copy-{name}-{}", std::process::id()));
        if root.exists() {
            fs::remove_dir_all(&root).expect("clearing an old copy");
        }
        let mut files = scratch::FileSet::new();
        for folder in ["lessons", "exercises", "solutions"] {
            let tree =
                scratch::tree_files(&course_root().join(folder)).expect("reading the course");
            files.extend(
                tree.into_iter()
                    .map(|(file, content)| (Path::new(folder).join(file), content)),
            );
        }
        let record = xtask::release::RECORD;
        let content = fs::read(course_root().join(record)).expect("reading course.lock");
        files.insert(record.into(), content);
        scratch::sync(&root, &files).expect("writing the copy");
        CourseCopy { root }
    }

    fn write(&self, relative: &str, content: &str) {
        let path = self.root.join(relative);
        fs::create_dir_all(path.parent().expect("a file has a folder")).expect("creating a folder");
        fs::write(path, content).expect("writing a file of the copy");
    }
}

impl Drop for CourseCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

#[test]
fn a_learners_solved_half_solved_and_broken_exercises_break_no_rule() {
    if xtask::release::current_blobs(&course_root()).is_err() {
        // A download without git history: the released files cannot be
        // told from the learner's, and the rules read them from disk.
        eprintln!("skipped: the course is not a git checkout");
        return;
    }
    let copy = CourseCopy::new("learner");
    let lesson = "exercises/01-socket-basics/src";
    // Solved: the reference copied over the stub.
    let solved =
        fs::read_to_string(course_root().join("solutions/01-socket-basics/src/endpoint.rs"))
            .expect("reading the reference");
    copy.write(&format!("{lesson}/endpoint.rs"), &solved);
    // Half-solved: the task statement replaced by the learner's notes, one
    // function renamed while they work on it, a helper module of their own.
    let stub = fs::read_to_string(course_root().join(format!("{lesson}/resolve.rs")))
        .expect("reading a stub");
    let half_solved = stub
        .replacen("//!", "// my notes:", 1)
        .replace("pub fn ", "pub fn my_");
    copy.write(&format!("{lesson}/resolve.rs"), &half_solved);
    let lib =
        fs::read_to_string(course_root().join(format!("{lesson}/lib.rs"))).expect("reading lib.rs");
    copy.write(
        &format!("{lesson}/lib.rs"),
        &format!("{lib}\nmod my_helpers;\n"),
    );
    copy.write(&format!("{lesson}/my_helpers.rs"), "pub fn help() {}\n");
    // Broken: does not compile, and an exercise file deleted.
    copy.write(
        &format!("{lesson}/listener.rs"),
        "pub fn bind_listener( {\n",
    );
    fs::remove_file(copy.root.join(format!("{lesson}/whoami.rs"))).expect("deleting a file");
    // A program of their own, named like one of lesson 1's demos.
    let demo = fs::read_dir(course_root().join("lessons/01-socket-basics/src/bin"))
        .expect("lesson 1 has demos")
        .flatten()
        .next()
        .expect("lesson 1 has a demo")
        .file_name();
    copy.write(
        &format!("{lesson}/bin/{}", demo.to_string_lossy()),
        "fn main() {}\n",
    );

    let course = Course::load(&copy.root).expect("the copy's manifests parse");
    let as_on_disk = rules::problems(&CourseFiles::as_on_disk(&course));
    for rule in [
        "each_exercise_file_states_its_task",
        "each_listed_function_is_in_its_exercise_file",
        "lib_rs_is_the_same_map_in_exercise_and_solution",
        "program_names_are_unique_across_the_course",
    ] {
        assert!(
            as_on_disk
                .iter()
                .any(|problem| problem.ends_with(&format!("[{rule}]"))),
            "the learner's edits, read from disk, break {rule}; they should, or this test \
             proves nothing. Found:\n- {}",
            as_on_disk.join("\n- ")
        );
    }
    let files = CourseFiles::as_released(&course, &course_root()).expect("course.lock can be read");
    let problems = rules::problems(&files);
    assert!(
        problems.is_empty(),
        "a learner's edits break the course's rules as `cargo test` checks them:\n- {}",
        problems.join("\n- ")
    );
}
