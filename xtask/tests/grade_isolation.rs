//! `grade` against students who try to reach the graded build: their cargo
//! configuration, a toolchain file, a build script, an edited manifest,
//! flags in the environment. Each attempt gains nothing and is named in
//! the report. Then a second grade reuses the first's build, and a class
//! of twenty is graded in one command.
//!
//! Every student here grades lesson 1 only (`--lesson lesson1`), in one
//! `--work` folder shared by the tests, so the course is built once.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

const LESSON: &str = "exercises/01-socket-basics";

/// A student who solved exercise 1 of lesson 1 and nothing else: the
/// true grade is 10 of lesson 1's 60 points.
fn student_with_exercise_1_solved() -> Workspace {
    let student = Workspace::copy();
    fs::copy(
        student.path("solutions/01-socket-basics/src/endpoint.rs"),
        student.path(&format!("{LESSON}/src/endpoint.rs")),
    )
    .expect("copying the solution of exercise 1");
    student
}

/// Scripts a forger points cargo at, each leaving a mark when it runs, in a
/// folder outside the student's copy.
struct Forgery {
    dir: PathBuf,
}

impl Forgery {
    fn new(student: &Workspace) -> Forgery {
        let dir = student.root.with_extension("forgery");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("creating the forger's folder");
        let forgery = Forgery { dir };
        forgery.script("rustc-wrapper", "exec \"$@\"");
        forgery.script("linker", "exec cc \"$@\"");
        forgery.script(
            "runner",
            "echo 'test result: ok. 1 passed; 0 failed'\nexit 0",
        );
        forgery
    }

    /// A build script at `path` that leaves the `build-script` mark.
    fn build_script_at(&self, path: &Path) {
        let mark = self.dir.join("build-script-ran");
        fs::write(
            path,
            format!("fn main() {{ std::fs::write({mark:?}, \"\").unwrap(); }}\n"),
        )
        .expect("writing a forger's build script");
    }

    fn script(&self, name: &str, then: &str) {
        let path = self.dir.join(name);
        let mark = self.dir.join(format!("{name}-ran"));
        fs::write(
            &path,
            format!("#!/bin/sh\ntouch '{}'\n{then}\n", mark.display()),
        )
        .expect("writing a forger's script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .expect("making a forger's script executable");
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// A mark left by something the build ran.
    fn ran(&self, name: &str) -> bool {
        self.dir.join(format!("{name}-ran")).exists()
    }

    fn assert_nothing_ran(&self) {
        let marks: Vec<_> = fs::read_dir(&self.dir)
            .expect("listing the forger's folder")
            .map(|entry| entry.expect("an entry").file_name())
            .filter(|name| name.to_string_lossy().ends_with("-ran"))
            .collect();
        assert!(
            marks.is_empty(),
            "the graded build ran the student's tools: {marks:?}"
        );
    }
}

impl Drop for Forgery {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `grade --lesson lesson1 --format json` of `student` against `course`,
/// run from the student's folder (as a workflow that starts in the
/// student's checkout does), with `env` added; its report.
fn grade_json(student: &Workspace, course: &Workspace, env: &[(&str, &str)]) -> serde_json::Value {
    let course_arg = course.root.to_string_lossy().into_owned();
    let mut command = student.xtask(&[
        "grade",
        "--work",
        &grade_work(),
        "--course",
        &course_arg,
        "--lesson",
        "lesson1",
        "--format",
        "json",
    ]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.assert().code(1).get_output().clone();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "the report is JSON ({error}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The true grade: exercise 1 alone, 10 of lesson 1's 60 points.
fn assert_true_grade(report: &serde_json::Value) {
    assert_eq!(report["max_points"], 60, "lesson 1 alone: {report:#}");
    assert_eq!(report["points"], 10, "exercise 1 alone passes: {report:#}");
    assert_eq!(report["lessons"][0]["exercises"][0]["points"], 10);
}

/// The edit of `path`, which the report must name as configuration it did
/// not use.
fn assert_named_as_ignored(report: &serde_json::Value, path: &str, change: &str) {
    let edit = report["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .find(|edit| edit["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the edits: {:#}", report["edits"]));
    assert_eq!(edit["change"], change, "{edit:#}");
    assert!(
        edit["ignored_configuration"]
            .as_str()
            .is_some_and(|what| what.contains("not")),
        "{path} is named as configuration that was not used: {edit:#}"
    );
}

#[test]
fn a_students_cargo_configuration_is_not_read() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    let forgery = Forgery::new(&student);
    // A runner would replace `cargo run`; a wrapper and a linker run
    // whatever the student likes during the build.
    student.edit(".cargo/config.toml", |text| {
        format!(
            "{text}\n[build]\nrustc-wrapper = \"{}\"\nrustflags = [\"-C\", \"linker={}\"]\n\n\
             [target.'cfg(all())']\nrunner = \"{}\"\n\n[env]\nNETLINGS_FORGED = \"1\"\n",
            forgery.path("rustc-wrapper"),
            forgery.path("linker"),
            forgery.path("runner"),
        )
    });
    let report = grade_json(&student, &course, &[]);
    forgery.assert_nothing_ran();
    assert_true_grade(&report);
    assert_named_as_ignored(&report, ".cargo/config.toml", "modified");
}

#[test]
fn a_students_toolchain_file_is_not_read() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    // A toolchain that is not installed: rustup, if it read the file, would
    // refuse to build at all.
    fs::write(
        student.path("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"netlings-forged\"\n",
    )
    .unwrap();
    let report = grade_json(&student, &course, &[]);
    assert_true_grade(&report);
    assert_named_as_ignored(&report, "rust-toolchain.toml", "added");
}

#[test]
fn a_build_script_added_to_an_exercise_crate_is_not_built() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    let forgery = Forgery::new(&student);
    forgery.build_script_at(&student.path(&format!("{LESSON}/build.rs")));
    let report = grade_json(&student, &course, &[]);
    assert!(!forgery.ran("build-script"), "the build script ran");
    assert_true_grade(&report);
    assert_named_as_ignored(&report, &format!("{LESSON}/build.rs"), "added");
}

#[test]
fn an_edited_exercise_manifest_is_not_read() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    let forgery = Forgery::new(&student);
    // The build script hides in src/, which is copied into the graded
    // build; only the student's Cargo.toml names it.
    forgery.build_script_at(&student.path(&format!("{LESSON}/src/forge_build.rs")));
    student.edit(&format!("{LESSON}/Cargo.toml"), |text| {
        text.replacen(
            "[package]\n",
            "[package]\nbuild = \"src/forge_build.rs\"\n",
            1,
        )
    });
    let report = grade_json(&student, &course, &[]);
    assert!(!forgery.ran("build-script"), "the build script ran");
    assert_true_grade(&report);
    assert_named_as_ignored(&report, &format!("{LESSON}/Cargo.toml"), "modified");
}

#[test]
fn flags_in_the_environment_of_grade_do_not_reach_the_build() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    let forgery = Forgery::new(&student);
    let linker = format!("-C linker={}", forgery.path("linker"));
    let report = grade_json(
        &student,
        &course,
        &[
            ("RUSTFLAGS", &linker),
            ("RUSTC_WRAPPER", &forgery.path("rustc-wrapper")),
            ("CARGO_BUILD_RUSTC_WRAPPER", &forgery.path("rustc-wrapper")),
            (
                "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
                &forgery.path("linker"),
            ),
            ("RUSTUP_TOOLCHAIN", "netlings-forged"),
        ],
    );
    forgery.assert_nothing_ran();
    assert_true_grade(&report);
}

/// cargo's progress lines that say it compiled something.
fn compiled(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.trim_start().starts_with("Compiling"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_second_grade_reuses_the_build_of_the_first() {
    let student = student_with_exercise_1_solved();
    let course = student.another_copy();
    let course_arg = course.root.to_string_lossy().into_owned();
    let args = [
        "grade",
        "--work",
        &grade_work(),
        "--course",
        &course_arg,
        "--lesson",
        "lesson1",
    ];
    let started = Instant::now();
    student.xtask(&args).assert().code(1);
    let first = started.elapsed();
    // The same copy again, as `cargo run` would start the runner: with
    // cargo's variables set (ring's build script watches one of them).
    let started = Instant::now();
    let again = student
        .xtask(&args)
        .env("CARGO_MANIFEST_DIR", course.path("xtask"))
        .env("CARGO_PKG_NAME", "xtask")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let second = started.elapsed();
    assert_eq!(compiled(&again), Vec::<String>::new(), "nothing is rebuilt");
    // Another copy with the same files, at another path, written later.
    let twin = student.another_copy();
    fs::copy(
        student.path(&format!("{LESSON}/src/endpoint.rs")),
        twin.path(&format!("{LESSON}/src/endpoint.rs")),
    )
    .unwrap();
    let twin_output = twin.xtask(&args).assert().code(1).get_output().clone();
    assert_eq!(
        compiled(&twin_output),
        Vec::<String>::new(),
        "the same files at another path rebuild nothing"
    );
    eprintln!(
        "grade of lesson 1: {:.1} s, then {:.1} s for the same copy",
        first.as_secs_f64(),
        second.as_secs_f64()
    );
}

#[test]
fn the_graded_build_never_lives_inside_the_students_copy() {
    let student = Workspace::copy();
    let course = student.another_copy();
    let course_arg = course.root.to_string_lossy().into_owned();
    let inside = student.path("target/grade").to_string_lossy().into_owned();
    student
        .xtask(&["grade", "--course", &course_arg, "--work", &inside])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("inside the student's copy"));
}

#[test]
fn a_class_of_twenty_is_graded_in_one_command() {
    let first = Workspace::copy();
    let course = first.another_copy();
    let mut students = vec![first];
    while students.len() < 20 {
        students.push(students[0].another_copy());
    }
    let solution = course.path("solutions/01-socket-basics/src");
    for (index, student) in students.iter().enumerate() {
        if index % 2 == 0 {
            copy_over(&solution, &student.path(&format!("{LESSON}/src")));
        }
    }
    // One student also tries a cargo configuration of their own.
    fs::write(students[3].path("rust-toolchain.toml"), "[toolchain]\n").unwrap();
    let out = students[0].root.with_extension("class");
    let _ = fs::remove_dir_all(&out);
    let out_arg = out.to_string_lossy().into_owned();
    let course_arg = course.root.to_string_lossy().into_owned();
    let work = grade_work();
    let mut args = vec![
        "grade",
        "--work",
        &work,
        "--course",
        &course_arg,
        "--lesson",
        "lesson1",
        "--out",
        &out_arg,
        "--students",
    ];
    let paths: Vec<String> = students
        .iter()
        .map(|student| student.root.to_string_lossy().into_owned())
        .collect();
    args.extend(paths.iter().map(String::as_str));

    let started = Instant::now();
    let graded = students[0]
        .xtask(&args)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&graded.stderr).into_owned();

    let csv = fs::read_to_string(out.join("class.csv")).expect("class.csv");
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("student,points,max_points,lesson1,edits,flags,error")
    );
    let rows: Vec<Vec<&str>> = rows.map(|row| row.split(',').collect()).collect();
    assert_eq!(rows.len(), 20, "{csv}");
    for (index, (row, student)) in rows.iter().zip(&students).enumerate() {
        let id = file_name(&student.root);
        assert_eq!(row[0], id, "rows follow the order given: {csv}");
        let points = if index % 2 == 0 { "60" } else { "0" };
        assert_eq!(row[1..4], [points, "60", points], "{id}: {csv}");
        let edits = if index == 3 {
            "added rust-toolchain.toml"
        } else {
            ""
        };
        assert_eq!(row[4], edits, "{id}: {csv}");
        let report: serde_json::Value = serde_json::from_slice(
            &fs::read(out.join("students").join(format!("{id}.json"))).expect("a student's JSON"),
        )
        .expect("a student's JSON parses");
        assert_eq!(report["points"].to_string(), points, "{id}");
    }
    let markdown = fs::read_to_string(out.join("class.md")).expect("class.md");
    assert!(
        markdown.contains("⚠ `added rust-toolchain.toml`"),
        "{markdown}"
    );
    assert_eq!(String::from_utf8_lossy(&graded.stdout), markdown);
    fs::remove_dir_all(&out).unwrap();
    eprintln!(
        "a class of 20, lesson 1: {:.1} s in all\n{stderr}",
        took.as_secs_f64()
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a copy has a name")
        .to_string_lossy()
        .into_owned()
}
