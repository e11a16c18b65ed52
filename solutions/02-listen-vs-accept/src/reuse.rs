//! Exercise 4: a clear error for a taken port, and SO_REUSEADDR.
//!
//! Two things keep a server from binding its port.
//!
//! A live listener. Only one socket can listen on an address and port, and a
//! second `bind()` fails with EADDRINUSE, `io::ErrorKind::AddrInUse`. Its
//! message, "Address already in use (os error 98)", does not say which
//! address; a server's error should.
//!
//! Old connections. The side that closes a connection first keeps it in
//! TIME_WAIT for 60 s (`ss -tan state time-wait` lists them), and a server
//! usually closes first. Those connections still hold the server's port as
//! their local port, and by default `bind()` refuses a port that any socket
//! still holds: a restarted server would fail with AddrInUse for a minute.
//! The socket option SO_REUSEADDR, set *before* `bind()`, lets a listener
//! take a port whose other sockets are connections, not listeners. On Linux
//! it works only if the old sockets had it too; accepted connections inherit
//! it from their listener, so the listener sets it from its very first run:
//!
//! ```text
//! SO_REUSEADDR on the      and on the        bind() while the old connections
//! old listener             new listener      are in TIME_WAIT
//! no                       yes or no         AddrInUse
//! yes                      no                AddrInUse
//! yes                      yes               works
//! ```
//!
//! std's `TcpListener::bind` (and tokio's) set SO_REUSEADDR for you on Unix.
//! Here you set it yourself with socket2, to see what it changes.
//!
//! Edit `bind_error` and `bind_reusable`; `BindError` is given.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};

/// Why a listener could not be made on an address.
#[derive(Debug)]
pub enum BindError {
    /// Another socket already listens on this address (EADDRINUSE).
    InUse(SocketAddr),
    /// Any other failure while making a listener on `addr`.
    Other {
        /// The address the listener was to bind.
        addr: SocketAddr,
        /// What the system call reported.
        source: io::Error,
    },
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::InUse(addr) => write!(
                f,
                "cannot listen on {addr}: the address is in use, another socket already listens \
                 there (stop the other server, or choose another port)"
            ),
            BindError::Other { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
        }
    }
}

impl Error for BindError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            BindError::InUse(_) => None,
            BindError::Other { source, .. } => Some(source),
        }
    }
}

/// Says what went wrong when making a listener on `addr` failed with
/// `error`: [`BindError::InUse`] for `AddrInUse`, and
/// [`BindError::Other`], keeping the address and the error as they are, for
/// any other kind.
pub fn bind_error(addr: SocketAddr, error: io::Error) -> BindError {
    match error.kind() {
        io::ErrorKind::AddrInUse => BindError::InUse(addr),
        _ => BindError::Other {
            addr,
            source: error,
        },
    }
}

/// A TCP listener on `addr`, with SO_REUSEADDR set before `bind()` so that
/// a server can be restarted at once on a port whose old connections are
/// still in TIME_WAIT, and a backlog of 128 (as std's).
///
/// Made with socket2, one system call at a time: `socket()`, the
/// SO_REUSEADDR option, `bind()`, `listen()`. Works for IPv4 and IPv6
/// addresses alike.
///
/// # Errors
///
/// [`BindError::InUse`] when another socket listens on `addr` (SO_REUSEADDR
/// does not change that); [`BindError::Other`] for any other failure of the
/// four steps. Both name `addr` (see [`bind_error`]).
pub fn bind_reusable(addr: SocketAddr) -> Result<TcpListener, BindError> {
    use socket2::{Domain, Protocol, Socket, Type};

    let failed = |error| bind_error(addr, error);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(failed)?;
    // setsockopt(SOL_SOCKET, SO_REUSEADDR, 1). The kernel checks for
    // conflicting sockets during bind(2), so the option must be set before
    // it; set afterwards it changes nothing for this bind. The connections
    // this listener accepts inherit the option, which is what lets the
    // *next* listener bind past them while they sit in TIME_WAIT.
    socket.set_reuse_address(true).map_err(failed)?;
    // bind(2) still fails with EADDRINUSE if another socket *listens* on
    // this address: SO_REUSEADDR only forgives sockets that do not listen.
    socket.bind(&addr.into()).map_err(failed)?;
    socket.listen(128).map_err(failed)?;
    Ok(TcpListener::from(socket))
}
