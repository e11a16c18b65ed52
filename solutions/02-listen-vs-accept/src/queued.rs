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

use std::io::{self, Read};
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
    let mut received = Vec::with_capacity(clients);
    for _ in 0..clients {
        // The client's handshake finished long ago, in the kernel, and so did
        // its writes. accept(2) takes the oldest finished connection off the
        // queue; its receive buffer already holds what the client sent.
        let (mut stream, peer) = listener.accept()?;
        let mut bytes = Vec::new();
        // read_to_end calls read(2) until it returns 0. One read returns at
        // most what fits in the buffer it is given (and at most what has
        // arrived), so a large message takes many reads. A read of 0 bytes
        // means the client's FIN has arrived: it sent everything it will.
        stream.read_to_end(&mut bytes)?;
        received.push(Received { peer, bytes });
        // `stream` is dropped here: close(2). The client had already closed
        // its side, so this completes the connection's teardown.
    }
    Ok(received)
}
