//! The formats `grade` writes: for a person (`human`), for programs
//! (`json`, the canonical schema), for CI test views (`junit`), for GitHub
//! Classroom's autograding reporter (`classroom`), and for a pull-request
//! comment (`markdown`).

use crate::flags::Flag;
use crate::grade::{GradeReport, TestStatus};
use serde_json::{Value, json};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Junit,
    Classroom,
    Markdown,
}

impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Format] {
        &[
            Format::Human,
            Format::Json,
            Format::Junit,
            Format::Classroom,
            Format::Markdown,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let name = match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Classroom => "classroom",
            Format::Markdown => "markdown",
        };
        Some(clap::builder::PossibleValue::new(name))
    }
}

pub fn render(report: &GradeReport, format: Format) -> String {
    match format {
        Format::Human => human(report),
        Format::Json => pretty(&json_report(report)),
        Format::Junit => junit(report),
        Format::Classroom => compact(&classroom(report)),
        Format::Markdown => markdown(report),
    }
}

/// JSON on one line, for a result whose size counts.
fn compact(value: &Value) -> String {
    let mut text = serde_json::to_string(value).expect("a JSON value always serialises");
    text.push('\n');
    text
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// One lesson's compiler errors in the `human` and `markdown` reports.
const HUMAN_COMPILE_ERROR_BYTES: usize = 4 * 1024;

fn human(report: &GradeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Grade: {}/{} points\n",
        report.points(),
        report.max_points()
    );
    for lesson in &report.lessons {
        let points: u32 = lesson
            .exercises
            .iter()
            .map(|exercise| exercise.points())
            .sum();
        let max: u32 = lesson
            .exercises
            .iter()
            .map(|exercise| exercise.max_points)
            .sum();
        let _ = writeln!(out, "{} {}: {points}/{max}", lesson.handle, lesson.title);
        if let Some(errors) = &lesson.compile_error {
            let _ = writeln!(
                out,
                "  does not compile, so none of its tests ran; the compiler said:"
            );
            let shown = clip_lines(
                &plain(errors),
                HUMAN_COMPILE_ERROR_BYTES,
                &format!("`cargo xtask check {}` shows them all", lesson.handle),
            );
            for line in shown.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        for exercise in &lesson.exercises {
            let passed = exercise
                .tests
                .iter()
                .filter(|test| test.status == TestStatus::Pass)
                .count();
            let mark = if exercise.points() == exercise.max_points {
                "✓"
            } else {
                "✗"
            };
            let _ = writeln!(
                out,
                "  {mark} {:<24} {:>3}/{:<3} points  {passed}/{} tests",
                exercise.label,
                exercise.points(),
                exercise.max_points,
                exercise.tests.len()
            );
            // Tests not run because the lesson does not compile say
            // nothing the compiler's errors above do not.
            let failing: Vec<_> = exercise
                .tests
                .iter()
                .filter(|test| !matches!(test.status, TestStatus::Pass | TestStatus::Error))
                .collect();
            // An exercise not started fails every test; its first failure says enough.
            let shown = if passed == 0 {
                failing.len().min(1)
            } else {
                failing.len()
            };
            for test in &failing[..shown] {
                let first_line = first_line(&plain(&test.message));
                let _ = writeln!(
                    out,
                    "      {} {}: {first_line}",
                    test.status.as_str(),
                    test.name
                );
            }
            if shown < failing.len() {
                let _ = writeln!(
                    out,
                    "      ... and {} more tests fail",
                    failing.len() - shown
                );
            }
        }
    }
    if report.edits.is_empty() {
        let _ = writeln!(
            out,
            "\nNo file outside exercises/*/src/ differs from the course."
        );
    } else {
        let _ = writeln!(
            out,
            "\nFiles outside exercises/*/src/ that differ from the course (not used: the course's own were):"
        );
        for edit in &report.edits {
            let _ = write!(out, "  {:<9} {}", edit.change.as_str(), edit.path);
            if let Some(what) = edit.ignored_configuration() {
                let _ = write!(out, " ({what})");
            }
            let _ = writeln!(out);
        }
    }
    if !report.flags.is_empty() {
        let _ = writeln!(out, "\nLines to read (flags for a person, not deductions):");
        for flag in &report.flags {
            let _ = writeln!(
                out,
                "  {}:{}: {}\n      {}",
                flag.path, flag.line, flag.construct, flag.text
            );
        }
    }
    out
}

/// A flag on one line, for formats that hold one text per flag.
fn flag_line(flag: &Flag) -> String {
    format!(
        "{}:{}: {}: {}",
        flag.path, flag.line, flag.construct, flag.text
    )
}

/// The canonical schema, documented in the README.
fn json_report(report: &GradeReport) -> Value {
    let lessons: Vec<Value> = report
        .lessons
        .iter()
        .map(|lesson| {
            let exercises: Vec<Value> = lesson
                .exercises
                .iter()
                .map(|exercise| {
                    let tests: Vec<Value> = exercise
                        .tests
                        .iter()
                        .map(|test| {
                            json!({
                                "name": test.name,
                                "status": test.status.as_str(),
                                "duration_ms": test.duration.as_millis() as u64,
                                "message": test.message,
                                "file": test.file,
                                "line": test.line,
                            })
                        })
                        .collect();
                    json!({
                        "exercise": exercise.label,
                        "title": exercise.title,
                        "points": exercise.points(),
                        "max_points": exercise.max_points,
                        "tests": tests,
                    })
                })
                .collect();
            json!({
                "lesson": lesson.handle,
                "title": lesson.title,
                "points": lesson.exercises.iter().map(|exercise| exercise.points()).sum::<u32>(),
                "max_points": lesson.exercises.iter().map(|exercise| exercise.max_points).sum::<u32>(),
                "compile_error": lesson.compile_error.as_deref().map(plain),
                "exercises": exercises,
            })
        })
        .collect();
    let edits: Vec<Value> = report
        .edits
        .iter()
        .map(|edit| match edit.ignored_configuration() {
            Some(what) => {
                json!({ "path": edit.path, "change": edit.change.as_str(), "ignored_configuration": what })
            }
            None => json!({ "path": edit.path, "change": edit.change.as_str() }),
        })
        .collect();
    let exercises = report.exercises().count();
    let passed = report
        .exercises()
        .filter(|exercise| exercise.points() == exercise.max_points)
        .count();
    json!({
        "version": 1,
        "points": report.points(),
        "max_points": report.max_points(),
        "exercises_passed": passed,
        "exercises": exercises,
        "lessons": lessons,
        "edits": edits,
        "flags": report.flags,
    })
}

/// GitHub Classroom's reporter (`autograding-grading-reporter@v1`) reads
/// the base64 of this result from one environment variable, which Linux
/// caps at 128 KiB, so every text that grows with the student's copy is
/// capped: the compiler's errors of each lesson, all lessons' together, one
/// failure reason, and the notes on edits and flags.
const CLASSROOM_COMPILE_ERROR_BYTES: usize = 4 * 1024;
const CLASSROOM_ALL_COMPILE_ERRORS_BYTES: usize = 12 * 1024;
const CLASSROOM_REASON_BYTES: usize = 200;
const CLASSROOM_ALL_REASONS_BYTES: usize = 8 * 1024;
const CLASSROOM_NOTE_BYTES: usize = 240;
const CLASSROOM_ALL_NOTES_BYTES: usize = 6 * 1024;
const CLASSROOM_TITLE_BYTES: usize = 80;
/// More entries than this and an exercise is one entry whatever its points
/// (see [`classroom_unit`]).
const CLASSROOM_MAX_ENTRIES: usize = 200;

/// GitHub Classroom's runner result, written for what its reporter prints.
/// It prints a row per entry of `tests` with its `name` and, when not 0,
/// `line_no`; `message` only for an `error`; and `test_code`, when there is
/// one, under the row. So an entry is an exercise, scored like `check`
/// scores it: a failing one names its first failing test and the reason in
/// its `name`, points `line_no` at that test's `fn`, and gives in
/// `test_code` the command that runs it; a lesson that does not compile
/// shows the compiler's errors once, in its first exercise's `message`; and
/// the edits and flags go into the `test_code` of the exercise they concern.
fn classroom(report: &GradeReport) -> Value {
    let unit = classroom_unit(report);
    let failing_lessons = report
        .lessons
        .iter()
        .filter(|lesson| lesson.compile_error.is_some())
        .count();
    let compile_error_bytes = CLASSROOM_COMPILE_ERROR_BYTES
        .min(CLASSROOM_ALL_COMPILE_ERRORS_BYTES / failing_lessons.max(1));
    let reason_bytes = (CLASSROOM_ALL_REASONS_BYTES / report.exercises().count().max(1))
        .clamp(60, CLASSROOM_REASON_BYTES);
    let mut notes = classroom_notes(report, unit.is_none());
    let mut tests = Vec::new();
    let mut exercise_index = 0;
    for lesson in &report.lessons {
        let first_label = lesson
            .exercises
            .first()
            .map(|exercise| exercise.label.as_str())
            .unwrap_or_default();
        for (position, exercise) in lesson.exercises.iter().enumerate() {
            let exercise_notes = std::mem::take(&mut notes[exercise_index]);
            exercise_index += 1;
            let (parts, part_points) = match unit {
                Some(unit) => (exercise.max_points / unit, unit),
                None => (1, exercise.max_points),
            };
            let passed = exercise
                .tests
                .iter()
                .filter(|test| test.status == TestStatus::Pass)
                .count();
            let first_failure = exercise
                .tests
                .iter()
                .find(|test| test.status != TestStatus::Pass);
            let errored = exercise
                .tests
                .iter()
                .any(|test| test.status == TestStatus::Error);
            let status = if errored {
                "error"
            } else if exercise.points() == exercise.max_points {
                "pass"
            } else {
                "fail"
            };
            let score = if status == "pass" { part_points } else { 0 };
            let mut name = format!(
                "{}: {}",
                exercise.label,
                clip(&exercise.title, CLASSROOM_TITLE_BYTES)
            );
            if parts > 1 {
                let _ = write!(name, " (part 1 of {parts})");
            }
            let mut message = String::new();
            let mut line_no = 0;
            match (status, first_failure) {
                ("error", _) => {
                    message = match &lesson.compile_error {
                        Some(errors) if position == 0 => format!(
                            "{name}: not graded, because the code of {} does not compile. The \
                             compiler said:\n\n{}",
                            lesson.handle,
                            clip_lines(
                                &plain(errors),
                                compile_error_bytes,
                                &format!("`cargo xtask check {}` shows them all", lesson.handle)
                            )
                        ),
                        _ => format!(
                            "{}: not graded, because the code of {} does not compile (its errors \
                             are under {first_label})",
                            exercise.label, lesson.handle
                        ),
                    };
                }
                ("fail", Some(test)) => {
                    let verb = if test.status == TestStatus::Timeout {
                        "timed out"
                    } else {
                        "failed"
                    };
                    let _ = write!(
                        name,
                        " ({passed}/{} tests pass); {} {verb}: {} ({})",
                        exercise.tests.len(),
                        test.name,
                        clip(&first_line(&plain(&test.message)), reason_bytes),
                        test.file
                    );
                    line_no = test.line.unwrap_or(0);
                }
                _ => {
                    let _ = write!(name, " ({passed}/{} tests pass)", exercise.tests.len());
                }
            }
            let mut test_code = Vec::new();
            if status != "pass" {
                let check = exercise.label.split(' ').next().unwrap_or_default();
                test_code.push(format!("cargo xtask check {check}"));
            }
            test_code.extend(exercise_notes);
            let duration: f64 = exercise
                .tests
                .iter()
                .map(|test| test.duration.as_secs_f64())
                .sum();
            let mut entry = json!({
                "name": name,
                "status": status,
                "score": score,
                "max_score": part_points,
                "line_no": line_no,
                "message": message,
                "duration": (duration * 1000.0).round() / 1000.0,
            });
            if !test_code.is_empty() {
                entry["test_code"] = Value::from(test_code.join("\n"));
            }
            tests.push(entry);
            // The exercise's other shares of points, as short as they can be.
            for part in 2..=parts {
                let name = format!("{} (part {part} of {parts})", exercise.label);
                tests.push(json!({
                    "name": name,
                    "status": status,
                    "score": score,
                    "max_score": part_points,
                    "line_no": 0,
                    "message": if status == "error" { format!("{name}: not graded") } else { String::new() },
                }));
            }
        }
    }
    let errored = report.exercises().any(|exercise| {
        exercise
            .tests
            .iter()
            .any(|test| test.status == TestStatus::Error)
    });
    let status = if errored {
        "error"
    } else if report.all_passed() {
        "pass"
    } else {
        "fail"
    };
    json!({
        "version": 1,
        "status": status,
        "max_score": report.max_points(),
        "tests": tests,
    })
}

/// The points each entry of the classroom result is worth. The reporter's
/// table scores a result as (entries passed / entries) × `max_score`, while
/// Classroom is sent the sum of the entries' `score`s: the two agree only
/// when every entry is worth the same. So an exercise worth two units of
/// the greatest common divisor of the course's points is two entries (in a
/// course where every exercise has the same points, one each). `None` when
/// that would take more than [`CLASSROOM_MAX_ENTRIES`] entries (or no
/// exercise has points): then each exercise is one entry, the points sent
/// to Classroom stay right, and a note says the table weighs exercises alike.
fn classroom_unit(report: &GradeReport) -> Option<u32> {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let unit = report
        .exercises()
        .map(|exercise| exercise.max_points)
        .fold(0, gcd);
    if unit == 0 {
        return None;
    }
    let entries: usize = report
        .exercises()
        .map(|exercise| (exercise.max_points / unit) as usize)
        .sum();
    (entries <= CLASSROOM_MAX_ENTRIES.max(report.exercises().count())).then_some(unit)
}

/// The edits and flags as lines of the `test_code` of the exercise each
/// concerns (an exercise's test file, else the first exercise of the lesson
/// whose folder holds the file, else the first exercise), capped in total.
fn classroom_notes(report: &GradeReport, exercises_weigh_alike: bool) -> Vec<Vec<String>> {
    let exercises: Vec<_> = report.exercises().collect();
    let mut notes = vec![Vec::new(); exercises.len()];
    if exercises.is_empty() {
        return notes;
    }
    let owner = |path: &str| -> usize {
        let folder_of = |file: &str| file.split('/').nth(1).map(str::to_owned);
        exercises
            .iter()
            .position(|exercise| exercise.tests.iter().any(|test| test.file == path))
            .or_else(|| {
                let folder = folder_of(path)?;
                exercises.iter().position(|exercise| {
                    exercise
                        .tests
                        .first()
                        .and_then(|test| folder_of(&test.file))
                        .is_some_and(|tests_folder| tests_folder == folder)
                })
            })
            .unwrap_or(0)
    };
    if exercises_weigh_alike {
        notes[0].push(
            "# The reporter's table counts every exercise alike; the points sent to Classroom are \
             the course's"
                .to_owned(),
        );
    }
    let candidates = report
        .edits
        .iter()
        .map(|edit| {
            (
                owner(&edit.path),
                format!(
                    "# {} in your copy, not used in grading (the course's own files were): {}",
                    edit.change.as_str(),
                    edit.path
                ),
            )
        })
        .chain(report.flags.iter().map(|flag| {
            (
                owner(&flag.path),
                format!(
                    "# a line for your instructor to read (not a deduction): {}",
                    plain(&flag_line(flag))
                ),
            )
        }));
    let mut used = 0;
    let mut left_out = 0;
    for (exercise, note) in candidates {
        let note = clip(&note, CLASSROOM_NOTE_BYTES);
        if used + note.len() > CLASSROOM_ALL_NOTES_BYTES {
            left_out += 1;
            continue;
        }
        used += note.len() + 1;
        notes[exercise].push(note);
    }
    if left_out > 0 {
        notes[0].push(format!(
            "# ... and {left_out} more edits and flags: the instructor's report (grade --format \
             human or json) lists them all"
        ));
    }
    notes
}

/// One lesson's compiler errors in a JUnit report, where they are written
/// once, in the lesson's first test case.
const JUNIT_COMPILE_ERROR_BYTES: usize = 16 * 1024;
const JUNIT_MESSAGE_BYTES: usize = 300;

/// JUnit XML as junitparser, dorny/test-reporter, action-junit-report and
/// GitLab read it: a suite per lesson, a case per test of the course's test
/// files, each with the `file` (as the repository has it) and `line` of
/// its `fn`, so annotations land on the test. A lesson that does not
/// compile lists the same cases, each an `<error>`, so the count of tests
/// never changes with the student's code.
fn junit(report: &GradeReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all: Vec<_> = report
        .exercises()
        .flat_map(|exercise| &exercise.tests)
        .collect();
    let count = |status: TestStatus| all.iter().filter(|test| test.status == status).count();
    let seconds = |tests: &mut dyn Iterator<Item = &crate::grade::TestGrade>| -> f64 {
        tests.map(|test| test.duration.as_secs_f64()).sum()
    };
    let _ = writeln!(
        out,
        "<testsuites name=\"netlings\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        all.len(),
        count(TestStatus::Fail) + count(TestStatus::Timeout),
        count(TestStatus::Error),
        seconds(&mut all.iter().copied())
    );
    for lesson in &report.lessons {
        let tests: Vec<_> = lesson
            .exercises
            .iter()
            .flat_map(|exercise| &exercise.tests)
            .collect();
        let failures = tests
            .iter()
            .filter(|test| matches!(test.status, TestStatus::Fail | TestStatus::Timeout))
            .count();
        let errors = tests
            .iter()
            .filter(|test| test.status == TestStatus::Error)
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{:.3}\">",
            xml(&format!("{} {}", lesson.handle, lesson.title)),
            tests.len(),
            seconds(&mut tests.iter().copied())
        );
        let compile_error = lesson.compile_error.as_deref().map(plain);
        let first_test = tests.first().map(|test| test.name.as_str());
        for exercise in &lesson.exercises {
            let classname = exercise.label.replacen(' ', ".", 1).replace('/', ".");
            for test in &exercise.tests {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                    xml(&classname),
                    xml(&test.name),
                    xml(&test.file),
                );
                if let Some(line) = test.line {
                    let _ = write!(out, " line=\"{line}\"");
                }
                let _ = write!(out, " time=\"{:.3}\"", test.duration.as_secs_f64());
                let message = plain(&test.message);
                match test.status {
                    TestStatus::Pass => out.push_str("/>\n"),
                    TestStatus::Fail | TestStatus::Timeout => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                            test.status.as_str(),
                            xml(&clip(&first_line(&message), JUNIT_MESSAGE_BYTES)),
                            xml(&message)
                        );
                    }
                    TestStatus::Error => {
                        let (summary, body) = match &compile_error {
                            Some(errors) => (
                                format!("{message}: {}", first_error(errors)),
                                if first_test == Some(test.name.as_str()) {
                                    clip_lines(
                                        errors,
                                        JUNIT_COMPILE_ERROR_BYTES,
                                        &format!(
                                            "`cargo xtask check {}` shows them all",
                                            lesson.handle
                                        ),
                                    )
                                } else {
                                    format!(
                                        "{message}; the compiler's errors are under the lesson's first test, {}",
                                        first_test.unwrap_or_default()
                                    )
                                },
                            ),
                            None => (first_line(&message), message.clone()),
                        };
                        let _ = writeln!(
                            out,
                            ">\n      <error type=\"compile\" message=\"{}\">{}</error>\n    </testcase>",
                            xml(&clip(&summary, JUNIT_MESSAGE_BYTES)),
                            xml(&body)
                        );
                    }
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    // Edits and flags are not tests: empty suites carry them as properties,
    // so the counts stay those of the tests.
    let mut properties_suite = |name: &str, property: &str, values: Vec<String>| {
        if values.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"0\">\n    <properties>",
            xml(name)
        );
        for value in values {
            let _ = writeln!(
                out,
                "      <property name=\"{property}\" value=\"{}\"/>",
                xml(&value)
            );
        }
        out.push_str("    </properties>\n  </testsuite>\n");
    };
    properties_suite(
        "edits: files that differ from the course, not used",
        "edit",
        report
            .edits
            .iter()
            .map(|edit| format!("{} {}", edit.change.as_str(), edit.path))
            .collect(),
    );
    properties_suite(
        "flags: lines to read, not deductions",
        "flag",
        report.flags.iter().map(flag_line).collect(),
    );
    out.push_str("</testsuites>\n");
    out
}

fn markdown(report: &GradeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### netlings: {}/{} points\n",
        report.points(),
        report.max_points()
    );
    let _ = writeln!(out, "| exercise | title | tests passed | points |");
    let _ = writeln!(out, "|---|---|---|---|");
    for exercise in report.exercises() {
        let passed = exercise
            .tests
            .iter()
            .filter(|test| test.status == TestStatus::Pass)
            .count();
        let mark = if exercise.points() == exercise.max_points {
            "✅"
        } else {
            "❌"
        };
        let _ = writeln!(
            out,
            "| {mark} `{}` | {} | {passed}/{} | {}/{} |",
            exercise.label,
            exercise.title.replace('|', "\\|"),
            exercise.tests.len(),
            exercise.points(),
            exercise.max_points
        );
    }
    for lesson in &report.lessons {
        if let Some(errors) = &lesson.compile_error {
            // A fence of four backticks, which the compiler's text (made
            // plain, with any run of four broken) cannot close.
            let _ = writeln!(
                out,
                "\n**{} does not compile**, so none of its tests ran. The compiler said:\n\n````text\n{}\n````",
                lesson.handle,
                clip_lines(
                    &plain(errors),
                    HUMAN_COMPILE_ERROR_BYTES,
                    &format!("`cargo xtask check {}` shows them all", lesson.handle)
                )
                .replace("````", "``\u{200b}``")
            );
        }
    }
    if !report.edits.is_empty() {
        let _ = writeln!(
            out,
            "\n**Files outside `exercises/*/src/` that differ from the course** (not used):\n"
        );
        for edit in &report.edits {
            let _ = write!(out, "- {} `{}`", edit.change.as_str(), edit.path);
            if let Some(what) = edit.ignored_configuration() {
                let _ = write!(out, " ({what})");
            }
            let _ = writeln!(out);
        }
    }
    if !report.flags.is_empty() {
        let _ = writeln!(
            out,
            "\n**Lines to read** (flags for a person, not deductions):\n"
        );
        for flag in &report.flags {
            let _ = writeln!(
                out,
                "- `{}:{}` {}: `{}`",
                flag.path,
                flag.line,
                flag.construct,
                flag.text.replace('`', "'")
            );
        }
    }
    out
}

/// Escapes text for an XML attribute or element, dropping the control
/// characters XML 1.0 cannot carry (ANSI colour codes among them).
fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in plain(text).chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// `text` without ANSI escape sequences (`ESC [ ... m`, as rustc colours
/// its errors) and without control characters other than newline and tab.
fn plain(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\x1b' => {
                if characters.peek() == Some(&'[') {
                    characters.next();
                    for parameter in characters.by_ref() {
                        if ('\x40'..='\x7e').contains(&parameter) {
                            break;
                        }
                    }
                }
            }
            '\n' | '\t' => plain.push(character),
            control if control.is_control() => {}
            other => plain.push(other),
        }
    }
    plain
}

/// The first line of `text` that says something.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// The compiler's first error line (`error[E0308]: mismatched types`).
fn first_error(errors: &str) -> String {
    errors
        .lines()
        .find(|line| line.starts_with("error"))
        .map(str::to_owned)
        .unwrap_or_else(|| first_line(errors))
}

/// `text` cut to at most `max` bytes, at a character boundary, ending in
/// `…` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// As many whole lines of `text` as fit in `max` bytes (at least a clipped
/// first one), then a line that says how many were left out and `where_all`.
fn clip_lines(text: &str, max: usize, where_all: &str) -> String {
    let text = text.trim_end();
    if text.len() <= max {
        return text.to_owned();
    }
    let mut kept = String::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if kept.len() + line.len() + 1 > max {
            if kept.is_empty() {
                kept = clip(line, max);
                kept.push('\n');
            }
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let left_out = text.lines().count() - kept.lines().count();
    let _ = write!(kept, "... {left_out} more lines; {where_all}");
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{Change, Edit, ExerciseGrade, LessonGrade, TestGrade};
    use std::time::Duration;

    fn report() -> GradeReport {
        let test = |name: &str, status: TestStatus, message: &str| TestGrade {
            name: name.into(),
            status,
            duration: Duration::from_millis(12),
            message: message.into(),
            file: "exercises/01-socket-basics/tests/resolve.rs".into(),
            line: Some(40),
        };
        GradeReport {
            lessons: vec![LessonGrade {
                handle: "lesson1".into(),
                title: "Socket basics".into(),
                exercises: vec![
                    ExerciseGrade {
                        label: "lesson1/1 endpoint".into(),
                        title: "Parse".into(),
                        max_points: 10,
                        tests: vec![test("parses", TestStatus::Pass, "")],
                    },
                    ExerciseGrade {
                        label: "lesson1/2 resolve".into(),
                        title: "Resolve".into(),
                        max_points: 10,
                        tests: vec![
                            test("resolves", TestStatus::Pass, ""),
                            test(
                                "connects",
                                TestStatus::Fail,
                                "expected <1> & got \"2\"\x1b[0m",
                            ),
                        ],
                    },
                ],
                compile_error: None,
            }],
            edits: vec![Edit {
                path: "exercises/01-socket-basics/tests/endpoint.rs".into(),
                change: Change::Modified,
            }],
            flags: vec![Flag {
                path: "exercises/01-socket-basics/src/endpoint.rs".into(),
                line: 7,
                construct: "ends the process (std::process::exit)",
                text: "std::process::exit(0)".into(),
            }],
        }
    }

    #[test]
    fn json_scores_exercises_and_lists_edits() {
        let value: Value = serde_json::from_str(&render(&report(), Format::Json)).unwrap();
        assert_eq!(value["points"], 10);
        assert_eq!(value["max_points"], 20);
        assert_eq!(
            value["lessons"][0]["exercises"][1]["tests"][1]["status"],
            "fail"
        );
        assert_eq!(value["edits"][0]["change"], "modified");
        assert_eq!(value["flags"][0]["line"], 7);
        assert_eq!(value["flags"][0]["text"], "std::process::exit(0)");
    }

    #[test]
    fn every_format_shows_the_flags() {
        let flagged = "exercises/01-socket-basics/src/endpoint.rs:7";
        for format in [
            Format::Human,
            Format::Junit,
            Format::Classroom,
            Format::Markdown,
        ] {
            let text = render(&report(), format);
            assert!(text.contains(flagged), "{format:?}: {text}");
            assert!(text.contains("std::process::exit(0)"), "{format:?}: {text}");
        }
        let xml = render(&report(), Format::Junit);
        assert!(
            xml.contains("<testsuites name=\"netlings\" tests=\"3\""),
            "flags are not counted as tests: {xml}"
        );
    }

    #[test]
    fn classroom_has_one_scored_test_per_exercise() {
        let value: Value = serde_json::from_str(&render(&report(), Format::Classroom)).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["status"], "fail");
        assert_eq!(value["max_score"], 20);
        assert_eq!(value["tests"][0]["score"], 10);
        assert_eq!(value["tests"][1]["status"], "fail");
        assert_eq!(value["tests"][1]["line_no"], 40);
        let name = value["tests"][1]["name"].as_str().unwrap();
        assert!(
            name.contains("connects failed: expected <1> & got \"2\""),
            "the reporter prints no message for a failure, so the name says why: {name}"
        );
        assert!(!name.contains('\x1b'), "{name}");
    }

    #[test]
    fn junit_escapes_messages_and_counts_failures() {
        let xml = render(&report(), Format::Junit);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"0\""),
            "{xml}"
        );
        assert!(
            xml.contains("expected &lt;1&gt; &amp; got &quot;2&quot;<"),
            "{xml}"
        );
        assert!(
            !xml.contains('\x1b') && !xml.contains("[0m"),
            "colour codes go whole: {xml}"
        );
    }

    #[test]
    fn markdown_is_a_table() {
        let text = render(&report(), Format::Markdown);
        assert!(text.contains("### netlings: 10/20 points"));
        assert!(text.contains("| ❌ `lesson1/2 resolve` | Resolve | 1/2 | 0/10 |"));
        assert!(text.contains("- modified `exercises/01-socket-basics/tests/endpoint.rs`"));
    }

    #[test]
    fn formats_answer_to_the_names_the_flag_takes() {
        use clap::ValueEnum;
        for (name, format) in [
            ("human", Format::Human),
            ("json", Format::Json),
            ("junit", Format::Junit),
            ("classroom", Format::Classroom),
            ("markdown", Format::Markdown),
        ] {
            assert_eq!(Format::from_str(name, false), Ok(format));
        }
        assert!(Format::from_str("xml", false).is_err());
    }
}
