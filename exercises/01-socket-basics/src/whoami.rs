//! Exercise 4: a server that tells each client who it is.
//!
//! A TCP connection is identified by four values, the 4-tuple: the client's
//! IP and port, and the server's IP and port. Both ends see the same tuple
//! from opposite sides: what the client calls its local address, the server
//! calls its peer address.
//!
//! ```text
//! client 127.0.0.1:40804  ------------------>  server 127.0.0.1:7878
//!        local_addr()                                 peer_addr() = 127.0.0.1:40804
//! ```
//!
//! `whoami` answers every client with the address it sees the client at: on
//! loopback the client's own, across the internet often a NAT router's
//! (chapter, section 5). Run it with `cargo run -p lesson1 --bin whoami`,
//! then connect from another terminal with `nc 127.0.0.1 PORT` (the port is
//! on its first line), and compare with what `ss -tan` lists. By then the
//! server has closed the connection, which waits in TIME-WAIT: plain `ss -tn`
//! hides that state, `-a` shows it.
//!
//! Edit `greeting` and `serve`; `src/bin/whoami.rs` is the program around
//! them.

use std::io;
use std::net::{SocketAddr, TcpListener};

/// The line `whoami` sends to a client it sees at `peer`: `you are ` and the
/// address as [`SocketAddr`] displays it, then a newline. For example
/// `"you are 127.0.0.1:40804\n"`, or `"you are [::1]:40804\n"` for IPv6.
pub fn greeting(peer: SocketAddr) -> String {
    todo!("format the peer address after \"you are \" and end the line with \\n")
}

/// Accepts clients on `listener` forever, one after the other. To each it
/// writes the [`greeting`] for the address the connection comes from (its
/// peer address), then closes the connection.
///
/// The listener is bound by the caller, so a test can bind port 0 and the
/// program can bind what `--listen` says.
///
/// When `accept()` fails, the loop follows the course's accept rule (lesson 2
/// explains why). The support crate sorts the error for you:
/// [`accept_failure(&error)`](netlings_cli::accept::accept_failure) returns
/// one of three [`AcceptFailure`](netlings_cli::accept::AcceptFailure)s:
///
/// - `OneConnection` (a client that gave up while it waited in the queue):
///   print the error to stderr and accept the next client;
/// - `OutOfResources` (`EMFILE`, "Too many open files", and the like): print
///   the error to stderr, sleep
///   [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF), and accept
///   again: the client still waits in the queue, and is served once a
///   descriptor comes back;
/// - `ListenerBroken` (closed, shut down): return the error.
///
/// # Errors
///
/// A failure with one client (it reset the connection before it could be
/// greeted, the write failed) is printed to stderr, and the next client is
/// served: one client must never take the server down. Only a listener that
/// is broken ends `serve`, with the error its `accept()` failed with.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    todo!(
        "loop over listener.accept(); write greeting(peer) to each client and close it; log a client's error with eprintln! and go on; sort an accept error with accept_failure"
    )
}
