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
use std::net::SocketAddr;
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
    todo!(
        "call TcpStream::connect_timeout and turn Ok, ConnectionRefused and TimedOut into a PortState; return other errors"
    )
}
