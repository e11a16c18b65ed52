//! Run an async server under test in the background, on a runtime of its own.
//!
//! A test that talks to an async server with the blocking [`crate::net::Client`]
//! must not share a thread with that server: the client's blocking read would
//! stop the runtime the server needs to answer. So the server gets a thread
//! and a single-threaded tokio runtime of its own, and the test's thread is
//! free to block, with deadlines, as every other socket test does.
//!
//! The runtime is single-threaded on purpose: it is the strictest place to run
//! async code. A server that blocks inside a task (a std socket read,
//! `std::thread::sleep`) stops *every* connection, so a test sees the mistake
//! at once instead of only on a busy machine.

use std::future::Future;
use std::net::TcpListener;

/// Starts `serve` on a thread of its own with a single-threaded tokio runtime,
/// and hands it `listener` (bound by the test, usually on port 0) as a
/// `tokio::net::TcpListener`. The thread is never joined: it ends with the
/// test process. What `serve` returns is ignored; if it ends early, the
/// test's clients find out (their connects or reads fail with a message).
///
/// `name` names the thread, for example `"serve()"`.
pub fn serve_in_background<Fut, Serve>(name: &str, listener: TcpListener, serve: Serve)
where
    Fut: Future + 'static,
    Serve: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
{
    listener
        .set_nonblocking(true)
        .expect("a tokio listener needs a non-blocking socket");
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the test could not build a tokio runtime for the server");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)
                    .expect("handing the test's listener to tokio");
                serve(listener).await;
            });
        })
        .expect("the test could not start a thread for the server");
}
