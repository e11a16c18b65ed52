//! Constructs in a student's files that an instructor should look at.
//!
//! The runner trusts a test only when it reports through its verdict channel
//! (see `netlings-verdict`), but a learner's code runs in the test's process
//! and a determined student can still try to reach that channel or end the
//! process. `grade` does not deduct points for any of this; it lists each
//! such line, added by the student, so that a person can read it.

use serde::Serialize;

/// One line of a learner's file that uses a construct worth a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The file, relative to the student's copy.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// What the line uses, as an instructor would name it.
    pub construct: &'static str,
    /// The line itself, trimmed.
    pub text: String,
}

/// The patterns, and what each one means to an instructor.
const CONSTRUCTS: &[(&str, &str)] = &[
    ("process::exit", "ends the process (std::process::exit)"),
    ("process::abort", "aborts the process (std::process::abort)"),
    ("libc::exit", "ends the process (libc::exit)"),
    ("libc::_exit", "ends the process (libc::_exit)"),
    ("libc::abort", "aborts the process (libc::abort)"),
    ("libc::kill", "signals a process (libc::kill)"),
    ("unsafe", "unsafe code"),
    ("extern", "extern block, function or crate"),
    (
        "link_section",
        "code placed in a link section (runs before main)",
    ),
    ("no_mangle", "a symbol exported by name"),
    ("export_name", "a symbol exported by name"),
    ("NETLINGS_", "reads the course's NETLINGS_* variables"),
    (
        "/proc/self",
        "reads its own process's memory or descriptors",
    ),
    ("include_str!", "includes a file's text at compile time"),
    ("include_bytes!", "includes a file's bytes at compile time"),
];

/// The flagged lines of `student`'s version of a file whose course version
/// is `course` (`None` for a file the course does not have). A line that the
/// course's own version has word for word is given code, not the student's.
pub fn flags_in(path: &str, student: &str, course: Option<&str>) -> Vec<Flag> {
    let given: std::collections::HashSet<&str> = course
        .map(|text| text.lines().map(str::trim).collect())
        .unwrap_or_default();
    let mut flags = Vec::new();
    for (index, line) in student.lines().enumerate() {
        let code = line.trim();
        if code.starts_with("//") || given.contains(code) {
            continue;
        }
        for &(pattern, construct) in CONSTRUCTS {
            if code.contains(pattern) {
                flags.push(Flag {
                    path: path.to_owned(),
                    line: index + 1,
                    construct,
                    text: code.to_owned(),
                });
            }
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forged_verdict_is_flagged_where_it_was_added() {
        let course = "pub fn f() -> u8 {\n    todo!(\"return 1\")\n}\n";
        let student = "pub fn f() -> u8 {\n    println!(\"test result: ok. 1 passed\");\n    \
                       std::process::exit(0)\n}\n";
        let flags = flags_in("exercises/01/src/f.rs", student, Some(course));
        assert_eq!(
            flags,
            vec![Flag {
                path: "exercises/01/src/f.rs".into(),
                line: 3,
                construct: "ends the process (std::process::exit)",
                text: "std::process::exit(0)".into(),
            }]
        );
    }

    #[test]
    fn given_code_and_comments_are_not_flagged() {
        let course = "let info = unsafe { std::mem::zeroed() };\n";
        let student = "let info = unsafe { std::mem::zeroed() };\n// no unsafe here\n";
        assert!(flags_in("a.rs", student, Some(course)).is_empty());
    }

    #[test]
    fn every_line_of_a_new_file_counts() {
        let student = "#[unsafe(link_section = \".init_array\")]\nstatic X: u8 = 0;\n\
                       const S: &str = include_str!(\"../../../tests/helpers/src/lib.rs\");\n";
        let constructs: Vec<_> = flags_in("b.rs", student, None)
            .into_iter()
            .map(|flag| (flag.line, flag.construct))
            .collect();
        assert_eq!(
            constructs,
            vec![
                (1, "unsafe code"),
                (1, "code placed in a link section (runs before main)"),
                (3, "includes a file's text at compile time"),
            ]
        );
    }
}
