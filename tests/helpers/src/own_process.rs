//! Run one test in a process of its own.
//!
//! Some tests change the whole process: they use up its file descriptors, or
//! redirect its stderr. Tests of one file share a process when `cargo test`
//! runs them (on threads, at the same time), so such a test must not run
//! there. [`in_own_process`] starts the test's own binary again, running
//! only that test, and waits for it with a deadline; the body runs in that
//! child, and a failure there fails the test here with the child's message.

use crate::deadline::STEP;
use crate::verdict::{Channel, Report};
use std::env;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Set in the child: the body runs there, and only there.
const CHILD: &str = "NETLINGS_OWN_PROCESS";

/// How long the child may take: a few steps of [`STEP`] each.
const CHILD_DEADLINE: Duration = Duration::from_secs(STEP.as_secs() * 3);

/// Whether this process is a child started by [`in_own_process`].
pub fn is_own_process() -> bool {
    env::var_os(CHILD).is_some()
}

/// Runs `body` in a fresh process that runs only the calling test, and fails
/// the test if the body fails there, or does not finish within 15 s.
///
/// Call it first thing in a `#[netlings_helpers::test]` function: everything
/// before it runs twice, and the child reports that the test finished the
/// way the runner learns it, on a [`verdict`](crate::verdict) channel, so a
/// stray `exit(0)` in the child cannot pass for a finished test.
#[track_caller]
pub fn in_own_process(body: impl FnOnce()) {
    if is_own_process() {
        body();
        return;
    }
    let current = thread::current();
    let test = current
        .name()
        .filter(|name| *name != "main")
        .expect("in_own_process runs inside a #[test] function, on libtest's test thread");
    let executable = env::current_exe().expect("finding the test's own executable");
    let mut command = Command::new(executable);
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut verdict =
        Channel::attach(&mut command).expect("making the verdict channel for the test's process");
    let mut child = command
        .spawn()
        .expect("starting the test again in a process of its own");
    verdict.spawned();
    let stdout = collect(child.stdout.take().expect("the child's stdout is piped"));
    let stderr = collect(child.stderr.take().expect("the child's stderr is piped"));

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .expect("waiting for the test's own process")
        {
            break status;
        }
        if started.elapsed() > CHILD_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "deadline: the test ran in a process of its own and had not finished after \
                 {CHILD_DEADLINE:?}. Something is blocked: a read with no data coming, an \
                 accept with no client, or a loop with no way out."
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    // The child's output is only shown, never trusted: the code under test
    // could have printed anything.
    let _ = stdout.recv();
    let stderr = stderr.recv().unwrap_or_default();
    let report = verdict.report();
    if status.success() && report == Report::Finished {
        return;
    }
    let message = match (child_failure(&stderr), report) {
        (Some(panic_message), _) => panic_message,
        (None, Report::Forged(text)) => format!(
            "something other than the test wrote to the test's verdict channel ({text:?}), \
             and the test body did not report that it finished"
        ),
        (None, _) => match status.code() {
            Some(code) => format!(
                "the code under test ended the test process with exit code {code} before the \
                 test finished: a `std::process::exit` in library code ends every test with it"
            ),
            None => format!("the test process was killed before the test finished ({status})"),
        },
    };
    panic!("{message}\n\n(the test ran in a process of its own; its stderr:)\n{stderr}");
}

/// The child's panic message: what libtest prints after "panicked at".
fn child_failure(stderr: &str) -> Option<String> {
    let start = stderr.find("panicked at ")?;
    let message: Vec<&str> = stderr[start..]
        .lines()
        .skip(1)
        .take_while(|line| !line.starts_with("note:"))
        .collect();
    Some(message.join("\n"))
}

fn collect(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (done, text) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = done.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[crate::test]
    fn the_body_runs_in_another_process() {
        let ran_here = std::cell::Cell::new(false);
        in_own_process(|| {
            ran_here.set(true);
            assert!(is_own_process(), "the body runs in the child only");
        });
        assert_eq!(ran_here.get(), is_own_process());
    }

    #[crate::test]
    fn a_failure_in_the_child_fails_the_test_with_its_message() {
        if is_own_process() {
            // This test checks the parent's side; in the child, fail on purpose.
            in_own_process(|| panic!("the child's own words"));
            return;
        }
        let outcome = std::panic::catch_unwind(|| in_own_process(|| {}));
        let message = *outcome
            .expect_err("the child failed, so the test fails")
            .downcast::<String>()
            .expect("a String message");
        assert!(message.contains("the child's own words"), "{message}");
    }

    #[crate::test]
    fn an_exit_in_the_child_fails_the_test_however_it_exits() {
        if is_own_process() {
            // This test checks the parent's side; in the child, print what a
            // passing test prints and leave before the body finishes.
            in_own_process(|| {
                println!("\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured\n");
                std::process::exit(0)
            });
            return;
        }
        let outcome = std::panic::catch_unwind(|| in_own_process(|| {}));
        let message = *outcome
            .expect_err("the child exited before the test finished, so the test fails")
            .downcast::<String>()
            .expect("a String message");
        assert!(
            message.contains("ended the test process with exit code 0 before the test finished"),
            "{message}"
        );
    }
}
