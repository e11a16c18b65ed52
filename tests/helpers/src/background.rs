//! Run a server under test in the background, and find out later whether it
//! returned and with what.
//!
//! A test talks to the server with the blocking [`crate::net::Client`], so
//! the server needs a thread of its own. [`run_in_background`] gives a
//! blocking server one; [`serve_in_background`] gives an async server a
//! thread *and* a single-threaded tokio runtime of its own, so the test's
//! thread is free to block, with deadlines, as every other socket test does.
//!
//! That runtime is single-threaded on purpose: it is the strictest place to
//! run async code. A server that blocks inside a task (a std socket read,
//! `std::thread::sleep`) stops *every* connection, so a test sees the mistake
//! at once instead of only on a busy machine.

use crate::deadline::STEP;
use std::future::Future;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

/// A server running on a thread of its own. Dropping it does not stop the
/// server: the thread ends with the test process.
pub struct Background<T> {
    name: String,
    returned: mpsc::Receiver<thread::Result<T>>,
}

impl<T> Background<T> {
    /// The name the server was started with, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits up to [`STEP`] for the server to return and gives back what it
    /// returned; fails the test if it is still running then. A panic in the
    /// server is re-raised here, with its own message.
    ///
    /// `waiting_for` completes "waited 5s for ...", for example
    /// `"serve() to return once its listener broke"`.
    #[track_caller]
    pub fn returned(&self, waiting_for: &str) -> T {
        match self.returned.recv_timeout(STEP) {
            Ok(Ok(value)) => value,
            Ok(Err(panic_payload)) => std::panic::resume_unwind(panic_payload),
            Err(_) => panic!(
                "deadline: waited {STEP:?} for {waiting_for}, and {} was still running. \
                 A loop that never ends: does every way out of it return?",
                self.name
            ),
        }
    }

    /// What the server returned, if it has returned by now, without waiting;
    /// its panic, raised again here with its own message, if it panicked.
    /// Once it has been given out, later calls say `None`.
    pub fn finished(&self) -> Option<T> {
        match self.returned.try_recv() {
            Ok(Ok(value)) => Some(value),
            Ok(Err(panic_payload)) => std::panic::resume_unwind(panic_payload),
            Err(_) => None,
        }
    }

    /// Fails the test if the server returned or panicked, saying what the
    /// test expected it to be doing instead.
    #[track_caller]
    pub fn expect_running(&self, because: &str) {
        match self.returned.try_recv() {
            Err(mpsc::TryRecvError::Empty) => {}
            Ok(Ok(_)) => panic!(
                "{} returned, but it must keep running: {because}",
                self.name
            ),
            Ok(Err(panic_payload)) => panic!(
                "{} panicked ({}), but it must keep running: {because}",
                self.name,
                panic_message(&panic_payload)
            ),
            Err(mpsc::TryRecvError::Disconnected) => {
                panic!("{} ended, but it must keep running: {because}", self.name)
            }
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| String::from("a panic without a message"))
}

/// Starts `serve` on a thread of its own, as a program runs its server on
/// its main thread, and returns a handle to find out whether and how it
/// returned.
///
/// `name` names the thread and the messages, for example `"serve()"`.
pub fn run_in_background<T, Serve>(name: &str, serve: Serve) -> Background<T>
where
    T: Send + 'static,
    Serve: FnOnce() -> T + Send + 'static,
{
    let (done, returned) = mpsc::channel();
    thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(serve));
            let _ = done.send(outcome);
        })
        .expect("the test could not start a thread for the server");
    Background {
        name: name.to_string(),
        returned,
    }
}

/// Starts `serve` on a thread of its own with a single-threaded tokio runtime,
/// and hands it `listener` (bound by the test, usually on port 0) as a
/// `tokio::net::TcpListener`. Returns a handle to find out whether and how
/// it returned; if it ends early, the test's clients find out too (their
/// connects or reads fail with a message).
///
/// `name` names the thread, for example `"serve()"`.
pub fn serve_in_background<Fut, Serve>(
    name: &str,
    listener: TcpListener,
    serve: Serve,
) -> Background<Fut::Output>
where
    Fut: Future + 'static,
    Fut::Output: Send + 'static,
    Serve: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
{
    listener
        .set_nonblocking(true)
        .expect("a tokio listener needs a non-blocking socket");
    run_in_background(name, move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the test could not build a tokio runtime for the server");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)
                .expect("handing the test's listener to tokio");
            serve(listener).await
        })
    })
}
