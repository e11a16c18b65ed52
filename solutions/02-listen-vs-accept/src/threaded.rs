//! Exercise 5: a thread per client, so that an idle client blocks nobody.
//!
//! Every server has the same shape:
//!
//! ```text
//! loop {
//!     let (stream, peer) = match listener.accept() {   // wait for the next client
//!         Ok(connection) => connection,
//!         Err(error) => match accept_failure(&error) {  // the accept-loop rule
//!             OneConnection  => { log; continue }
//!             OutOfResources => { log; sleep(ACCEPT_BACKOFF); continue }
//!             ListenerBroken => return Err(error),
//!         },
//!     };
//!     spawn(move || handle(stream, peer));             // serve it elsewhere, at once
//! }
//! ```
//!
//! The loop does nothing but accept, so it is back in `accept()` a moment
//! after each client arrives. A server that serves each client inside the
//! loop instead stays with the first client until it leaves; one client that
//! connects and says nothing then holds up everybody else.
//!
//! Such a server is easy to miss. Clients that connect while it is busy
//! still complete their handshakes (exercise 2): their `connect()` works,
//! and they wait in the accept queue without an error. A test that opens
//! clients one at a time, each finishing its exchange before the next one
//! starts, passes against it. What catches it is a client that stays open
//! and silent while another one asks.
//!
//! A thread per client is the simplest way to serve many clients, not the
//! cheapest: each costs a stack and a kernel task, and nothing here limits
//! how many there are. Lesson 4 counts the cost and sets limits.
//!
//! Edit `serve_threaded`; `echo_lines`, the work for one client, is given.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Serves one client: reads it line by line and sends every line straight
/// back, newline included, until the client closes its side (end-of-file).
/// A last line without a newline is sent back as it is.
///
/// # Errors
///
/// The first failed read or write, for example `ConnectionReset` when the
/// client aborted the connection.
pub fn echo_lines(stream: TcpStream) -> io::Result<()> {
    // Two handles on one socket: a buffered reader, to find the newlines,
    // and the stream itself to write to. try_clone() is dup(2): both handles
    // are the same connection.
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Blocks until a whole line has arrived, or the client closed.
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        writer.write_all(&line)?;
    }
}

/// Accepts clients on `listener` forever and serves each one with
/// [`echo_lines`] on a thread of its own, so that the loop goes straight
/// back to `accept()`: a client that stays connected and silent never keeps
/// another client from being served.
///
/// The listener is bound by the caller, so a test can bind port 0.
///
/// # Errors
///
/// A failure with one client is printed to stderr by that client's thread,
/// and never stops the server. A failed `accept()` follows the accept-loop
/// rule of lesson 2, as in exercise 1: sorted by
/// [`accept_failure`](netlings_cli::accept::accept_failure), a failure of one
/// connection is printed and the loop goes on; running out of descriptors or
/// memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) is printed, error
/// included, and the loop sleeps
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) before it accepts
/// again; only a broken listener ends `serve_threaded`, with that error. The
/// clients' threads carry on either way.
pub fn serve_threaded(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(connection) => connection,
            // The accept-loop rule of exercise 1: only a broken listener
            // ends the server.
            Err(error) => match accept_failure(&error) {
                // A client that gave up while it waited in the queue.
                AcceptFailure::OneConnection => {
                    eprintln!(
                        "serve_threaded: one connection failed before it was accepted: {error}"
                    );
                    continue;
                }
                // Out of descriptors (every client thread holds one) or
                // memory. The client waits in the queue; retrying at once
                // would fail at once, so pause until connections have closed.
                AcceptFailure::OutOfResources => {
                    eprintln!(
                        "serve_threaded: accept failed, trying again in {ACCEPT_BACKOFF:?}: {error}"
                    );
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // The connection moves into its own thread, which reads and writes
        // it as slowly as that client needs. This thread keeps only the
        // listener, and is back in accept(2) at once. A named thread shows
        // up by its client in a debugger, or in `top -H`.
        let spawned = thread::Builder::new()
            .name(format!("client {peer}"))
            .spawn(move || {
                if let Err(error) = echo_lines(stream) {
                    eprintln!("serve_threaded: client {peer}: {error}");
                }
            });
        // The JoinHandle is dropped: the thread runs on, detached, and ends
        // when its client leaves. (Exercise 6 keeps the handles, to wait for
        // the clients when the server stops.)
        if let Err(error) = spawned {
            // No thread for this client (the system ran out of threads or
            // memory): the closure and the stream in it are dropped, which
            // closes the connection. The next client may fare better.
            eprintln!("serve_threaded: no thread for client {peer}: {error}");
        }
    }
}
