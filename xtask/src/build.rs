//! Building test executables with cargo, without running them.
//!
//! `cargo test --no-run --message-format=json-...` reports, as JSON lines on
//! stdout, each compiler diagnostic already rendered the way rustc prints it,
//! and each test executable it produced. The runner then runs those
//! executables itself, one test at a time (see `test_run`).

use crate::clean_env;
use anyhow::{Context, Result, bail};
use std::fs::{self, File, TryLockError};
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
    pub build_dir: &'a BuildDir,
    pub target: BuildTarget<'a>,
    /// Only these test targets (test file stems); all when empty.
    pub test_targets: &'a [String],
    pub offline: bool,
    pub color: bool,
    /// Keep the compiler's warnings about files in this folder (the
    /// learner's crate); all other warnings are dropped.
    pub warnings_from: Option<&'a Path>,
    /// For `grade`: cargo from `PATH` (not the one that started the
    /// runner), a cleared environment (see `clean_env`), the workspace's own
    /// Cargo.lock as it is (`--locked`), and no progress lines (`--quiet`)
    /// when several students build at once.
    pub isolation: Isolation,
}

/// How much of the runner's surroundings a build may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// `check` and `verify`: the learner's (or maintainer's) own cargo, its
    /// environment and configuration, as `cargo test` would see them.
    None,
    /// `grade`: see [`BuildRequest::isolation`]; cargo's progress shown.
    Graded,
    /// `grade` of a class: the same, without cargo's progress.
    GradedQuietly,
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
    /// The test executables, and the compiler's warnings (rendered) about
    /// the code in `BuildRequest::warnings_from`.
    Built(Vec<TestExecutable>, Vec<String>),
    /// The code does not compile; holds the compiler's errors as rustc renders them.
    CompileErrors(String),
}

pub fn build_tests(request: &BuildRequest) -> Result<BuildOutcome> {
    let mut command = match request.isolation {
        Isolation::None => Command::new(cargo()),
        Isolation::Graded | Isolation::GradedQuietly => {
            // The `cargo` on PATH is rustup's proxy where rustup is
            // installed: it picks the toolchain the course's workspace asks
            // for, not one a student's rust-toolchain.toml chose for the
            // runner.
            let mut command = Command::new("cargo");
            clean_env::clean(&mut command);
            command
        }
    };
    command
        .current_dir(request.workspace_root)
        .args(["test", "--no-run"]);
    match request.isolation {
        Isolation::None => {}
        Isolation::Graded => {
            command.arg("--locked");
        }
        Isolation::GradedQuietly => {
            command.args(["--locked", "--quiet"]);
        }
    }
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
    command.env("CARGO_TARGET_DIR", &request.build_dir.path);
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
    let mut warnings: Vec<String> = Vec::new();
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
            Some("compiler-message") if message["message"]["level"] == "warning" => {
                let about_watched_code = request.warnings_from.is_some_and(|dir| {
                    message["target"]["src_path"]
                        .as_str()
                        .is_some_and(|src| Path::new(src).starts_with(dir))
                });
                if let (true, Some(rendered)) =
                    (about_watched_code, message["message"]["rendered"].as_str())
                    && !warnings.iter().any(|seen| seen == rendered)
                {
                    warnings.push(rendered.to_owned());
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
    Ok(BuildOutcome::Built(executables, warnings))
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

/// A target directory of the runner's own, held exclusively while in use.
///
/// Programs are copied to `target/debug/NAME`, and a test finds its program
/// there (`CARGO_BIN_EXE_NAME`). The exercise and the solution of a lesson
/// ship programs of the same name, so a build of one replaces the other's.
/// The runner therefore builds in folders of its own, one per purpose
/// (`target/netlings/check`, `target/netlings/verify`), never in the folder
/// that `cargo test` uses, and one runner at a time per folder: a second
/// `check` started meanwhile waits for the first.
pub struct BuildDir {
    pub path: PathBuf,
    _lock: File,
}

impl BuildDir {
    pub fn acquire(workspace_root: &Path, purpose: &str) -> Result<BuildDir> {
        let base = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => workspace_root.join(dir),
            None => workspace_root.join("target"),
        };
        BuildDir::acquire_at(base.join("netlings").join(purpose), purpose).context(
            "Is this checkout read-only? Point CARGO_TARGET_DIR at a folder you can write to, \
             for example `CARGO_TARGET_DIR=/tmp/netlings-target`",
        )
    }

    /// The target directory at `path`, for `cargo xtask {purpose}`; waits
    /// while another runner holds it.
    pub fn acquire_at(path: PathBuf, purpose: &str) -> Result<BuildDir> {
        fs::create_dir_all(&path)
            .with_context(|| format!("creating {} for the build", path.display()))?;
        let lock_path = path.join(".lock");
        let lock = File::create(&lock_path)
            .with_context(|| format!("creating {}", lock_path.display()))?;
        if let Err(TryLockError::WouldBlock) = lock.try_lock() {
            eprintln!(
                "waiting for another `cargo xtask {purpose}` in {} to finish...",
                path.display()
            );
            lock.lock()
                .with_context(|| format!("locking {}", lock_path.display()))?;
        }
        Ok(BuildDir { path, _lock: lock })
    }
}
