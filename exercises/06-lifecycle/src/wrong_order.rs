//! Exercise 7: calls in the wrong order, and errors that say which stage is
//! missing.
//!
//! Each stage of a socket needs the one before it, and the kernel's answer
//! to a call made too early is short and generic:
//!
//! ```text
//! accept() before listen()      EINVAL, "Invalid argument"
//! peer_addr() before connect()  ENOTCONN, "Transport endpoint is not connected"
//! listen() before bind()        no error at all: Linux binds the socket to
//!                               0.0.0.0 (every interface) on a random port
//! ```
//!
//! A program should say more: which call failed, which stage was missing,
//! and the kernel's own error as the cause. This exercise wraps three calls
//! that way; `StageError` carries the three parts.
//!
//! Edit `listen_after_bind`, `accept_after_listen`, `peer_after_connect` and
//! `StageError`'s `fmt`.

use socket2::Socket;
use std::error::Error;
use std::fmt;
use std::io;
use std::net::SocketAddr;

/// A stage of a socket's life that a later call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `bind()`: the socket has a local address.
    Bind,
    /// `listen()`: the socket accepts connections.
    Listen,
    /// `connect()`: the socket is connected to a peer.
    Connect,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Bind => "bind()",
            Stage::Listen => "listen()",
            Stage::Connect => "connect()",
        })
    }
}

/// A call that failed, the stage it was missing (when that is why), and
/// the kernel's error.
#[derive(Debug)]
pub struct StageError {
    /// The call, as `"accept()"`, `"listen()"` or `"peer_addr()"`.
    pub call: &'static str,
    /// The stage that must come before `call`, when its absence is the
    /// reason for the error; `None` for any other error.
    pub missing: Option<Stage>,
    /// The kernel's error (or, for `listen()` on an unbound socket, an
    /// `InvalidInput` error made by [`listen_after_bind`]).
    pub source: io::Error,
}

impl fmt::Display for StageError {
    /// With a missing stage: `accept() failed: call listen() first (Invalid
    /// argument (os error 22))`, naming the call, the missing stage and the
    /// kernel's error. Without one: `accept() failed: Resource temporarily
    /// unavailable (os error 11)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!(
            "with a missing stage: \"{{call}} failed: call {{stage}} first ({{source}})\"; without: \"{{call}} failed: {{source}}\""
        )
    }
}

impl Error for StageError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// Makes `socket` listen with `backlog`, refusing a socket that was never
/// bound.
///
/// Linux does not refuse it: `listen()` on an unbound socket binds it to
/// the unspecified address (`0.0.0.0` or `::`, every interface) on an
/// ephemeral port, which exposes the server to the whole network when
/// loopback was meant. So check first: an unbound socket's `local_addr()`
/// has port 0. For it, return a [`StageError`] with `call: "listen()"`,
/// `missing: Some(Stage::Bind)` and an `io::ErrorKind::InvalidInput` error,
/// without calling `listen()`.
///
/// # Errors
///
/// That one, and the kernel's error of `local_addr()` or `listen()` with
/// `missing: None`.
pub fn listen_after_bind(socket: &Socket, backlog: i32) -> Result<(), StageError> {
    todo!(
        "local_addr(): an unbound socket has port 0: refuse with missing Some(Stage::Bind) and an InvalidInput error; else listen(backlog), its error with missing None"
    )
}

/// Accepts one connection on `socket` and returns it with the client's
/// address.
///
/// # Errors
///
/// When `accept()` fails with `EINVAL` (`io::ErrorKind::InvalidInput`), the
/// socket is not listening: `missing: Some(Stage::Listen)`. Any other error
/// (`WouldBlock` on a non-blocking listener with nobody waiting, say) with
/// `missing: None`. `call` is `"accept()"`, and `source` the kernel's error
/// as it came.
pub fn accept_after_listen(socket: &Socket) -> Result<(Socket, SocketAddr), StageError> {
    todo!(
        "socket.accept(); on Err, missing is Some(Stage::Listen) for InvalidInput (EINVAL) and None otherwise; the peer's SockAddr becomes a SocketAddr with as_socket()"
    )
}

/// The address of `socket`'s peer.
///
/// # Errors
///
/// `NotConnected` (ENOTCONN) means the socket was never connected (or its
/// connection is gone): `missing: Some(Stage::Connect)`. Any other error
/// with `missing: None`. `call` is `"peer_addr()"`.
pub fn peer_after_connect(socket: &Socket) -> Result<SocketAddr, StageError> {
    todo!(
        "socket.peer_addr(); NotConnected means missing Some(Stage::Connect), any other error None; as_socket() for the SocketAddr"
    )
}
