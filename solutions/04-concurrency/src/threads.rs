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

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Sends every byte the client sends straight back, as it arrives (no waiting
/// for a newline), until the client closes its side; then returns, which
/// closes the connection.
///
/// # Errors
///
/// The first failed read or write, for example `ConnectionReset` when the
/// client aborted the connection.
pub fn echo_bytes(stream: TcpStream) -> io::Result<()> {
    // Two handles on one socket (try_clone() is dup(2)): one to read from,
    // one to write to. io::copy loops read(2) → write_all until a read
    // returns 0 bytes, which is the client's FIN: it has nothing more to say.
    let mut reader = stream.try_clone()?;
    let mut writer = stream;
    io::copy(&mut reader, &mut writer)?;
    // Both handles are dropped here; the last close(2) sends our FIN, and the
    // client's read_to_end sees end-of-file.
    Ok(())
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
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // The accept-loop rule of lesson 2: only a broken listener ends
            // the loop.
            Err(error) => match accept_failure(&error) {
                // The client gave up while it waited in the accept queue:
                // that is its problem, not the listener's.
                AcceptFailure::OneConnection => {
                    eprintln!("serve_threads: a client was lost before accept: {error}");
                    continue;
                }
                // Out of descriptors (EMFILE) or memory: the client stays in
                // the accept queue. Retrying at once would fail at once and
                // burn a core, so wait until a connection has had time to
                // close and give its descriptor back.
                AcceptFailure::OutOfResources => {
                    eprintln!("serve_threads: accept failed, retrying soon: {error}");
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                // Closed, shut down, not listening: no retry can help.
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // `move` hands the connection to the new thread; this thread keeps
        // only the listener. The JoinHandle is dropped: the thread runs on,
        // detached, until its client leaves.
        let spawned = thread::Builder::new()
            .name(format!("echo {peer}"))
            .spawn(move || {
                if let Err(error) = echo_bytes(stream) {
                    eprintln!("serve_threads: client {peer}: {error}");
                }
            });
        if let Err(error) = spawned {
            // No thread left for this client: dropping the closure closes its
            // connection. The server itself carries on.
            eprintln!("serve_threads: no thread for client {peer}: {error}");
        }
    }
}
