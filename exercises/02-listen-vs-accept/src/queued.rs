//! Exercise 2: a connection is usable before it is accepted.
//!
//! `accept()` takes no part in the handshake. Once `listen()` has been
//! called, the kernel answers every SYN by itself, completes the handshake,
//! and puts the finished connection in the listener's accept queue. On the
//! client's side `connect()` has already returned, and the client can send
//! at once: the kernel keeps the bytes in the queued connection's receive
//! buffer. `accept()` only takes the oldest connection off the queue, with
//! everything that has arrived on it so far.
//!
//! ```text
//! client                        server's kernel                       server program
//! connect() ──── SYN ─────────▶ SYN-ACK, ACK: connection queued
//! connect() returns
//! write("hi") ────────────────▶ "hi" waits in its receive buffer
//! close() ────── FIN ─────────▶ end-of-file waits behind it
//!                                                    accept() ◀────── off the queue
//!                                                    read() → "hi", then 0 (EOF)
//! ```
//!
//! Edit `read_queued`; `Received` is given.

use std::io;
use std::net::{SocketAddr, TcpListener};

/// What one client sent, and who it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The client's IP and port, as `accept()` reports them.
    pub peer: SocketAddr,
    /// Every byte the client sent before it closed its side of the
    /// connection.
    pub bytes: Vec<u8>,
}

/// Accepts `clients` connections on `listener`, one after another, and
/// reads each to its end (until the client has closed its side and a read
/// returns 0 bytes) before it accepts the next.
///
/// Returns what each client sent, in the order the connections were
/// accepted, which is the order in which their handshakes completed. The
/// clients may have connected, sent everything and closed their connections
/// long before this function runs: nothing they sent is lost.
///
/// A client that closes without sending anything gives an empty `bytes`.
/// A message can be far larger than what one `read` returns: keep reading
/// until end-of-file, however many reads that takes.
///
/// # Errors
///
/// The first failure of `accept()` or of a read is returned, for example
/// `ConnectionReset` for a client that aborted its connection.
pub fn read_queued(listener: &TcpListener, clients: usize) -> io::Result<Vec<Received>> {
    todo!(
        "accept `clients` connections one after another; read each with read_to_end until EOF and collect Received {{ peer, bytes }} in order"
    )
}
