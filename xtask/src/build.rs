//! Building test executables with cargo, without running them.
//!
//! `cargo test --no-run --message-format=json-...` reports, as JSON lines on
//! stdout, each compiler diagnostic already rendered the way rustc prints it,
//! and each test executable it produced. The runner then runs those
//! executables itself, one test at a time (see `test_run`).

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to build: a workspace package, or a standalone package by manifest.
#[derive(Clone, Copy)]
pub enum BuildTarget<'a> {
    Package(&'a str),
    Manifest(&'a Path),
}

pub struct BuildRequest<'a> {
    pub workspace_root: &'a Path,
    pub target: BuildTarget<'a>,
    /// Only these test targets (test file stems); all when empty.
    pub test_targets: &'a [String],
    pub offline: bool,
    pub color: bool,
}

/// A test executable and the test target (test file stem) it was built from.
#[derive(Debug, Clone)]
pub struct TestExecutable {
    pub target: String,
    pub path: PathBuf,
    /// The folder of the package it tests, where `cargo test` would run it.
    pub package_dir: PathBuf,
}

pub enum BuildOutcome {
    Built(Vec<TestExecutable>),
    /// The code does not compile; holds the compiler's errors as rustc renders them.
    CompileErrors(String),
}

pub fn build_tests(request: &BuildRequest) -> Result<BuildOutcome> {
    let mut command = Command::new(cargo());
    command
        .current_dir(request.workspace_root)
        .args(["test", "--no-run"]);
    match request.target {
        BuildTarget::Package(package) => command.args(["--package", package]),
        BuildTarget::Manifest(manifest) => command.arg("--manifest-path").arg(manifest),
    };
    for target in request.test_targets {
        command.args(["--test", target]);
    }
    if request.offline {
        command.arg("--offline");
    }
    let format = if request.color {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    command.arg(format);
    command.env("CARGO_TARGET_DIR", target_dir(request.workspace_root));
    // cargo's own progress and summary go to the user's terminal as usual;
    // the JSON on stdout is ours.
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());

    let described = describe(request);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting cargo to build {described}"))?;
    let stdout = child.stdout.take().context("cargo's stdout is piped")?;
    let mut executables = Vec::new();
    let mut errors = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line =
            line.with_context(|| format!("reading cargo's output while building {described}"))?;
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") if message["message"]["level"] == "error" => {
                if let Some(rendered) = message["message"]["rendered"].as_str() {
                    errors.push(rendered.to_owned());
                }
            }
            Some("compiler-artifact") if is_test_artifact(&message) => {
                if let (Some(target), Some(path), Some(manifest)) = (
                    message["target"]["name"].as_str(),
                    message["executable"].as_str(),
                    message["manifest_path"].as_str(),
                ) {
                    executables.push(TestExecutable {
                        target: target.to_owned(),
                        path: PathBuf::from(path),
                        package_dir: Path::new(manifest)
                            .parent()
                            .unwrap_or(Path::new("."))
                            .to_path_buf(),
                    });
                }
            }
            _ => {}
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for cargo to build {described}"))?;
    if !errors.is_empty() {
        return Ok(BuildOutcome::CompileErrors(errors.concat()));
    }
    if !status.success() {
        bail!("cargo could not build {described} ({status}); its messages are above");
    }
    Ok(BuildOutcome::Built(executables))
}

fn is_test_artifact(message: &serde_json::Value) -> bool {
    message["profile"]["test"] == true
        && message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"))
}

fn describe(request: &BuildRequest) -> String {
    match request.target {
        BuildTarget::Package(package) => format!("the tests of {package}"),
        BuildTarget::Manifest(manifest) => format!("the tests of {}", manifest.display()),
    }
}

/// The cargo that started us (set by `cargo run`), or the one on PATH.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Where builds go: `CARGO_TARGET_DIR` when set, else the workspace's `target/`.
pub fn target_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root.join(dir),
        None => workspace_root.join("target"),
    }
}
