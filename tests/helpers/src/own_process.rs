//! Run one test in a process of its own.
//!
//! Some tests change the whole process: they use up its file descriptors, or
//! redirect its stderr. Tests of one file share a process when `cargo test`
//! runs them (on threads, at the same time), so such a test must not run
//! there. [`in_own_process`] starts the test's own binary again, running
//! only that test, and waits for it with a deadline; the body runs in that
//! child, and a failure there fails the test here with the child's message.

use crate::deadline::STEP;
use std::env;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
/// Call it first thing in the test: everything before it runs twice.
#[track_caller]
pub fn in_own_process(body: impl FnOnce()) {
    if let Ok(token) = env::var(CHILD) {
        body();
        // The parent looks for this line to know the body ran to its end,
        // rather than trusting an exit status that a stray exit(0) could fake.
        println!("\n{}", finished_line(&token));
        return;
    }
    let current = thread::current();
    let test = current
        .name()
        .filter(|name| *name != "main")
        .expect("in_own_process runs inside a #[test] function, on libtest's test thread");
    let token = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_nanos())
            .unwrap_or_default()
    );
    let executable = env::current_exe().expect("finding the test's own executable");
    let mut child = Command::new(executable)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &token)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the test again in a process of its own");
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
    let stdout = stdout.recv().unwrap_or_default();
    let stderr = stderr.recv().unwrap_or_default();
    let finished = stdout.lines().any(|line| line == finished_line(&token));
    if status.success() && finished {
        return;
    }
    let message = child_failure(&stderr).unwrap_or_else(|| {
        if status.success() {
            String::from(
                "the process exited with status 0 before the test finished: does the code \
                 under test call std::process::exit?",
            )
        } else {
            format!("the process ended with {status}")
        }
    });
    panic!("{message}\n\n(the test ran in a process of its own; its stderr:)\n{stderr}");
}

fn finished_line(token: &str) -> String {
    format!("netlings: own process {token} finished")
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

    #[test]
    fn the_body_runs_in_another_process() {
        let ran_here = std::cell::Cell::new(false);
        in_own_process(|| {
            ran_here.set(true);
            assert!(is_own_process(), "the body runs in the child only");
        });
        assert_eq!(ran_here.get(), is_own_process());
    }

    #[test]
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
}
