//! The netlings runner, behind `cargo xtask`. `main.rs` parses the command
//! line and calls one module per command; the rest is shared plumbing.
//!
//! - [`course`]: lessons, manifests and the handles users type;
//! - [`app_state`]: the course and the learner's progress, loaded once;
//! - [`build`]: `cargo test --no-run`, read as JSON;
//! - [`clean_env`]: the environment of a graded build and its tests;
//! - [`test_run`]: one process per test, in parallel, with deadlines;
//! - [`interrupt`]: Ctrl-C stops the tests before the runner;
//! - [`lesson_run`]: build a lesson's crate and run some of its exercises;
//! - [`book`], [`check`], [`grade`], [`hint`], [`list`], [`release`], [`reset`], [`solution`], [`verify`],
//!   [`watch`]: the commands;
//! - [`grade_report`]: grade's output formats;
//! - [`class`]: `grade --students`, a class at once, and its class report;
//! - [`flags`]: lines of a student's files an instructor should read;
//! - [`rules`]: the course's rules, checked by `verify` and by `cargo test`;
//! - [`known_bad`]: wrong answers kept beside each solution, for `verify`;
//! - [`scratch`]: copies of the course to build in (grade, known-bad variants, CLI tests);
//! - [`progress`]: what passed at the last check, as kept on disk;
//! - [`toml_file`]: the course's TOML files, read through serde;
//! - [`style`]: colour or not.

pub mod app_state;
pub mod book;
pub mod build;
pub mod check;
pub mod class;
pub mod clean_env;
pub mod course;
pub mod flags;
pub mod grade;
pub mod grade_report;
pub mod hint;
pub mod interrupt;
pub mod known_bad;
pub mod lesson_run;
pub mod list;
pub mod progress;
pub mod release;
pub mod reset;
pub mod rules;
pub mod scratch;
pub mod solution;
pub mod style;
pub mod test_run;
pub mod toml_file;
pub mod verify;
pub mod watch;
