//! `grade`'s reports read back by the consumers they are written for:
//! GitHub Classroom's reporter (`classroom-resources/autograding-grading-reporter@v1`,
//! run with node when it is at hand) and a JUnit parser, on made-up reports,
//! without building the course.
//!
//! The reporter's code is not kept in this repository. To run it here, point
//! `NETLINGS_CLASSROOM_REPORTER` at its `dist/main.js` as tag `v1` has it
//! (`git clone --branch v1 https://github.com/classroom-resources/autograding-grading-reporter`);
//! without it, or without `node`, those tests say so and check nothing more.
//! The rules the reporter applies (a row per entry, `line_no` unless 0,
//! `message` only for errors, its table's score against the points it sends
//! to Classroom) are also checked here in Rust, always.

use base64_for_tests::encode as base64;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use xtask::flags::Flag;
use xtask::grade::{Change, Edit, ExerciseGrade, GradeReport, LessonGrade, TestGrade, TestStatus};
use xtask::grade_report::{Format, render};

/// The length of one environment variable Linux accepts (`MAX_ARG_STRLEN`),
/// name and `=` included.
const ENVIRONMENT_VARIABLE_LIMIT: usize = 128 * 1024;

fn test(file: &str, name: &str, line: u32, status: TestStatus, message: &str) -> TestGrade {
    TestGrade {
        name: name.into(),
        status,
        duration: Duration::from_millis(7),
        message: message.into(),
        file: file.into(),
        line: Some(line),
    }
}

fn exercise(label: &str, title: &str, points: u32, tests: Vec<TestGrade>) -> ExerciseGrade {
    ExerciseGrade {
        label: label.into(),
        title: title.into(),
        max_points: points,
        tests,
    }
}

const ENDPOINT: &str = "exercises/01-socket-basics/tests/endpoint.rs";
const RESOLVE: &str = "exercises/01-socket-basics/tests/resolve.rs";
const LISTENER: &str = "exercises/01-socket-basics/tests/listener.rs";
const ACCEPT: &str = "exercises/02-listen-vs-accept/tests/accept.rs";
const BACKLOG: &str = "exercises/02-listen-vs-accept/tests/backlog.rs";
const COMPILER_SAYS: &str = "error[E0308]: mismatched types";

/// A student's report: lesson 1 compiles (exercise 1 passes, 2 fails by
/// assertion, 3 by its deadline; exercise 2 is worth 20, the others 10),
/// lesson 2 does not compile. The student edited a test, the points and
/// the cargo configuration, and one line of theirs is flagged.
fn student_report() -> GradeReport {
    use TestStatus::*;
    let not_run = "not run: the code of lesson2 does not compile";
    GradeReport {
        lessons: vec![
            LessonGrade {
                handle: "lesson1".into(),
                title: "Socket basics".into(),
                exercises: vec![
                    exercise(
                        "lesson1/1 endpoint",
                        "Parse and classify endpoints",
                        10,
                        vec![
                            test(ENDPOINT, "parses_an_ipv4_tcp_endpoint", 12, Pass, ""),
                            test(ENDPOINT, "parses_an_ipv6_endpoint", 30, Pass, ""),
                        ],
                    ),
                    exercise(
                        "lesson1/2 resolve",
                        "Resolve a host name",
                        20,
                        vec![
                            test(RESOLVE, "resolves_an_ip_literal_to_itself", 9, Pass, ""),
                            test(
                                RESOLVE,
                                "keeps_the_resolvers_order",
                                41,
                                Fail,
                                "\u{1b}[31mresolve(\"localhost:80\") returned [127.0.0.1:80]; expected \
                                 [::1]:80 first, in the resolver's order\u{1b}[0m\nnote: a HashSet \
                                 loses the order",
                            ),
                        ],
                    ),
                    exercise(
                        "lesson1/3 listener",
                        "Bind a listener",
                        10,
                        vec![test(
                            LISTENER,
                            "binds_port_zero",
                            15,
                            Timeout,
                            "did not finish within 10s and was stopped",
                        )],
                    ),
                ],
                compile_error: None,
            },
            LessonGrade {
                handle: "lesson2".into(),
                title: "Listen vs accept".into(),
                exercises: vec![
                    exercise(
                        "lesson2/1 accept",
                        "Accept connections",
                        10,
                        vec![
                            test(ACCEPT, "accepts_one_client", 20, Error, not_run),
                            test(ACCEPT, "accepts_in_order", 48, Error, not_run),
                        ],
                    ),
                    exercise(
                        "lesson2/2 backlog",
                        "The accept queue",
                        10,
                        vec![test(BACKLOG, "queues_before_accept", 11, Error, not_run)],
                    ),
                ],
                compile_error: Some(format!(
                    "\u{1b}[1m{COMPILER_SAYS}\u{1b}[0m\n  --> exercises/02-listen-vs-accept/src/accept.rs:14:5\n   |\n14 |     listener\n   |     ^^^^^^^^ expected `()`, found `TcpListener`\n"
                )),
            },
        ],
        edits: vec![
            Edit {
                path: RESOLVE.into(),
                change: Change::Modified,
            },
            Edit {
                path: "lessons/01-socket-basics/lesson.toml".into(),
                change: Change::Modified,
            },
            Edit {
                path: ".cargo/config.toml".into(),
                change: Change::Added,
            },
        ],
        flags: vec![Flag {
            path: "exercises/01-socket-basics/src/listener.rs".into(),
            line: 31,
            construct: "ends the process (std::process::exit)",
            text: "std::process::exit(0)".into(),
        }],
    }
}

/// A copy where every lesson of a course the size of this one fails to
/// compile with a long error, every test message is long, and the student
/// added thousands of files and flagged lines.
fn worst_case_report() -> GradeReport {
    let long_error = format!(
        "{COMPILER_SAYS}\n{}",
        "  --> src/x.rs:1:1 a long line of the compiler's, repeated\n".repeat(20_000)
    );
    let lessons = (1..=7)
        .map(|lesson| LessonGrade {
            handle: format!("lesson{lesson}"),
            title: "A lesson with a long title ".repeat(4),
            exercises: (1..=8)
                .map(|number| {
                    let file = format!("exercises/0{lesson}-slug/tests/exercise{number}.rs");
                    exercise(
                        &format!("lesson{lesson}/{number} exercise{number}"),
                        &"An exercise title ".repeat(5),
                        10,
                        (1..=8)
                            .map(|line| {
                                test(
                                    &file,
                                    &format!("a_long_test_name_that_says_what_it_checks_{line}"),
                                    line * 10,
                                    TestStatus::Error,
                                    &"not run ".repeat(1000),
                                )
                            })
                            .collect(),
                    )
                })
                .collect(),
            compile_error: Some(long_error.clone()),
        })
        .collect();
    GradeReport {
        lessons,
        edits: (0..10_000)
            .map(|index| Edit {
                path: format!("exercises/01-socket-basics/tests/added_file_number_{index}.rs"),
                change: Change::Added,
            })
            .collect(),
        flags: (0..2_000)
            .map(|line| Flag {
                path: "exercises/01-socket-basics/src/endpoint.rs".into(),
                line,
                construct: "uses unsafe code",
                text: "unsafe { a very long line of unsafe code } ".repeat(20),
            })
            .collect(),
    }
}

fn classroom(report: &GradeReport) -> Value {
    serde_json::from_str(&render(report, Format::Classroom)).expect("the classroom result is JSON")
}

/// What the reporter's table shows for one result: (entries passed /
/// entries) × max_score (`getTestScore` in its `src/helpers/test-helpers.js`).
fn reporters_table_score(result: &Value) -> f64 {
    let tests = result["tests"].as_array().expect("tests");
    let passed = tests.iter().filter(|test| test["status"] == "pass").count();
    passed as f64 / tests.len() as f64 * result["max_score"].as_f64().expect("max_score")
}

/// What the reporter sends to Classroom: the sum of the entries' `score`
/// (`NotifyClassroom` in its `src/notify-classroom.js`).
fn points_sent_to_classroom(result: &Value) -> u64 {
    result["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|test| test["score"].as_u64().expect("every entry has a score"))
        .sum()
}

#[test]
fn classroom_table_and_points_sent_agree_with_the_true_grade_when_points_differ() {
    let report = student_report();
    let result = classroom(&report);
    assert_eq!(result["max_score"], report.max_points());
    assert_eq!(
        points_sent_to_classroom(&result),
        u64::from(report.points())
    );
    assert!(
        (reporters_table_score(&result) - f64::from(report.points())).abs() < 1e-9,
        "the reporter's table shows {} where the grade is {}: {result:#}",
        reporters_table_score(&result),
        report.points()
    );
    // Exercise 2 is worth two units of 10: two entries, both failing.
    let names: Vec<&str> = result["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| test["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:#?}");
    assert!(names[1].contains("(part 1 of 2)"), "{names:#?}");
    assert!(names[2].contains("(part 2 of 2)"), "{names:#?}");

    // And when lesson 1 is solved: 40 of 60, in both.
    let mut solved = student_report();
    for test in solved.lessons[0]
        .exercises
        .iter_mut()
        .flat_map(|exercise| &mut exercise.tests)
    {
        test.status = TestStatus::Pass;
        test.message.clear();
    }
    let result = classroom(&solved);
    assert_eq!(points_sent_to_classroom(&result), 40);
    assert!(
        (reporters_table_score(&result) - 40.0).abs() < 1e-9,
        "{result:#}"
    );
}

#[test]
fn classroom_entries_have_a_line_and_say_why_they_fail() {
    let result = classroom(&student_report());
    let tests = result["tests"].as_array().unwrap();
    for test in tests {
        assert!(
            test["line_no"].is_u64(),
            "every entry has a line_no, or the reporter prints 'line undefined': {test:#}"
        );
    }
    let resolve = &tests[1];
    assert_eq!(resolve["status"], "fail");
    assert_eq!(resolve["line_no"], 41, "the failing test's fn: {resolve:#}");
    let name = resolve["name"].as_str().unwrap();
    assert!(
        name.contains("keeps_the_resolvers_order failed: resolve(\"localhost:80\") returned")
            && name.contains(RESOLVE),
        "the reporter prints a failure's name and line only, so the name says why: {name}"
    );
    assert!(
        !name.contains('\u{1b}') && !name.contains("a HashSet"),
        "one plain line: {name}"
    );
    let listener = &tests[3];
    assert!(
        listener["name"]
            .as_str()
            .unwrap()
            .contains("binds_port_zero timed out: did not finish within 10s"),
        "{listener:#}"
    );
    assert_eq!(listener["line_no"], 15);
    assert!(
        listener["test_code"]
            .as_str()
            .unwrap()
            .starts_with("cargo xtask check lesson1/3"),
        "{listener:#}"
    );
}

#[test]
fn classroom_shows_a_lessons_compile_errors_once_and_every_edit() {
    let text = render(&student_report(), Format::Classroom);
    assert_eq!(
        text.matches(COMPILER_SAYS).count(),
        1,
        "the compiler's errors once per lesson: {text}"
    );
    let result: Value = serde_json::from_str(&text).unwrap();
    let tests = result["tests"].as_array().unwrap();
    let accept = &tests[4];
    assert_eq!(accept["status"], "error");
    assert!(
        accept["message"]
            .as_str()
            .unwrap()
            .starts_with("lesson2/1 accept: Accept connections"),
        "the reporter prints only the message of an error, so it names the exercise: {accept:#}"
    );
    let backlog = tests[5]["message"].as_str().unwrap();
    assert!(
        backlog.starts_with("lesson2/2 backlog") && backlog.contains("under lesson2/1 accept"),
        "{backlog}"
    );
    let resolve_notes = tests[1]["test_code"].as_str().unwrap();
    assert!(
        resolve_notes.contains(&format!(
            "modified in your copy, not used in grading (the course's own files were): {RESOLVE}"
        )),
        "an edited test shows beside its exercise: {resolve_notes}"
    );
    let first_notes = tests[0]["test_code"].as_str().unwrap();
    for shown in [
        "lessons/01-socket-basics/lesson.toml",
        "added in your copy, not used in grading (the course's own files were): .cargo/config.toml",
        "exercises/01-socket-basics/src/listener.rs:31: ends the process",
    ] {
        assert!(first_notes.contains(shown), "{shown} in {first_notes}");
    }
}

/// The classroom result of `report`, checked to be well under the limit of
/// one environment variable once base64-encoded.
fn fits_one_environment_variable(report: &GradeReport, case: &str) -> String {
    let text = render(report, Format::Classroom);
    let encoded = base64(text.as_bytes());
    println!(
        "{case}: {} bytes of JSON, {} of base64 (the limit is {ENVIRONMENT_VARIABLE_LIMIT})",
        text.len(),
        encoded.len()
    );
    assert!(
        encoded.len() < ENVIRONMENT_VARIABLE_LIMIT / 2,
        "{case}: {} bytes of base64 is not well under {ENVIRONMENT_VARIABLE_LIMIT}",
        encoded.len()
    );
    text
}

#[test]
fn classroom_result_fits_one_environment_variable_when_every_test_fails_at_length() {
    let mut report = worst_case_report();
    for lesson in &mut report.lessons {
        lesson.compile_error = None;
        for test in lesson
            .exercises
            .iter_mut()
            .flat_map(|exercise| &mut exercise.tests)
        {
            test.status = TestStatus::Fail;
            test.message = "a failure message that goes on and on ".repeat(500);
        }
    }
    fits_one_environment_variable(&report, "every test failing");
    // Exercises of differing points: an entry per share of points.
    for (index, exercise) in report
        .lessons
        .iter_mut()
        .flat_map(|lesson| &mut lesson.exercises)
        .enumerate()
    {
        exercise.max_points = if index % 2 == 0 { 20 } else { 30 };
    }
    let text = fits_one_environment_variable(&report, "differing points");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(result["tests"].as_array().unwrap().len(), 28 * 2 + 28 * 3);
}

#[test]
fn classroom_result_fits_one_environment_variable_when_every_lesson_fails_to_compile() {
    let text = fits_one_environment_variable(&worst_case_report(), "every lesson not compiling");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        result["tests"].as_array().unwrap().len(),
        56,
        "still an entry per exercise"
    );
    for lesson in 1..=7 {
        let first = result["tests"][(lesson - 1) * 8]["message"]
            .as_str()
            .unwrap();
        assert!(
            first.contains(COMPILER_SAYS)
                && first.contains(&format!(
                    "`cargo xtask check lesson{lesson}` shows them all"
                )),
            "each lesson's errors begin, then say where the rest are: {}",
            &first[..300]
        );
    }
    assert!(
        text.contains("more edits and flags: the instructor's report"),
        "the notes left out are counted"
    );
}

#[test]
fn human_markdown_and_json_hold_a_lessons_compile_errors_once() {
    let report = student_report();
    for format in [Format::Human, Format::Markdown, Format::Json] {
        let text = render(&report, format);
        assert_eq!(text.matches(COMPILER_SAYS).count(), 1, "{format:?}: {text}");
        assert!(!text.contains('\u{1b}'), "{format:?}: {text}");
    }
    let json: Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    let lesson2 = &json["lessons"][1];
    assert!(
        lesson2["compile_error"]
            .as_str()
            .unwrap()
            .starts_with(COMPILER_SAYS)
    );
    assert_eq!(json["lessons"][0]["compile_error"], Value::Null);
    let test = &lesson2["exercises"][0]["tests"][1];
    assert_eq!(test["file"], ACCEPT);
    assert_eq!(test["line"], 48);
    assert_eq!(test["status"], "error");
}

/// `node` and the reporter's `dist/main.js`, or `None` after saying why
/// the test checks nothing more.
fn reporter() -> Option<(PathBuf, PathBuf)> {
    let Some(node) = find_on_path("node") else {
        println!("skipped: node is not on PATH, so the classroom reporter cannot run here");
        return None;
    };
    let Some(main) = std::env::var_os("NETLINGS_CLASSROOM_REPORTER").map(PathBuf::from) else {
        println!(
            "skipped: set NETLINGS_CLASSROOM_REPORTER to the dist/main.js of \
             classroom-resources/autograding-grading-reporter at tag v1 to run it here"
        );
        return None;
    };
    let main = if main.is_dir() {
        main.join("dist/main.js")
    } else {
        main
    };
    assert!(
        main.is_file(),
        "NETLINGS_CLASSROOM_REPORTER names {}, which is not a file",
        main.display()
    );
    Some((node, main))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|folder| folder.join(program))
        .find(|candidate| candidate.is_file())
}

struct ReporterRun {
    stdout: String,
    stderr: String,
}

/// Runs the reporter as the workflow does: the base64 result in
/// `GRADE_RESULTS`, the runner `grade` in `INPUT_RUNNERS`, within a deadline.
fn run_reporter(node: &Path, main: &Path, result: &str) -> ReporterRun {
    let mut child = Command::new(node)
        .arg(main)
        .env_clear()
        .env("GRADE_RESULTS", base64(result.as_bytes()))
        .env("INPUT_RUNNERS", "grade")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts the reporter (an environment variable over 128 KiB fails here)");
    let (mut stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut out, mut err) = (String::new(), String::new());
        let read = stdout
            .read_to_string(&mut out)
            .and(stderr.read_to_string(&mut err));
        let _ = sender.send(read.map(|_| (out, err)));
    });
    match receiver.recv_timeout(Duration::from_secs(30)) {
        Ok(read) => {
            let (stdout, stderr) = read.expect("reading the reporter's output");
            let _ = child.wait();
            ReporterRun { stdout, stderr }
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the reporter did not finish within 30 s");
        }
    }
}

#[test]
fn the_classroom_reporter_prints_lines_reasons_and_the_true_points() {
    let Some((node, main)) = reporter() else {
        return;
    };
    let report = student_report();
    let run = run_reporter(&node, &main, &render(&report, Format::Classroom));
    println!("{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let stdout = &run.stdout;
    assert!(!stdout.contains("undefined"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "::notice title=Autograding complete::Points {}/{}",
            report.points(),
            report.max_points()
        )),
        "the points sent to Classroom are the grade: {stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Total points for grade: {}.00/{}",
            report.points(),
            report.max_points()
        )),
        "the reporter's own total is the grade: {stdout}"
    );
    assert!(
        stdout.contains("keeps_the_resolvers_order failed: resolve(\"localhost:80\") returned")
            && stdout.contains(&format!("({RESOLVE}) - line 41")),
        "{stdout}"
    );
    assert_eq!(stdout.matches(COMPILER_SAYS).count(), 1, "{stdout}");
    assert!(
        stdout.contains("Error: lesson2/1 accept: Accept connections"),
        "{stdout}"
    );
    assert!(
        stdout.contains(".cargo/config.toml") && stdout.contains("std::process::exit(0)"),
        "edits and flags are shown: {stdout}"
    );
}

#[test]
fn the_classroom_reporter_starts_on_the_worst_case_result() {
    let Some((node, main)) = reporter() else {
        return;
    };
    let run = run_reporter(
        &node,
        &main,
        &render(&worst_case_report(), Format::Classroom),
    );
    assert!(
        run.stdout
            .contains("::notice title=Autograding complete::Points 0/560"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(
        run.stdout.matches(COMPILER_SAYS).count(),
        7,
        "once per lesson"
    );
}

/// An element of an XML document, as a JUnit consumer walks it.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn all<'a>(&'a self, name: &str, found: &mut Vec<&'a Element>) {
        if self.name == name {
            found.push(self);
        }
        for child in &self.children {
            child.all(name, found);
        }
    }

    fn find_all(&self, name: &str) -> Vec<&Element> {
        let mut found = Vec::new();
        self.all(name, &mut found);
        found
    }

    fn attribute(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}: {self:?}", self.name))
    }
}

fn parse_xml(text: &str) -> Element {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Element::default()];
    let element = |start: &quick_xml::events::BytesStart| Element {
        name: String::from_utf8(start.name().as_ref().to_vec()).expect("UTF-8 names"),
        attributes: start
            .attributes()
            .map(|attribute| {
                let attribute = attribute.expect("a well-formed attribute");
                (
                    String::from_utf8(attribute.key.as_ref().to_vec()).unwrap(),
                    attribute
                        .unescape_value()
                        .expect("an escaped value")
                        .into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(empty) => {
                let done = element(&empty);
                stack.last_mut().unwrap().children.push(done);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().expect("balanced tags").children.push(done);
            }
            Event::Text(text) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&text.decode().expect("UTF-8 text")),
            Event::GeneralRef(reference) => {
                let name = reference.decode().expect("UTF-8 reference");
                let character = match name.as_ref() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("an entity JUnit readers do not know: &{other};"),
                };
                stack.last_mut().unwrap().text.push(character);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    stack.pop().unwrap()
}

#[test]
fn junit_cases_name_their_file_and_line_and_errors_keep_the_count() {
    let report = student_report();
    let document = parse_xml(&render(&report, Format::Junit));
    let root = &document.children[0];
    assert_eq!(root.name, "testsuites");
    let cases = root.find_all("testcase");
    assert_eq!(root.attribute("tests"), cases.len().to_string());
    assert_eq!(cases.len(), 8, "every test of the course, compiled or not");
    assert_eq!(root.attribute("failures"), "2");
    assert_eq!(root.attribute("errors"), "3");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for case in &cases {
        let file = case.attribute("file");
        assert!(
            repository.join(file).is_file(),
            "file is a path in the repository, as annotations need: {file}"
        );
        assert!(case.attribute("line").parse::<u32>().is_ok(), "{case:?}");
        assert!(!case.attribute("classname").is_empty());
        assert!(!case.attribute("name").is_empty());
    }
    let resolve = cases
        .iter()
        .find(|case| case.attribute("name") == "keeps_the_resolvers_order")
        .unwrap();
    assert_eq!(resolve.attribute("file"), RESOLVE);
    assert_eq!(resolve.attribute("line"), "41");
    assert_eq!(resolve.attribute("classname"), "lesson1.2.resolve");
    let failure = &resolve.find_all("failure")[0];
    assert!(
        failure
            .attribute("message")
            .starts_with("resolve(\"localhost:80\") returned [127.0.0.1:80]"),
        "{failure:?}"
    );
    assert!(failure.text.contains("note: a HashSet loses the order"));

    let errors: Vec<_> = cases
        .iter()
        .flat_map(|case| case.find_all("error"))
        .collect();
    assert_eq!(errors.len(), 3);
    for error in &errors {
        assert_eq!(
            error.attribute("message"),
            format!("not run: the code of lesson2 does not compile: {COMPILER_SAYS}")
        );
    }
    let with_the_compilers_text = errors
        .iter()
        .filter(|error| error.text.contains("expected `()`, found `TcpListener`"))
        .count();
    assert_eq!(
        with_the_compilers_text, 1,
        "written once, in the lesson's first case"
    );

    // The same tests, compiling: the same cases.
    let mut compiling = student_report();
    compiling.lessons[1].compile_error = None;
    for test in compiling.lessons[1]
        .exercises
        .iter_mut()
        .flat_map(|exercise| &mut exercise.tests)
    {
        test.status = TestStatus::Pass;
    }
    let identities = |document: &Element| -> Vec<String> {
        document
            .find_all("testcase")
            .iter()
            .map(|case| {
                format!(
                    "{} {} {}:{}",
                    case.attribute("classname"),
                    case.attribute("name"),
                    case.attribute("file"),
                    case.attribute("line")
                )
            })
            .collect()
    };
    assert_eq!(
        identities(&document),
        identities(&parse_xml(&render(&compiling, Format::Junit)))
    );

    let properties = root.find_all("property");
    let values: Vec<&str> = properties
        .iter()
        .map(|property| property.attribute("value"))
        .collect();
    assert!(values.contains(&"added .cargo/config.toml"), "{values:?}");
    assert!(
        values
            .iter()
            .any(|value| value.contains("std::process::exit(0)")),
        "{values:?}"
    );
}

/// Standard base64 (RFC 4648, with padding), as `base64 -w0` writes it in
/// the workflow; kept here so the tests need no crate for it.
mod base64_for_tests {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let triple = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for index in 0..4 {
                if index <= chunk.len() {
                    encoded.push(char::from(
                        ALPHABET[(triple >> (18 - 6 * index)) as usize & 63],
                    ));
                } else {
                    encoded.push('=');
                }
            }
        }
        encoded
    }

    #[test]
    fn encodes_as_base64_does() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode("grade ✓".as_bytes()), "Z3JhZGUg4pyT");
    }
}
