//! Deadlines that always fire.
//!
//! `tokio::time::timeout` cannot fire while the code under test blocks the
//! runtime's thread (a `std::thread::sleep` inside async code, a blocking
//! read, a busy loop), and a blocking call has no timeout at all. So both
//! helpers here run the step on a thread of its own and wait for it with
//! `recv_timeout` on the test's thread. If the step panics, its panic is
//! re-raised on the test's thread with the original message; if it overruns,
//! the test fails with a message that says what it was waiting for. The
//! stuck thread is abandoned, and ends with the test process. Failures are
//! reported at the test's line (`#[track_caller]`), not inside the helper.

use std::future::Future;
use std::panic;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long one blocking step of a test (a connect, an accept, an answer) may
/// take. A correct solution needs milliseconds; the margin is for a loaded
/// machine.
pub const STEP: Duration = Duration::from_secs(5);

/// Runs `step` on its own thread and returns its result, failing the test if
/// it has not finished within `limit`.
///
/// `waiting_for` completes the sentence "waited 5s for ...", for example
/// `"serve() to answer the first client"`.
#[track_caller]
pub fn within<T, F>(limit: Duration, waiting_for: &str, step: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (done, outcome) = mpsc::channel();
    thread::Builder::new()
        .name(format!("step: {waiting_for}"))
        .spawn(move || {
            let result = panic::catch_unwind(panic::AssertUnwindSafe(step));
            let _ = done.send(result);
        })
        .expect("the test could not start a thread for its step");
    wait_for(outcome, limit, waiting_for, "")
}

/// Builds a future with `make` on a thread of its own, runs it to completion
/// on a single-threaded tokio runtime, and returns its output, failing the
/// test if it has not finished within `limit`.
///
/// The future is built on the new thread, so it does not need to be `Send`.
/// Use it instead of `#[tokio::test]`: this deadline still fires when the code
/// under test blocks the runtime's only thread.
#[track_caller]
pub fn within_async<T, Fut, Make>(limit: Duration, waiting_for: &str, make: Make) -> T
where
    T: Send + 'static,
    Fut: Future<Output = T> + 'static,
    Make: FnOnce() -> Fut + Send + 'static,
{
    let (done, outcome) = mpsc::channel();
    thread::Builder::new()
        .name(format!("async step: {waiting_for}"))
        .spawn(move || {
            let result = panic::catch_unwind(panic::AssertUnwindSafe(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the test could not build a tokio runtime");
                runtime.block_on(make())
            }));
            let _ = done.send(result);
        })
        .expect("the test could not start a thread for its async step");
    wait_for(
        outcome,
        limit,
        waiting_for,
        " In async code, a blocking call (std::thread::sleep, a std socket read, \
         a loop that never reaches an .await) stops the whole runtime: use the \
         tokio version and .await it.",
    )
}

#[track_caller]
fn wait_for<T>(
    outcome: mpsc::Receiver<thread::Result<T>>,
    limit: Duration,
    waiting_for: &str,
    extra_advice: &str,
) -> T {
    match outcome.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(panic_payload)) => panic::resume_unwind(panic_payload),
        Err(_) => panic!(
            "deadline: waited {limit:?} for {waiting_for}, and it never finished. \
             Something is blocked: a read with no data coming, an accept with no \
             client, a connect with no answer, or a loop with no way out.{extra_advice}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn within_returns_the_steps_value() {
        assert_eq!(within(STEP, "an addition", || 2 + 2), 4);
    }

    #[test]
    fn within_fails_a_step_that_never_finishes() {
        let started = Instant::now();
        let outcome = panic::catch_unwind(|| {
            within(Duration::from_millis(50), "a step that never ends", || {
                thread::park();
            })
        });
        let message = *outcome
            .expect_err("a step that never finishes must fail the test")
            .downcast::<String>()
            .expect("the deadline's panic carries a String message");
        assert!(message.contains("a step that never ends"), "{message}");
        assert!(started.elapsed() < STEP, "the deadline fired late");
    }

    #[test]
    fn within_re_raises_the_steps_own_panic() {
        let outcome = panic::catch_unwind(|| within(STEP, "a panicking step", || panic!("boom")));
        let message = *outcome
            .expect_err("a panicking step must fail the test")
            .downcast::<&str>()
            .expect("the original panic payload is kept");
        assert_eq!(message, "boom");
    }

    #[test]
    fn within_async_fires_even_when_the_runtime_thread_is_blocked() {
        let outcome = panic::catch_unwind(|| {
            within_async(Duration::from_millis(50), "blocked async code", || async {
                // The mistake this helper exists for: blocking inside async code.
                thread::park();
            })
        });
        let message = *outcome
            .expect_err("blocking async code must fail the test")
            .downcast::<String>()
            .expect("the deadline's panic carries a String message");
        assert!(message.contains("blocking call"), "{message}");
    }

    #[test]
    fn within_async_runs_io_on_its_runtime() {
        let port = within_async(STEP, "a tokio listener to bind", || async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap().port()
        });
        assert_ne!(port, 0);
    }
}
