//! Running tests one process each, in parallel, with a deadline.
//!
//! libtest on stable cannot report per-test results as data, and a hung
//! test keeps the messages of every other test in the same process hostage.
//! So the runner lists the tests of each executable and runs every test as a
//! process of its own (`EXE --exact NAME`), in a new process group, so that
//! a test that overruns can be killed together with anything it started. A
//! Ctrl-C kills every group before the runner exits.

use crate::build::TestExecutable;
use crate::interrupt;
use anyhow::{Context, Result, bail};
use std::collections::VecDeque;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// The user pressed Ctrl-C (or the runner got SIGTERM); the running tests
/// were stopped.
#[derive(Debug)]
pub struct Interrupted {
    pub stopped: usize,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted: stopped {} running test(s)", self.stopped)
    }
}

impl std::error::Error for Interrupted {}

/// One test of one test executable.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub executable: TestExecutable,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The test failed: an assertion, a panic in the code under test, or a
    /// crash. Holds the panic message (or what explains the crash).
    Fail {
        message: String,
        location: Option<String>,
    },
    /// The runner killed the test at its deadline.
    Timeout,
}

#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub case: TestCase,
    pub verdict: Verdict,
    pub duration: Duration,
    /// Everything the test process printed.
    pub output: String,
}

impl Verdict {
    /// A failure by `todo!()`: the stub was never filled in.
    pub fn is_unimplemented(&self) -> bool {
        matches!(self, Verdict::Fail { message, .. } if message.starts_with("not yet implemented"))
    }
}

/// `--deadline`, taken by every command that runs tests.
#[derive(Debug)]
pub struct DeadlineArg {
    pub seconds: u64,
}

impl DeadlineArg {
    pub fn arg() -> clap::Arg {
        clap::Arg::new("deadline")
            .long("deadline")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(u64).range(1..))
            .default_value("10")
            .help("Stop any single test that runs longer than this")
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> DeadlineArg {
        DeadlineArg {
            seconds: matches.get_one::<u64>("deadline").copied().unwrap_or(10),
        }
    }

    /// Runs with this deadline, one test per core at a time.
    pub fn run_options(&self, seed: Option<u64>) -> RunOptions {
        RunOptions {
            deadline: Duration::from_secs(self.seconds),
            parallel: std::thread::available_parallelism().map_or(2, usize::from),
            seed,
        }
    }
}

pub struct RunOptions {
    /// How long one test may run before it is killed.
    pub deadline: Duration,
    /// How many tests run at once.
    pub parallel: usize,
    /// The seed for tests with randomised inputs (`NETLINGS_SEED`), to
    /// replay a run; each test picks its own when `None`.
    pub seed: Option<u64>,
}

/// The names of the tests in `executable`, as `--list` prints them.
pub fn list_tests(executable: &TestExecutable) -> Result<Vec<String>> {
    let output = Command::new(&executable.path)
        .args(["--list", "--format", "terse"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("listing the tests in {}", executable.path.display()))?;
    if !output.status.success() {
        bail!(
            "listing the tests in {} failed ({}): {}",
            executable.path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// Runs every case and returns the outcomes in the order of `cases`.
pub fn run_tests(cases: Vec<TestCase>, options: &RunOptions) -> Result<Vec<TestOutcome>> {
    interrupt::install();
    let mut waiting: VecDeque<(usize, TestCase)> = cases.into_iter().enumerate().collect();
    let mut outcomes: Vec<Option<TestOutcome>> = vec![None; waiting.len()];
    let mut running: Vec<Running> = Vec::new();
    let (finished_tx, finished) = mpsc::channel::<(usize, ExitStatus)>();

    while !waiting.is_empty() || !running.is_empty() {
        while running.len() < options.parallel.max(1) {
            let Some((index, case)) = waiting.pop_front() else {
                break;
            };
            running.push(Running::start(
                index,
                case,
                options.seed,
                finished_tx.clone(),
            )?);
        }
        let next_deadline = running
            .iter()
            .map(|test| test.started + options.deadline)
            .min()
            .expect("at least one test is running");
        // Wake at least every 100 ms to notice a Ctrl-C.
        let wait = next_deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(100));
        match finished.recv_timeout(wait) {
            Ok((index, status)) => {
                // A test killed at its deadline reports its exit later; it
                // has its outcome already.
                if let Some(position) = running.iter().position(|test| test.index == index) {
                    let test = running.swap_remove(position);
                    outcomes[index] = Some(test.finish(Some(status)));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the runner holds a sender"),
        }
        if interrupt::requested() {
            for test in &running {
                test.kill();
            }
            // Wait until the killed processes are gone (reaped), so that
            // none outlives the runner; a bounded wait, as a process in
            // uninterruptible sleep can take a moment to die.
            let stopped = running.len();
            let deadline = Instant::now() + Duration::from_secs(5);
            while !running.is_empty() {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok((index, _)) = finished.recv_timeout(left) else {
                    break;
                };
                running.retain(|test| test.index != index);
            }
            return Err(Interrupted { stopped }.into());
        }
        let now = Instant::now();
        while let Some(position) = running
            .iter()
            .position(|test| now >= test.started + options.deadline)
        {
            let test = running.swap_remove(position);
            let index = test.index;
            outcomes[index] = Some(test.finish(None));
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every test ran"))
        .collect())
}

/// A test process on its way.
struct Running {
    index: usize,
    case: TestCase,
    process_group: u32,
    started: Instant,
    output: Arc<Mutex<Vec<u8>>>,
    output_done: mpsc::Receiver<()>,
}

impl Running {
    fn start(
        index: usize,
        case: TestCase,
        seed: Option<u64>,
        finished: mpsc::Sender<(usize, ExitStatus)>,
    ) -> Result<Running> {
        // stdout and stderr share one pipe, so the output keeps its order.
        let (mut reader, writer) =
            std::io::pipe().context("creating a pipe for a test's output")?;
        let mut command = Command::new(&case.executable.path);
        command
            .args(["--exact", &case.name, "--nocapture", "--test-threads=1"])
            // As under `cargo test`: run in the package's folder.
            .current_dir(&case.executable.package_dir)
            .env("CARGO_MANIFEST_DIR", &case.executable.package_dir)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(
                writer
                    .try_clone()
                    .context("sharing the test's output pipe")?,
            )
            .stderr(writer);
        if let Some(seed) = seed {
            command.env("NETLINGS_SEED", seed.to_string());
        }
        process_group::isolate(&mut command);
        let mut child = command.spawn().with_context(|| {
            format!(
                "starting the test {} in {}",
                case.name,
                case.executable.path.display()
            )
        })?;
        // The command holds the pipe's write end until it is dropped; the
        // reader sees EOF only once every writer is gone.
        drop(command);

        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        let (output_done_tx, output_done) = mpsc::channel();
        thread::spawn(move || {
            let mut chunk = [0; 8192];
            while let Ok(read @ 1..) = reader.read(&mut chunk) {
                sink.lock()
                    .expect("output buffer")
                    .extend_from_slice(&chunk[..read]);
            }
            let _ = output_done_tx.send(());
        });
        let process_group = child.id();
        thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = finished.send((index, status));
            }
        });
        Ok(Running {
            index,
            case,
            process_group,
            started: Instant::now(),
            output,
            output_done,
        })
    }

    fn kill(&self) {
        process_group::kill(self.process_group);
    }

    /// Collects the outcome once the process has exited (`Some(status)`) or
    /// was killed at its deadline (`None`).
    fn finish(self, status: Option<ExitStatus>) -> TestOutcome {
        let duration = self.started.elapsed();
        // Anything the test started (a server program) dies with its group,
        // which also closes the last writers of the output pipe.
        self.kill();
        let _ = self.output_done.recv_timeout(Duration::from_secs(2));
        let output =
            String::from_utf8_lossy(&self.output.lock().expect("output buffer")).into_owned();
        let verdict = match status {
            None => Verdict::Timeout,
            Some(status) => verdict_from(status, &output),
        };
        TestOutcome {
            case: self.case,
            verdict,
            duration,
            output,
        }
    }
}

fn verdict_from(status: ExitStatus, output: &str) -> Verdict {
    if status.success() && output.contains("1 passed") {
        return Verdict::Pass;
    }
    if status.success() {
        return Verdict::Fail {
            message: "the test did not run: no test of that name in its executable".into(),
            location: None,
        };
    }
    match panic_message(output) {
        Some((location, message)) => Verdict::Fail {
            message,
            location: Some(location),
        },
        None => Verdict::Fail {
            message: format!(
                "the test process ended without a verdict ({status}); its output:\n{output}"
            ),
            location: None,
        },
    }
}

/// The location and message of the first panic in a test's output:
/// `thread 'NAME' (ID) panicked at FILE:LINE:COL:` and the lines after it.
fn panic_message(output: &str) -> Option<(String, String)> {
    let mut lines = output.lines();
    let location = lines.find_map(|line| {
        let (_, after) = line
            .split_once("' panicked at ")
            .or_else(|| line.split_once(") panicked at "))?;
        Some(after.trim_end_matches(':').to_owned())
    })?;
    let message = lines
        .take_while(|line| {
            let libtest_chatter = line.starts_with("note: run with `RUST_BACKTRACE")
                || line.starts_with("stack backtrace:")
                || (line.starts_with("test ") && line.ends_with(" ... FAILED"));
            !libtest_chatter
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some((location, message.trim_end().to_owned()))
}

#[cfg(unix)]
mod process_group {
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    pub fn isolate(command: &mut Command) {
        command.process_group(0);
    }

    pub fn kill(group: u32) {
        if let Ok(group) = libc::pid_t::try_from(group) {
            // SAFETY: kill(2) with a negative pid signals a process group;
            // a group that is already gone gives ESRCH, which is fine.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
    }
}

#[cfg(not(unix))]
mod process_group {
    use std::process::Command;

    pub fn isolate(_command: &mut Command) {}

    pub fn kill(pid: u32) {
        let _ = Command::new("taskkill")
            .args(["/F", "/T", "/PID", &pid.to_string()])
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_takes_location_and_message() {
        let output = "running 1 test\nthread 'parses' (42) panicked at tests/endpoint.rs:12:5:\n\
                      assertion `left == right` failed: port 443\n  left: 1\n right: 2\n\
                      note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\
                      test parses ... FAILED\n";
        let (location, message) = panic_message(output).unwrap();
        assert_eq!(location, "tests/endpoint.rs:12:5");
        assert_eq!(
            message,
            "assertion `left == right` failed: port 443\n  left: 1\n right: 2"
        );
    }

    #[test]
    fn todo_is_recognised_as_unimplemented() {
        let output =
            "thread 'x' (1) panicked at src/endpoint.rs:70:5:\nnot yet implemented: split it\n";
        let (location, message) = panic_message(output).unwrap();
        let verdict = Verdict::Fail {
            message,
            location: Some(location),
        };
        assert!(verdict.is_unimplemented());
    }
}
