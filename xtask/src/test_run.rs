//! Running tests one process each, in parallel, with a deadline.
//!
//! libtest on stable cannot report per-test results as data, and a hung
//! test keeps the messages of every other test in the same process hostage.
//! So the runner lists the tests of each executable and runs every test as a
//! process of its own (`EXE --exact NAME`), in a new process group, so that
//! a test that overruns can be killed together with anything it started. A
//! Ctrl-C kills every group before the runner exits.
//!
//! A verdict never comes from what the test process prints: the learner's
//! code runs in that process and can print `test result: ok. 1 passed` or
//! call `exit(0)`. Each test process gets a private channel
//! (`netlings_verdict::Channel`) on which `#[netlings_helpers::test]` reports
//! that the test body finished; a test passes when its process exited with
//! status 0 and that report arrived. The output is only shown to the learner.

use crate::build::TestExecutable;
use crate::clean_env;
use crate::interrupt;
use anyhow::{Context, Result, bail};
use netlings_verdict::{Channel, Report};
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
            clean_environment: false,
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
    /// Start each test with the runner's environment cleared but for what
    /// `clean_env` keeps (`grade`: a student's code learns nothing from the
    /// grader's environment, such as a CI token).
    pub clean_environment: bool,
}

/// The names of the tests in `executable`, as `--list` prints them (code
/// of the learner's can run then too, so it gets the environment the tests
/// get).
pub fn list_tests(executable: &TestExecutable, options: &RunOptions) -> Result<Vec<String>> {
    let mut command = Command::new(&executable.path);
    if options.clean_environment {
        clean_env::clean(&mut command);
    }
    let output = command
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
            running.push(Running::start(index, case, options, finished_tx.clone())?);
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
    verdict: Channel,
}

impl Running {
    fn start(
        index: usize,
        case: TestCase,
        options: &RunOptions,
        finished: mpsc::Sender<(usize, ExitStatus)>,
    ) -> Result<Running> {
        // stdout and stderr share one pipe, so the output keeps its order.
        let (mut reader, writer) =
            std::io::pipe().context("creating a pipe for a test's output")?;
        let mut command = Command::new(&case.executable.path);
        if options.clean_environment {
            clean_env::clean(&mut command);
        }
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
        if let Some(seed) = options.seed {
            command.env("NETLINGS_SEED", seed.to_string());
        }
        process_group::isolate(&mut command);
        let mut verdict = Channel::attach(&mut command)
            .context("making the private channel a test reports its verdict on")?;
        let mut child = command.spawn().with_context(|| {
            format!(
                "starting the test {} in {}",
                case.name,
                case.executable.path.display()
            )
        })?;
        verdict.spawned();
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
            verdict,
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
            Some(status) => verdict_from(status, &self.verdict.report(), &output),
        };
        TestOutcome {
            case: self.case,
            verdict,
            duration,
            output,
        }
    }
}

/// The verdict on a test process that exited with `status` after `report`
/// arrived on its channel. `output` only supplies the panic message to show.
fn verdict_from(status: ExitStatus, report: &Report, output: &str) -> Verdict {
    if status.success() && *report == Report::Finished {
        return Verdict::Pass;
    }
    if let Report::Forged(text) = report {
        return Verdict::Fail {
            message: format!(
                "something other than the test wrote to the runner's private verdict channel \
                 ({text:?}), so the test's own report cannot be trusted: does the code under \
                 test write to a file descriptor it did not open?"
            ),
            location: None,
        };
    }
    // libtest exits with 101 when the test panicked, before its body could
    // report. Anything else ended the process from inside or outside.
    if status.code() == Some(101)
        && let Some((location, message)) = panic_message(output)
    {
        return Verdict::Fail {
            message,
            location: Some(location),
        };
    }
    let message = match (status.code(), signal_of(status)) {
        (Some(code), _) => format!(
            "your code ended the test process with exit code {code} before the test finished: \
             a `std::process::exit` in library code ends every test with it. Return an error \
             (or panic) instead, and let the caller decide."
        ),
        (None, Some(signal)) => format!(
            "the test process was killed by signal {signal} ({}) before the test finished",
            signal_meaning(signal)
        ),
        (None, None) => format!("the test process ended ({status}) before the test finished"),
    };
    Verdict::Fail {
        message,
        location: None,
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> Option<i32> {
    None
}

/// What a signal that ended a test process usually means.
fn signal_meaning(signal: i32) -> &'static str {
    match signal {
        libc::SIGABRT => {
            "SIGABRT: an abort, such as `std::process::abort`, a panic while panicking, or a \
              stack overflow"
        }
        libc::SIGKILL => {
            "SIGKILL: killed from outside, for example by the kernel when memory ran out"
        }
        libc::SIGSEGV => "SIGSEGV: a bad memory access, from unsafe code",
        libc::SIGPIPE => {
            "SIGPIPE: a write to a closed pipe or socket with SIGPIPE's default action restored"
        }
        libc::SIGTERM => "SIGTERM: asked to stop from outside",
        _ => "see `man 7 signal`",
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

    #[cfg(unix)]
    fn exited(code: i32) -> ExitStatus {
        std::os::unix::process::ExitStatusExt::from_raw(code << 8)
    }

    const FORGED_OUTPUT: &str =
        "\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n";

    #[cfg(unix)]
    #[test]
    fn a_pass_needs_the_report_and_a_clean_exit() {
        assert_eq!(
            verdict_from(exited(0), &Report::Finished, ""),
            Verdict::Pass
        );
        let Verdict::Fail { message, .. } =
            verdict_from(exited(0), &Report::Missing, FORGED_OUTPUT)
        else {
            panic!("a process that exited 0 without the report failed")
        };
        assert!(
            message.contains("ended the test process with exit code 0 before the test finished"),
            "{message}"
        );
        let Verdict::Fail { message, .. } = verdict_from(
            exited(0),
            &Report::Forged("finished 00\n".into()),
            FORGED_OUTPUT,
        ) else {
            panic!("a forged report failed")
        };
        assert!(message.contains("verdict channel"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn a_panic_a_nonzero_exit_and_a_signal_are_told_apart() {
        let panicked = "thread 'x' (1) panicked at tests/a.rs:3:5:\nexpected 1\n";
        assert_eq!(
            verdict_from(exited(101), &Report::Missing, panicked),
            Verdict::Fail {
                message: "expected 1".into(),
                location: Some("tests/a.rs:3:5".into()),
            }
        );
        let Verdict::Fail { message, .. } = verdict_from(exited(3), &Report::Missing, "") else {
            panic!("exit 3 failed")
        };
        assert!(
            message.contains("exit code 3 before the test finished"),
            "{message}"
        );
        let aborted = std::os::unix::process::ExitStatusExt::from_raw(6);
        let Verdict::Fail { message, .. } = verdict_from(aborted, &Report::Missing, "") else {
            panic!("an abort failed")
        };
        assert!(message.contains("signal 6 (SIGABRT"), "{message}");
    }
}
