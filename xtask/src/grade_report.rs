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
        Format::Classroom => pretty(&classroom(report)),
        Format::Markdown => markdown(report),
    }
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serialises");
    text.push('\n');
    text
}

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
            let failing: Vec<_> = exercise
                .tests
                .iter()
                .filter(|test| test.status != TestStatus::Pass)
                .collect();
            // An exercise not started fails every test; its first failure says enough.
            let shown = if passed == 0 {
                failing.len().min(1)
            } else {
                failing.len()
            };
            for test in &failing[..shown] {
                let first_line = test.message.lines().next().unwrap_or("");
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

/// GitHub Classroom's runner result: one entry per exercise, scored like
/// `check` scores it.
fn classroom(report: &GradeReport) -> Value {
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
    let tests: Vec<Value> = report
        .exercises()
        .map(|exercise| {
            let failing: Vec<String> = exercise
                .tests
                .iter()
                .filter(|test| test.status != TestStatus::Pass)
                .map(|test| format!("{} ({}): {}", test.name, test.status.as_str(), test.message))
                .collect();
            let status = if exercise
                .tests
                .iter()
                .any(|test| test.status == TestStatus::Error)
            {
                "error"
            } else if failing.is_empty() {
                "pass"
            } else {
                "fail"
            };
            let duration: f64 = exercise
                .tests
                .iter()
                .map(|test| test.duration.as_secs_f64())
                .sum();
            json!({
                "name": format!("{} ({})", exercise.label, exercise.title),
                "status": status,
                "score": exercise.points(),
                "max_score": exercise.max_points,
                "message": failing.join("\n"),
                "duration": (duration * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    json!({
        "version": 1,
        "status": status,
        "max_score": report.max_points(),
        "tests": tests,
        "flags": report.flags.iter().map(flag_line).collect::<Vec<_>>(),
    })
}

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
        for exercise in &lesson.exercises {
            let classname = exercise.label.replacen(' ', ".", 1).replace('/', ".");
            for test in &exercise.tests {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                    xml(&classname),
                    xml(&test.name),
                    test.duration.as_secs_f64()
                );
                let first_line = test.message.lines().next().unwrap_or("");
                match test.status {
                    TestStatus::Pass => out.push_str("/>\n"),
                    TestStatus::Fail | TestStatus::Timeout => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                            test.status.as_str(),
                            xml(first_line),
                            xml(&test.message)
                        );
                    }
                    TestStatus::Error => {
                        let _ = writeln!(
                            out,
                            ">\n      <error type=\"compile\" message=\"{}\">{}</error>\n    </testcase>",
                            xml(first_line),
                            xml(&test.message)
                        );
                    }
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    if !report.flags.is_empty() {
        // Flags are not tests: an empty suite carries them as properties,
        // so the counts stay those of the tests.
        out.push_str("  <testsuite name=\"flags: lines to read, not deductions\" tests=\"0\">\n    <properties>\n");
        for flag in &report.flags {
            let _ = writeln!(
                out,
                "      <property name=\"flag\" value=\"{}\"/>",
                xml(&flag_line(flag))
            );
        }
        out.push_str("    </properties>\n  </testsuite>\n");
    }
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
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' | '\t' | '\r' => escaped.push(character),
            control if control.is_control() => {}
            other => escaped.push(other),
        }
    }
    escaped
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
        assert!(
            value["tests"][1]["message"]
                .as_str()
                .unwrap()
                .contains("connects (fail)")
        );
    }

    #[test]
    fn junit_escapes_messages_and_counts_failures() {
        let xml = render(&report(), Format::Junit);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"0\""),
            "{xml}"
        );
        assert!(
            xml.contains("expected &lt;1&gt; &amp; got &quot;2&quot;[0m"),
            "{xml}"
        );
        assert!(!xml.contains('\x1b'));
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
