//! What the runner's CLI tests share: throwaway copies of the workspace,
//! one target directory for all of them, and a lock so that one test at a
//! time builds in it.
//!
//! Each copy lives under cargo's `target/tmp`, and every copy builds in one
//! target directory kept for these tests, so that dependencies are built
//! once. Copies of one workspace produce artifacts of the same names, and
//! cargo judges freshness by modification time; so a test holds a lock from
//! before it copies until it is done, and every copy's files are newer than
//! anything an earlier test built.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use xtask::scratch;

/// The course this runner belongs to.
pub fn course_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the course root")
}

/// A copy of the course's sources (no target/, no .git) in a fresh folder.
pub struct Workspace {
    pub root: PathBuf,
    _lock: Option<fs::File>,
}

impl Workspace {
    pub fn copy() -> Workspace {
        let lock = one_test_at_a_time();
        Workspace::copy_holding(Some(lock))
    }

    /// A second copy for a test that already holds the lock (through the
    /// copy it made first).
    pub fn another_copy(&self) -> Workspace {
        Workspace::copy_holding(None)
    }

    fn copy_holding(lock: Option<fs::File>) -> Workspace {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "cli-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if root.exists() {
            fs::remove_dir_all(&root).expect("clearing an old copy");
        }
        // Freshly written files have fresh modification times: cargo never
        // mistakes a copy for an older build.
        scratch::sync(&root, course_files()).expect("writing the copy of the course");
        Workspace { root, _lock: lock }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn edit(&self, relative: &str, edit: impl FnOnce(String) -> String) {
        let path = self.path(relative);
        let text = fs::read_to_string(&path).expect("reading a file of the copy");
        let edited = edit(text.clone());
        assert_ne!(edited, text, "the edit to {relative} changed nothing");
        fs::write(&path, edited).expect("writing a file of the copy");
    }

    /// `cargo xtask ARGS` in this copy, with the runner this test was built with.
    pub fn xtask(&self, args: &[&str]) -> Command {
        let mut command = Command::from_std(self.runner(args));
        command.timeout(Duration::from_secs(600));
        command
    }

    /// The runner as a plain process, for tests that talk to it while it
    /// runs (Ctrl-C, watch).
    pub fn runner(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("xtask"));
        command
            .args(args)
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env("NO_COLOR", "1")
            // The copy lives inside the course's own checkout (under
            // target/); git must not find that repository from the copy.
            .env(
                "GIT_CEILING_DIRECTORIES",
                self.root.parent().expect("the copy has a parent"),
            );
        command
    }
}

impl Workspace {
    /// Runs git in this copy, as a learner would in their repository.
    pub fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .env(
                "GIT_CEILING_DIRECTORIES",
                self.root.parent().expect("the copy has a parent"),
            )
            .args([
                "-c",
                "user.name=learner",
                "-c",
                "user.email=learner@example.com",
            ])
            .args(args)
            .current_dir(&self.root)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("running git");
        assert!(status.success(), "git {args:?} failed");
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// The course's files as released (`xtask::scratch::released_files`), so
/// that a learner's solved (or broken) exercises never reach the copies
/// these tests expect to hold stubs. A maintainer's change reaches them once
/// it is recorded (`git add -A && cargo xtask release`).
pub fn course_files() -> &'static scratch::FileSet {
    static FILES: std::sync::OnceLock<scratch::FileSet> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        scratch::released_files(course_root())
            .expect("reading the course as course.lock records it")
    })
}

/// Copies the files of one folder over another, as a learner copying the
/// reference solution's `src/` over their own would.
pub fn copy_over(from: &Path, to: &Path) {
    for (file, content) in scratch::tree_files(from).expect("reading the files to copy") {
        scratch::write_if_changed(&to.join(file), &content).expect("copying a file");
    }
}

pub fn shared_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-target")
}

/// `grade`'s `--work` folder, shared by the tests (one at a time) so that
/// the graded course is built once.
pub fn grade_work() -> String {
    shared_target_dir()
        .join("grade-work")
        .to_string_lossy()
        .into_owned()
}

/// A lock held by one test at a time, across processes too (two runs of
/// the suite in one checkout share the target directory).
pub fn one_test_at_a_time() -> fs::File {
    fs::create_dir_all(shared_target_dir()).expect("creating the tests' target directory");
    let path = shared_target_dir().join("one-test-at-a-time.lock");
    let lock = fs::File::create(&path).expect("creating the tests' lock file");
    lock.lock().expect("taking the tests' lock");
    lock
}
