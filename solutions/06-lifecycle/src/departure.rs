//! Exercise 4: how did the peer leave?
//!
//! A peer can end a connection in two ways, and a reader sees each
//! differently:
//!
//! ```text
//! the peer                         what our read() returns
//! close(), nothing unread          the bytes it sent, then Ok(0): EOF, a clean end
//! close() with data unread,        Err(ConnectionReset): an RST, an abort; bytes
//!   or SO_LINGER 0, or crashed       in flight may be lost
//! nothing yet                      blocks, or with a read timeout, Err(WouldBlock)
//! ```
//!
//! (With a read timeout set, Unix reports the timeout as `WouldBlock`;
//! Windows as `TimedOut`. Treat both as "no news yet".)
//!
//! A server that must tell "the client finished" from "the client crashed"
//! from "the client is still thinking" reads until one of them shows, with
//! a deadline for the whole wait.
//!
//! Edit `how_peer_left`; `Departure` is given.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How a peer left, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// It closed its side in order: our read returned 0 (EOF).
    Closed,
    /// It aborted the connection: our read failed with `ConnectionReset`.
    Reset,
    /// Neither happened before the deadline: the connection is still open.
    StillOpen,
}

/// Reads from `stream` until the peer's departure shows, for at most
/// `within` in all, and says how it left.
///
/// Whatever the peer still sends is read and thrown away: data before the
/// end says nothing about how it ends. EOF (a read that returns 0) is
/// [`Departure::Closed`]; `ConnectionReset` is [`Departure::Reset`]; when
/// `within` has passed since the call began, [`Departure::StillOpen`].
///
/// The deadline is for the whole wait, not for each read: a peer that sends
/// a byte now and then must not keep the call going past `within`. Use
/// `set_read_timeout` with the time left before each read (never
/// `Some(Duration::ZERO)`, which `set_read_timeout` refuses). Afterwards,
/// put back the read timeout the stream had before the call, so that the
/// caller's later reads behave as they did.
///
/// # Errors
///
/// Any read error other than a reset, an interruption or a timeout, and an
/// error from setting the timeout.
pub fn how_peer_left(stream: &TcpStream, within: Duration) -> io::Result<Departure> {
    let previous = stream.read_timeout()?;
    let departure = watch(stream, within);
    // Put the caller's timeout back whatever happened: a short timeout left
    // on the stream would make its next blocking read fail with WouldBlock.
    stream.set_read_timeout(previous)?;
    departure
}

/// The wait itself, with the caller's read timeout not yet restored.
fn watch(mut stream: &TcpStream, within: Duration) -> io::Result<Departure> {
    let deadline = Instant::now() + within;
    let mut discarded = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Departure::StillOpen);
        }
        // Each read waits at most for the time left of the whole deadline.
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut discarded) {
            // The peer's FIN, after every byte it sent: an orderly close.
            Ok(0) => return Ok(Departure::Closed),
            // Data before the end: thrown away, keep watching.
            Ok(_) => {}
            // The peer's RST: it aborted, or closed with our data unread.
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                return Ok(Departure::Reset);
            }
            // No news before this read's timeout, or a signal: the loop
            // checks the deadline again.
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(error) => return Err(error),
        }
    }
}
