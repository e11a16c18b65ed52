//! Exercise 5: open, refused, or no answer.
//!
//! A connect sends a SYN, and what comes back says what is at that address:
//!
//! ```text
//! SYN  -->  SYN-ACK      open: a socket listens on that port
//! SYN  -->  RST          refused: the machine is there, but nothing listens on that port
//! SYN  -->  (nothing)    no answer: the SYN was lost or dropped (a firewall, a machine
//!                        that is down, a listener whose accept queue is full)
//! ```
//!
//! Refused comes back at once. No answer never comes back at all: the kernel
//! resends the SYN for about two minutes before it gives up, so a probe that
//! should finish in time sets its own deadline.
//!
//! Edit `probe`; `PortState` is given.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// What a connect to a port found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// The handshake completed: something listens there.
    Open,
    /// The peer answered the SYN with a reset: nothing listens there.
    Refused,
    /// Nothing answered within the timeout.
    NoAnswer,
}

/// Connects to `addr` to find out whether something listens there, waiting
/// at most `timeout` for an answer.
///
/// - The connection is made: [`PortState::Open`]. It is closed again at once;
///   the probe sends nothing.
/// - The connect fails with `ConnectionRefused`: [`PortState::Refused`].
/// - Nothing answers within `timeout` (the connect fails with `TimedOut`):
///   [`PortState::NoAnswer`].
///
/// # Errors
///
/// Any other connect error is returned as it is, because it says nothing
/// about the port: for example `NetworkUnreachable` when this machine has no
/// route to `addr`, or `PermissionDenied` when a local firewall forbids the
/// connection.
pub fn probe(addr: SocketAddr, timeout: Duration) -> io::Result<PortState> {
    // connect_timeout puts the socket in non-blocking mode, calls connect(2)
    // (which sends the SYN and returns at once), then waits with poll(2) for
    // the answer, but no longer than `timeout`.
    match TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => {
            // The handshake completed, so the peer's kernel already holds the
            // connection in its accept queue. Dropping the stream closes it:
            // close(2) sends a FIN, and the server reads end-of-file instead
            // of waiting for a request that never comes.
            drop(stream);
            Ok(PortState::Open)
        }
        Err(error) => match error.kind() {
            // An RST in answer to the SYN: the host is up, the port is closed.
            io::ErrorKind::ConnectionRefused => Ok(PortState::Refused),
            // Our own deadline passed with no answer at all.
            io::ErrorKind::TimedOut => Ok(PortState::NoAnswer),
            // Anything else is a problem on our side, not a fact about the port.
            _ => Err(error),
        },
    }
}
