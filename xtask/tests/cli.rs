//! The runner, tested through its command line on throwaway copies of the
//! workspace (see `common`), never on the learner's own files.

mod common;

use common::*;
use predicates::prelude::*;
use std::fs;
use std::time::{Duration, Instant};

/// Replaces every `todo!(..)` of a learner's file with what a student gaming
/// the runner would write: libtest's success line, on stdout and stderr, then
/// `exit(0)` before the test can fail.
fn forge_passing_output(text: String) -> String {
    let header_end = text
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .map(|line| line.len() + 1)
        .sum::<usize>();
    let forge = "\nmacro_rules! forge {\n    ($($any:tt)*) => {{\n        \
                 println!(\"\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\\n\");\n        \
                 eprintln!(\"\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\\n\");\n        \
                 std::process::exit(0)\n    }};\n}\n";
    let (header, rest) = text.split_at(header_end);
    format!("{header}{forge}{}", rest.replace("todo!(", "forge!("))
}

#[test]
fn check_on_the_stubs_fails_and_names_the_file_to_edit() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["check", "lesson1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Lesson 1 · Socket basics"))
        .stdout(predicate::str::contains("✗ lesson1/1 endpoint"))
        .stdout(predicate::str::contains(
            "First failure: lesson1/1 endpoint, test parses_an_ipv4_tcp_endpoint",
        ))
        .stdout(predicate::str::contains(
            "Edit exercises/01-socket-basics/src/endpoint.rs",
        ))
        .stdout(predicate::str::contains("not yet implemented"))
        .stdout(predicate::str::contains(
            "Stuck? `cargo xtask hint lesson1/1`",
        ))
        .stdout(predicate::str::contains("cargo xtask check lesson1/1"));
}

#[test]
fn check_passes_once_the_solution_is_copied_over_the_stubs() {
    let workspace = Workspace::copy();
    copy_over(
        &workspace.path("solutions/01-socket-basics/src"),
        &workspace.path("exercises/01-socket-basics/src"),
    );
    workspace
        .xtask(&["check", "lesson1"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("✓ lesson1/1 endpoint"))
        .stdout(predicate::str::contains("Lesson 1 is done"));
    // Every exercise of lesson 1 is now recorded as passed.
    workspace
        .xtask(&["list"])
        .assert()
        .code(0)
        .stdout(predicate::function(|out: &str| {
            let lesson1: Vec<&str> = out
                .lines()
                .filter(|line| line.contains(" lesson1/"))
                .collect();
            !lesson1.is_empty() && lesson1.iter().all(|line| line.ends_with("passed"))
        }));
    // The lesson is now recorded as passed: `check` alone moves on to the
    // next lesson without rebuilding this one.
    workspace
        .xtask(&["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "✓ lesson1 Socket basics: passed at your last check",
        ))
        .stdout(predicate::str::contains("Lesson 2 · "));
    workspace
        .xtask(&["solution", "lesson1/1", "--diff"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Your file is the same as the reference.",
        ));
}

#[test]
fn solution_stays_hidden_until_the_exercise_passes_unless_forced() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["solution", "lesson1/1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "lesson1/1 endpoint does not pass yet",
        ))
        .stdout(predicate::str::contains("fn explain_bad_address").not());
    workspace
        .xtask(&["solution", "lesson1/1", "--force"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Reference solution for lesson1/1 endpoint",
        ))
        .stdout(predicate::str::contains("fn explain_bad_address"));
    workspace
        .xtask(&["solution", "lesson1/1", "--force", "--diff"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("- ").and(predicate::str::contains("+ ")))
        .stdout(predicate::str::contains("todo!("));
    workspace
        .xtask(&["solution", "lesson1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name one exercise"));
}

#[test]
fn check_one_exercise_runs_only_that_exercise() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["check", "1/endpoint"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("lesson1/1 endpoint"))
        .stdout(predicate::function(|out: &str| {
            out.matches(" points").count() == 1
        }))
        .stdout(predicate::str::contains(
            "more test(s) of lesson1/1 fail.\n  `cargo xtask check lesson1/1 --all` shows every failing test's message",
        ))
        .stdout(predicate::str::contains("Also failing:").not());
    let every_failure = workspace
        .xtask(&["check", "1/endpoint", "--all"])
        .assert()
        .code(1);
    let output = String::from_utf8_lossy(&every_failure.get_output().stdout).into_owned();
    let tests = output
        .split_whitespace()
        .find_map(|word| word.strip_prefix("0/"))
        .and_then(|count| count.parse::<usize>().ok())
        .expect("the exercise line counts its tests");
    let shown = output.matches("First failure:").count() + output.matches("Also failing:").count();
    assert!(
        tests > 1 && shown == tests,
        "--all shows the message of every failing test ({tests}): {output}"
    );
}

#[test]
fn check_without_a_lesson_checks_the_first_unfinished_one() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Lesson 1 · Socket basics"));
}

#[test]
fn an_unknown_lesson_exits_2_and_lists_the_valid_ones() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["check", "lesson99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no lesson \"lesson99\""))
        .stderr(predicate::str::contains("lesson1"))
        .stderr(predicate::str::contains("Socket basics"));
    workspace
        .xtask(&["check", "lesson1/nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lesson lesson1 has no exercise \"nosuch\"",
        ))
        .stderr(predicate::str::contains("lesson1/1"));
}

#[test]
fn a_bad_flag_exits_2() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["check", "--no-such-flag"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-such-flag"));
}

#[test]
fn a_malformed_manifest_exits_2_and_says_where() {
    let workspace = Workspace::copy();
    workspace.edit("lessons/01-socket-basics/lesson.toml", |text| {
        text.replacen("points = 10", "points = \"ten\"", 1)
    });
    workspace
        .xtask(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lessons/01-socket-basics/lesson.toml, exercise 1",
        ))
        .stderr(predicate::str::contains("`points` must be a whole number"));
    fs::write(
        workspace.path("lessons/01-socket-basics/lesson.toml"),
        "title = [",
    )
    .unwrap();
    workspace
        .xtask(&["check", "lesson1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "parsing lessons/01-socket-basics/lesson.toml",
        ));
}

#[test]
fn code_that_does_not_compile_shows_the_compiler_errors() {
    let workspace = Workspace::copy();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text.replacen(
            "pub fn port_class(port: u16) -> PortClass {",
            "pub fn port_class(port: u16) -> PortClass {\n    let broken: u32 = \"text\";",
            1,
        )
    });
    workspace
        .xtask(&["check", "lesson1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("does not compile yet"))
        .stdout(predicate::str::contains("error[E0308]: mismatched types"))
        .stdout(predicate::str::contains("src/endpoint.rs"));
}

#[test]
fn a_hanging_exercise_is_stopped_and_reported_by_name() {
    let workspace = Workspace::copy();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text.replacen(
            "todo!(\"match the port against the ranges listed on PortClass\")",
            "loop {\n        std::hint::spin_loop();\n    }",
            1,
        )
    });
    // Build first, so that the timing below measures the tests only.
    workspace
        .xtask(&["check", "lesson1/1", "--deadline", "3"])
        .assert()
        .code(1);
    let started = Instant::now();
    workspace
        .xtask(&["check", "lesson1/1", "--deadline", "3"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("⏱ lesson1/1 endpoint"))
        .stdout(predicate::str::contains(
            "test classifies_ports_by_range never finished: stopped after 3s",
        ));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a hanging test must be stopped at its deadline; check took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_forged_test_result_and_an_exit_pass_no_test() {
    let workspace = Workspace::copy();
    workspace.edit(
        "exercises/01-socket-basics/src/endpoint.rs",
        forge_passing_output,
    );
    workspace
        .xtask(&["check", "lesson1/1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗ lesson1/1 endpoint"))
        .stdout(predicate::str::contains(
            "your code ended the test process with exit code 0 before the test finished",
        ))
        .stdout(predicate::str::contains("✓ lesson1/1").not());
}

#[test]
fn list_shows_every_lesson_and_exercise() {
    let workspace = Workspace::copy();
    workspace
        .xtask(&["list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("lesson1  Socket basics"))
        .stdout(predicate::str::contains("lesson1/1 endpoint"))
        .stdout(predicate::str::contains("not checked yet"));
}

#[test]
fn a_corrupt_progress_file_is_reported_and_ignored() {
    let workspace = Workspace::copy();
    fs::create_dir_all(workspace.path(".netlings")).unwrap();
    fs::write(workspace.path(".netlings/progress.toml"), "[[[ not toml").unwrap();
    workspace
        .xtask(&["list"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("is not valid; starting afresh"))
        .stdout(predicate::str::contains("not checked yet"));
}

#[test]
fn a_deleted_manifest_or_test_file_is_named_with_the_way_back() {
    let workspace = Workspace::copy();
    fs::remove_file(workspace.path("exercises/01-socket-basics/tests/endpoint.rs")).unwrap();
    workspace
        .xtask(&["check", "lesson1/1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "exercises/01-socket-basics/tests/endpoint.rs is gone",
        ))
        .stderr(predicate::str::contains(
            "git checkout -- exercises/01-socket-basics/tests/endpoint.rs",
        ));
    fs::remove_file(workspace.path("lessons/01-socket-basics/lesson.toml")).unwrap();
    workspace
        .xtask(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lessons/01-socket-basics has no lesson.toml",
        ))
        .stderr(predicate::str::contains(
            "git checkout -- lessons/01-socket-basics/lesson.toml",
        ));
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_stops_the_runner_and_every_test_it_started() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let workspace = Workspace::copy();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text.replacen(
            "todo!(\"match the port against the ranges listed on PortClass\")",
            "loop {\n        std::thread::park();\n    }",
            1,
        )
    });
    let mut runner = EndedOnDrop(
        workspace
            .runner(&["check", "lesson1/1", "--deadline", "600"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the runner"),
    );
    // cargo's "Finished" line on stderr: the build is over and the tests
    // start right after it.
    let stderr = BufReader::new(runner.stderr.take().unwrap());
    let mut lines = stderr.lines();
    for line in lines.by_ref() {
        if line
            .expect("reading the runner's stderr")
            .contains("Finished")
        {
            break;
        }
    }
    let hanging_test =
        || running_endpoint_tests().contains(&"classifies_ports_by_range".to_owned());
    let started = Instant::now();
    while !hanging_test() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the hanging test never started"
        );
        std::thread::yield_now();
    }

    press_ctrl_c(&runner);
    let interrupted = Instant::now();
    let status = loop {
        if let Some(status) = runner.try_wait().expect("waiting for the runner") {
            break status;
        }
        assert!(
            interrupted.elapsed() < Duration::from_secs(10),
            "the runner ignored Ctrl-C"
        );
        std::thread::yield_now();
    };
    assert_eq!(
        status.code(),
        Some(130),
        "after Ctrl-C the runner exits with 130"
    );
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter()
            .any(|line| line.contains("interrupted: stopped")),
        "{rest:?}"
    );
    assert_eq!(
        running_endpoint_tests(),
        Vec::<String>::new(),
        "test processes outlived the runner"
    );
}

/// Sends SIGINT to the runner, as Ctrl-C in its terminal would.
#[cfg(target_os = "linux")]
fn press_ctrl_c(runner: &std::process::Child) {
    let pid = libc::pid_t::try_from(runner.id()).expect("a pid fits pid_t");
    // SAFETY: kill(2) on a child process this test started.
    unsafe { libc::kill(pid, libc::SIGINT) };
}

/// The names of the lesson 1 endpoint tests whose processes run from the
/// shared target directory (one test at a time uses it).
#[cfg(target_os = "linux")]
fn running_endpoint_tests() -> Vec<String> {
    let target = shared_target_dir();
    let mut tests = Vec::new();
    for entry in fs::read_dir("/proc").expect("listing /proc").flatten() {
        let Ok(cmdline) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|byte| *byte == 0)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        let is_endpoint_test = args.first().is_some_and(|exe| {
            exe.starts_with(&*target.to_string_lossy()) && exe.contains("/deps/endpoint-")
        });
        let exact = args.iter().position(|arg| arg == "--exact");
        if let (true, Some(position)) = (is_endpoint_test, exact) {
            tests.extend(args.get(position + 1).cloned());
        }
    }
    tests
}

#[test]
fn compiler_warnings_about_the_learners_code_are_shown() {
    let workspace = Workspace::copy();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text.replacen(
            "use std::fmt;",
            "use std::collections::HashMap;\nuse std::fmt;",
            1,
        )
    });
    workspace
        .xtask(&["check", "lesson1/1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the compiler has 1 warning(s) about your code",
        ))
        .stdout(predicate::str::contains(
            "unused import: `std::collections::HashMap`",
        ));
}

#[test]
fn hint_shows_one_more_hint_each_time_and_says_when_there_are_no_more() {
    let workspace = Workspace::copy();
    let hint = |expected_count: usize, closing: &str| {
        workspace
            .xtask(&["hint", "lesson1/endpoint"])
            .assert()
            .code(0)
            .stdout(predicate::function(move |out: &str| {
                out.matches("Hint ").count() == expected_count
            }))
            .stdout(predicate::str::contains(closing.to_owned()));
    };
    hint(1, "`cargo xtask hint lesson1/1` shows the next one");
    hint(2, "`cargo xtask hint lesson1/1` shows the next one");
    hint(
        3,
        "That was the last hint: the next step is the code itself.",
    );
    hint(
        3,
        "That was the last hint. The doc comments in exercises/01-socket-basics/src/endpoint.rs",
    );
    workspace
        .xtask(&["hint", "lesson1/99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lesson lesson1 has no exercise \"99\"",
        ));
    workspace.xtask(&["hint"]).assert().code(2);
}

/// A running `watch`, read line by line.
#[cfg(target_os = "linux")]
struct WatchSession {
    runner: EndedOnDrop,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

#[cfg(target_os = "linux")]
impl WatchSession {
    fn start(workspace: &Workspace, args: &[&str]) -> WatchSession {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;

        let mut runner = workspace
            .runner(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the runner");
        let (lines_tx, lines) = std::sync::mpsc::channel();
        let stdout = BufReader::new(runner.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        WatchSession {
            runner: EndedOnDrop(runner),
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `text`; the lines before it are kept in
    /// `seen`.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!(
                    "watch never printed {text:?}; it printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn press_enter(&mut self) {
        use std::io::Write;
        let stdin = self.runner.stdin.as_mut().expect("stdin is piped");
        stdin.write_all(b"\n").expect("pressing Enter");
        stdin.flush().expect("pressing Enter");
    }

    fn stop(mut self) {
        press_ctrl_c(&self.runner);
        self.wait_for("Stopped watching");
        let status = self.runner.wait().expect("waiting for the runner");
        assert!(
            status.success(),
            "watch ends with success on Ctrl-C, not {status}"
        );
    }
}

/// A runner started in the background. A test that fails half-way still
/// ends it: Ctrl-C first, so the runner stops the tests it started, then a
/// kill if it does not exit.
#[cfg(target_os = "linux")]
struct EndedOnDrop(std::process::Child);

#[cfg(target_os = "linux")]
impl std::ops::Deref for EndedOnDrop {
    type Target = std::process::Child;

    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

#[cfg(target_os = "linux")]
impl std::ops::DerefMut for EndedOnDrop {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

#[cfg(target_os = "linux")]
impl Drop for EndedOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        press_ctrl_c(&self.0);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `watch` in a copy, saves the solution of exercise 1 over the stub,
/// and expects the runner to check again, move on to exercise 2, and stop
/// cleanly on Ctrl-C.
#[cfg(target_os = "linux")]
fn watch_moves_on_after_a_save(extra_args: &[&str]) {
    let workspace = Workspace::copy();
    let mut watch = WatchSession::start(&workspace, &[&["watch", "lesson1"], extra_args].concat());

    watch.wait_for("First failure: lesson1/1 endpoint");
    watch.wait_for("Watching for your next save");
    fs::copy(
        workspace.path("solutions/01-socket-basics/src/endpoint.rs"),
        workspace.path("exercises/01-socket-basics/src/endpoint.rs"),
    )
    .expect("saving the solution over the stub");
    watch.wait_for("✓ lesson1/1 passes");
    watch.wait_for("First failure: lesson1/2 resolve");
    watch.wait_for("Watching for your next save");
    watch.stop();
}

/// When a whole lesson passes, `watch` names the next chapter and waits for
/// Enter instead of starting on the next lesson by itself.
#[cfg(target_os = "linux")]
#[test]
fn watch_stops_at_the_end_of_a_lesson_until_enter() {
    let workspace = Workspace::copy();
    let solutions = workspace.path("solutions/01-socket-basics/src");
    for entry in fs::read_dir(&solutions)
        .expect("listing the solution")
        .flatten()
    {
        if entry.path().is_file() {
            fs::copy(
                entry.path(),
                workspace
                    .path("exercises/01-socket-basics/src")
                    .join(entry.file_name()),
            )
            .expect("copying the solution over the stubs");
        }
    }
    let mut watch = WatchSession::start(&workspace, &["watch"]);
    watch.wait_for("Press Enter to start watching lesson2");
    assert!(
        watch
            .seen
            .iter()
            .any(|line| line.contains("lessons/02-listen-vs-accept/README.md")),
        "the end of lesson 1 names the next chapter; watch printed:\n{}",
        watch.seen.join("\n")
    );
    assert!(
        !watch
            .seen
            .iter()
            .any(|line| line.contains("Watching lesson2")),
        "watch went on to lesson 2 before Enter; it printed:\n{}",
        watch.seen.join("\n")
    );
    watch.press_enter();
    watch.wait_for("Watching lesson2");
    watch.stop();
}

#[cfg(target_os = "linux")]
#[test]
fn watch_rechecks_on_save_with_file_events() {
    watch_moves_on_after_a_save(&[]);
}

#[cfg(target_os = "linux")]
#[test]
fn watch_rechecks_on_save_by_polling() {
    watch_moves_on_after_a_save(&["--poll"]);
}

#[test]
fn grade_uses_the_courses_tests_and_points_and_reports_the_students_edits() {
    let student = Workspace::copy();
    let course = student.another_copy();
    // The student solves exercise 1, then tries to make exercise 2 pass by
    // emptying a test, and to raise the points of exercise 1.
    fs::copy(
        student.path("solutions/01-socket-basics/src/endpoint.rs"),
        student.path("exercises/01-socket-basics/src/endpoint.rs"),
    )
    .unwrap();
    student.edit("exercises/01-socket-basics/tests/resolve.rs", |text| {
        text.replacen(
            "fn resolves_an_ip_literal_to_itself() {",
            "fn resolves_an_ip_literal_to_itself() {\n    return;",
            1,
        )
    });
    student.edit("lessons/01-socket-basics/lesson.toml", |text| {
        text.replacen("points = 10", "points = 100", 1)
    });
    // And to pass exercise 3 by printing libtest's success line and exiting.
    student.edit(
        "exercises/01-socket-basics/src/listener.rs",
        forge_passing_output,
    );
    let course_arg = course.root.to_string_lossy().into_owned();
    student
        .xtask(&[
            "grade",
            "--work",
            &grade_work(),
            "--course",
            &course_arg,
            "--format",
            "json",
            "--out",
            "grade.json",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("report written to grade.json"));
    let report = fs::read_to_string(student.path("grade.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        report["points"], 10,
        "only exercise 1 passes, at the course's 10 points: {report:#}"
    );
    let resolve_tests = &report["lessons"][0]["exercises"][1]["tests"];
    assert_eq!(resolve_tests[0]["name"], "resolves_an_ip_literal_to_itself");
    assert_eq!(
        resolve_tests[0]["status"], "fail",
        "the course's own test ran, not the emptied one"
    );
    let edits: Vec<String> = report["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            format!(
                "{} {}",
                edit["change"].as_str().unwrap(),
                edit["path"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        edits.contains(&"modified exercises/01-socket-basics/tests/resolve.rs".to_owned()),
        "{edits:?}"
    );
    assert!(
        edits.contains(&"modified lessons/01-socket-basics/lesson.toml".to_owned()),
        "{edits:?}"
    );
    let listener_tests = report["lessons"][0]["exercises"][2]["tests"]
        .as_array()
        .unwrap();
    for test in listener_tests {
        assert_eq!(test["status"], "fail", "a forged pass: {test:#}");
        assert!(
            test["message"]
                .as_str()
                .unwrap()
                .contains("ended the test process with exit code 0 before the test finished"),
            "{test:#}"
        );
    }
    let flags: Vec<String> = report["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flag| {
            format!(
                "{} {}",
                flag["path"].as_str().unwrap(),
                flag["text"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        flags.contains(
            &"exercises/01-socket-basics/src/listener.rs std::process::exit(0)".to_owned()
        ),
        "the exit is flagged for the instructor: {flags:?}"
    );

    let classroom = student
        .xtask(&[
            "grade",
            "--work",
            &grade_work(),
            "--course",
            &course_arg,
            "--format",
            "classroom",
        ])
        .assert()
        .code(1);
    let classroom: serde_json::Value = serde_json::from_slice(&classroom.get_output().stdout)
        .expect("the classroom report is JSON");
    assert_eq!(classroom["version"], 1);
    assert_eq!(classroom["status"], "fail");
    let all_points: u32 = xtask::course::Course::load(&course.root)
        .expect("the course's manifests")
        .lessons
        .iter()
        .map(|lesson| lesson.total_points())
        .sum();
    assert_eq!(classroom["max_score"], all_points);
    assert_eq!(classroom["tests"][0]["score"], 10);
    assert_eq!(classroom["tests"][1]["score"], 0);
}

#[test]
fn grade_without_a_pristine_course_says_what_to_do() {
    let student = Workspace::copy();
    student
        .xtask(&["grade"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --course PATH"));
    let own = student.root.to_string_lossy().into_owned();
    student
        .xtask(&["grade", "--course", &own])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the student's own copy"));
    student
        .xtask(&["grade", "--course", &own, "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pdf"));
}

#[test]
fn reset_restores_the_stub_and_keeps_the_learners_version() {
    let workspace = Workspace::copy();
    let git = |args: &[&str]| workspace.git(args);
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "the course"]);
    let stub =
        fs::read_to_string(workspace.path("exercises/01-socket-basics/src/endpoint.rs")).unwrap();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text + "\n// my attempt\n"
    });
    // The learner even commits the attempt: the original is still in history.
    git(&["commit", "-q", "-a", "-m", "my attempt"]);

    let reset = workspace.xtask(&["reset", "lesson1/1"]).assert().code(0);
    let output = String::from_utf8_lossy(&reset.get_output().stdout).into_owned();
    assert!(output.contains("restored the course's stub of"), "{output}");
    let restored =
        fs::read_to_string(workspace.path("exercises/01-socket-basics/src/endpoint.rs")).unwrap();
    assert_eq!(restored, stub, "reset puts the course's stub back");
    let backup_line = output
        .lines()
        .find(|line| line.trim_start().starts_with("cp "))
        .expect("a way back");
    let backup = backup_line.split_whitespace().nth(1).expect("cp FROM TO");
    assert!(
        backup.starts_with(".netlings/backups/20") && backup.contains("_UTC/"),
        "a backup folder is named by its date and time: {backup}"
    );
    assert!(
        output.contains("ls .netlings/backups/"),
        "reset says how to list the backups: {output}"
    );
    let saved = fs::read_to_string(workspace.path(backup)).expect("the learner's version is saved");
    assert!(
        saved.ends_with("// my attempt\n"),
        "the backup holds the attempt: {saved}"
    );

    workspace
        .xtask(&["reset", "lesson1/1"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Nothing to reset"));
}

#[test]
fn reset_without_git_history_says_why_and_touches_nothing() {
    let workspace = Workspace::copy();
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text + "\n// my attempt\n"
    });
    workspace
        .xtask(&["reset", "lesson1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does not hold the course's original",
        ));
    let kept =
        fs::read_to_string(workspace.path("exercises/01-socket-basics/src/endpoint.rs")).unwrap();
    assert!(
        kept.ends_with("// my attempt\n"),
        "a failed reset must not touch the learner's file"
    );
}

#[test]
fn grade_with_the_courses_lock_takes_the_course_files_from_git_history() {
    let student = Workspace::copy();
    student.git(&["init", "-q"]);
    student.git(&["add", "-A"]);
    student.git(&["commit", "-q", "-m", "the course"]);
    // The instructor's course.lock, kept outside the student's reach.
    student.xtask(&["release"]).assert().code(0);
    let lock = student.root.with_extension("course.lock");
    fs::copy(student.path("course.lock"), &lock).unwrap();

    fs::copy(
        student.path("solutions/01-socket-basics/src/endpoint.rs"),
        student.path("exercises/01-socket-basics/src/endpoint.rs"),
    )
    .unwrap();
    student.edit("exercises/01-socket-basics/tests/resolve.rs", |text| {
        text.replacen(
            "fn resolves_an_ip_literal_to_itself() {",
            "fn resolves_an_ip_literal_to_itself() {\n    return;",
            1,
        )
    });
    student.git(&["commit", "-q", "-a", "-m", "my work"]);

    let lock_arg = lock.to_string_lossy().into_owned();
    let graded = student
        .xtask(&[
            "grade",
            "--work",
            &grade_work(),
            "--lock",
            &lock_arg,
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    let report: serde_json::Value =
        serde_json::from_slice(&graded.get_output().stdout).expect("the report is JSON");
    fs::remove_file(&lock).unwrap();
    assert_eq!(report["points"], 10, "{report:#}");
    assert_eq!(
        report["lessons"][0]["exercises"][1]["tests"][0]["status"],
        "fail"
    );
    assert!(
        report["edits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|edit| edit["path"] == "exercises/01-socket-basics/tests/resolve.rs"),
        "{report:#}"
    );

    student
        .xtask(&["grade", "--lock", "course.lock"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the student's own course.lock"));
}

#[test]
fn grade_with_a_lock_but_no_git_history_says_to_use_a_course_checkout() {
    let student = Workspace::copy();
    let lock = student.root.with_extension("course.lock");
    fs::copy(student.path("course.lock"), &lock).unwrap();
    let lock_arg = lock.to_string_lossy().into_owned();
    let outcome = student
        .xtask(&["grade", "--work", &grade_work(), "--lock", &lock_arg])
        .assert();
    fs::remove_file(&lock).unwrap();
    outcome
        .code(2)
        .stderr(predicate::str::contains("has no .git"))
        .stderr(predicate::str::contains("--course PATH"));
}

#[test]
fn check_seed_replays_a_randomised_test_with_that_seed() {
    let workspace = Workspace::copy();
    // A stand-in for a randomised test: the stub reports the seed it was given.
    workspace.edit("exercises/01-socket-basics/src/endpoint.rs", |text| {
        text.replacen(
            "    fn from_str(text: &str) -> Result<Endpoint, EndpointError> {",
            "    fn from_str(text: &str) -> Result<Endpoint, EndpointError> {\n        \
             println!(\"seed: {:?}\", std::env::var(\"NETLINGS_SEED\"));",
            1,
        )
    });
    workspace
        .xtask(&["check", "lesson1/1", "--seed", "4242"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("| seed: Ok(\"4242\")"));
}

/// A copy with a git index, as `verify` compares the index with course.lock.
fn workspace_under_git() -> Workspace {
    let workspace = Workspace::copy();
    workspace.git(&["init", "-q"]);
    workspace.git(&["add", "-A"]);
    workspace
}

#[test]
fn verify_one_exercise_verifies_only_that_exercise() {
    let workspace = workspace_under_git();
    workspace
        .xtask(&["verify", "lesson1/dual_stack"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "✓ lesson1/6: every test fails against the stubs",
        ))
        .stdout(predicate::str::contains(
            "✓ lesson1/6: every test passes against the solution",
        ))
        .stdout(predicate::str::contains("caught lesson1/6 known-bad "))
        .stdout(predicate::str::contains(
            "✓ lesson1/6: all 8 known-bad variants are caught",
        ))
        .stdout(predicate::str::contains("lesson1/1 known-bad").not())
        .stdout(predicate::function(|out: &str| {
            // The summary table: one exercise, its 8 variants, all caught.
            out.lines().any(|line| {
                let columns: Vec<&str> = line.split_whitespace().collect();
                columns.first() == Some(&"lesson1/6")
                    && columns.get(1) == Some(&"1")
                    && line.ends_with("8 of 8")
            })
        }));
}

#[test]
fn verify_reports_a_known_bad_files_error_once() {
    let workspace = workspace_under_git();
    workspace.edit(
        "solutions/01-socket-basics/known-bad/dual_stack.toml",
        |text| text.replacen("\nmistake = ", "\nmistaken = ", 1),
    );
    workspace
        .xtask(&["verify", "lesson1/dual_stack"])
        .assert()
        .code(1)
        .stdout(predicate::function(|out: &str| {
            out.matches("unknown field `mistaken`").count() == 1
        }))
        .stdout(predicate::str::contains(
            "✗ lesson1/6: no known-bad variant ran",
        ));
}
