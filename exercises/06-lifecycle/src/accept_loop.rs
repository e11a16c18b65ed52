//! Exercise 6: an accept loop that survives running out of file descriptors.
//!
//! Every socket is a file descriptor, and a process may hold only so many:
//! `ulimit -n` shows the limit (RLIMIT_NOFILE; often 1024, sometimes a
//! million). At the limit, `accept()` fails with `EMFILE`, "Too many open
//! files", and the client stays where it was: its handshake is done, and it
//! waits in the accept queue.
//!
//! What a server does then decides whether it survives a busy moment:
//!
//! ```text
//! returns the error        the server is gone; every client after it is refused
//! retries at once          accept fails again at once: a loop at 100% CPU that
//!                          starves the very connections whose close would free a descriptor
//! logs, waits, retries     when a connection ends, its descriptor comes back, the
//!                          next accept succeeds, and the waiting client is served
//! ```
//!
//! The course's rule (lesson 2), written once in `netlings_cli::accept`:
//! `accept_failure(&error)` sorts an error into one connection's failure
//! (log it, accept the next), running out of resources (log it, sleep
//! `ACCEPT_BACKOFF`, accept again) and a broken listener (end the loop with
//! the error).
//!
//! Edit `serve`; `use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure,
//! accept_failure};` brings in the rule.

use std::io;
use std::net::{TcpListener, TcpStream};

/// Accepts connections on `listener` for as long as it works, and runs
/// `handle` on each in a thread of its own, so that a slow client never
/// holds up the others.
///
/// When `handle` fails, prints the error to stderr (`eprintln!`) with the
/// client's address; that connection's trouble ends nothing else.
///
/// When `accept` fails, prints the error to stderr (`eprintln!`, with the
/// error itself in the line, such as "Too many open files (os error 24)"),
/// then acts on [`accept_failure`]: after `OneConnection`, accept the next
/// client; after `OutOfResources`, sleep [`ACCEPT_BACKOFF`] before the next
/// accept (never retry at once: that spins a core); after
/// `ListenerBroken`, return the error.
///
/// # Errors
///
/// Only the error of a broken listener. It never returns otherwise.
pub fn serve(listener: TcpListener, handle: fn(TcpStream) -> io::Result<()>) -> io::Result<()> {
    todo!(
        "loop over listener.accept(): spawn a thread per connection running handle (eprintln! its error); on an accept error, eprintln! it and act on accept_failure(&error): next client, sleep(ACCEPT_BACKOFF), or return Err"
    )
}
