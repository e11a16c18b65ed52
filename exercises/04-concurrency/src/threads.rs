//! Exercise 1: an echo server with a thread per client.
//!
//! Lesson 2 ended with the shape of every server: a loop that only accepts,
//! and a thread for each client. This exercise builds that server for bytes
//! instead of lines, and its tests push it harder: fifty clients connected at
//! once, each waiting for its own answer.
//!
//! ```text
//!   accept loop ──spawn──▶ thread: echo client 1 (blocked in read)
//!        │      ──spawn──▶ thread: echo client 2 (blocked in read)
//!        ▼
//!    accept() again
//! ```
//!
//! Every read and write here is *blocking*: the thread that calls `read`
//! sleeps in the kernel until bytes arrive. That is fine, because every client
//! has a thread of its own to sleep in. The price is one thread (a stack, a
//! kernel task) per connected client; exercise 2 does the same with tokio
//! tasks, which cost a few KiB each.

use std::io;
use std::net::{TcpListener, TcpStream};

/// Sends every byte the client sends straight back, as it arrives (no waiting
/// for a newline), until the client closes its side; then returns, which
/// closes the connection.
///
/// # Errors
///
/// The first failed read or write, for example `ConnectionReset` when the
/// client aborted the connection.
pub fn echo_bytes(stream: TcpStream) -> io::Result<()> {
    todo!(
        "copy every byte from a clone of the stream back into the stream (io::copy) until the client closes, then return Ok"
    )
}

/// Accepts clients on `listener` forever and runs [`echo_bytes`] for each on
/// a thread of its own, so that the loop is back in `accept()` at once.
///
/// # Errors
///
/// A client's failure is printed to stderr by its thread and never stops the
/// server. A failed `accept()` follows the accept-loop rule of lesson 2, sorted
/// by [`accept_failure`](netlings_cli::accept::accept_failure): a failure of
/// one connection is printed and the loop goes on; running out of descriptors
/// or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) is printed, error
/// included, and the loop sleeps
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) before it accepts
/// again; only a broken listener ends `serve_threads`, with that error.
pub fn serve_threads(listener: TcpListener) -> io::Result<()> {
    todo!(
        "loop over listener.accept() and move each stream into a thread of its own (thread::spawn) that runs echo_bytes and prints its error; sort a failed accept with accept_failure (log and continue, log and sleep ACCEPT_BACKOFF, or return the error)"
    )
}
