//! Exercise 5: open, refused, no answer, or unreachable.
//!
//! A connect sends a SYN, and what comes back says what is at that address:
//!
//! ```text
//! SYN  -->  SYN-ACK          open: a socket listens on that port
//! SYN  -->  RST              refused: the machine is there, but nothing listens on that port
//! SYN  -->  (nothing)        no answer: the SYN was lost or dropped (a firewall that drops,
//!                            a listener whose accept queue is full)
//! SYN  -x   "no way there"   unreachable: no route to that network (ENETUNREACH, at once),
//!                            or no machine answered for that address on the local network
//!                            (EHOSTUNREACH, after ARP gives up, about 3 s on Linux)
//! ```
//!
//! Refused comes back at once. No answer never comes back at all: the kernel
//! resends the SYN for about two minutes before it gives up, so a probe that
//! should finish in time sets its own deadline. Unreachable is not silence:
//! this machine (or a router on the way) says that the address cannot be
//! reached, so it is not the port's fault.
//!
//! Edit `classify_failure` and `probe`; `PortState` is given.

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
    /// There is no way to that address: no route to its network, or no
    /// machine answers for it on the local network. The port was never asked.
    Unreachable,
}

/// Says what a failed connect tells about the port, from the error alone
/// (its [`io::ErrorKind`]):
///
/// - `ConnectionRefused`: [`PortState::Refused`];
/// - `TimedOut`: [`PortState::NoAnswer`];
/// - `HostUnreachable` (`EHOSTUNREACH`) or `NetworkUnreachable`
///   (`ENETUNREACH`): [`PortState::Unreachable`].
///
/// A pure function, so that every outcome can be tested without a network
/// that loses packets or a host that is down.
///
/// # Errors
///
/// Any other error is returned as it is, unchanged, because it says nothing
/// about the port: for example `InvalidInput` for an address the kernel
/// cannot connect to at all, or `PermissionDenied` when a local firewall
/// forbids the connection.
pub fn classify_failure(error: io::Error) -> io::Result<PortState> {
    todo!(
        "match error.kind(): ConnectionRefused, TimedOut, HostUnreachable or NetworkUnreachable give a PortState; return any other error as it is"
    )
}

/// Connects to `addr` to find out whether something listens there, waiting
/// at most `timeout` for an answer. `addr` may be IPv4 or IPv6.
///
/// - The connection is made: [`PortState::Open`]. It is closed again at once;
///   the probe sends nothing.
/// - The connect fails: whatever [`classify_failure`] makes of its error.
///   Nothing answering within `timeout` is a connect that fails with
///   `TimedOut`, so [`PortState::NoAnswer`].
///
/// # Errors
///
/// The connect errors that [`classify_failure`] returns, as they are.
pub fn probe(addr: SocketAddr, timeout: Duration) -> io::Result<PortState> {
    todo!(
        "call TcpStream::connect_timeout; a connection is Open (close it at once), a failure is what classify_failure says"
    )
}
