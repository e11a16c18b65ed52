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
        match self.missing {
            Some(stage) => write!(
                f,
                "{} failed: call {stage} first ({})",
                self.call, self.source
            ),
            None => write!(f, "{} failed: {}", self.call, self.source),
        }
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
    let error = |missing, source| StageError {
        call: "listen()",
        missing,
        source,
    };
    // getsockname(2) on a socket that was never bound reports port 0; after
    // any bind, even to port 0, the kernel has chosen a real port.
    let local = socket.local_addr().map_err(|source| error(None, source))?;
    if local.as_socket().is_none_or(|address| address.port() == 0) {
        return Err(error(
            Some(Stage::Bind),
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the socket has no address yet; listen() would bind it to every interface",
            ),
        ));
    }
    socket.listen(backlog).map_err(|source| error(None, source))
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
    match socket.accept() {
        Ok((connection, peer)) => match peer.as_socket() {
            Some(peer) => Ok((connection, peer)),
            None => Err(StageError {
                call: "accept()",
                missing: None,
                source: io::Error::new(io::ErrorKind::InvalidData, "the peer is not an IP address"),
            }),
        },
        Err(source) => Err(StageError {
            call: "accept()",
            // EINVAL from accept(2): "socket is not listening for
            // connections". Nothing else about the call is invalid.
            missing: (source.kind() == io::ErrorKind::InvalidInput).then_some(Stage::Listen),
            source,
        }),
    }
}

/// The address of `socket`'s peer.
///
/// # Errors
///
/// `NotConnected` (ENOTCONN) means the socket was never connected (or its
/// connection is gone): `missing: Some(Stage::Connect)`. Any other error
/// with `missing: None`. `call` is `"peer_addr()"`.
pub fn peer_after_connect(socket: &Socket) -> Result<SocketAddr, StageError> {
    let error = |source: io::Error| StageError {
        call: "peer_addr()",
        missing: (source.kind() == io::ErrorKind::NotConnected).then_some(Stage::Connect),
        source,
    };
    let peer = socket.peer_addr().map_err(error)?;
    peer.as_socket().ok_or_else(|| {
        error(io::Error::new(
            io::ErrorKind::InvalidData,
            "the peer is not an IP address",
        ))
    })
}
