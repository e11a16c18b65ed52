//! Exercise 3: an accept queue big enough for a burst.
//!
//! The accept queue of exercise 2 has a size: the `backlog` passed to
//! `listen()`. Linux keeps at most backlog + 1 finished connections waiting
//! for `accept()`. When the queue is full, the kernel drops new SYNs without
//! an answer, and each client's kernel sends its SYN again, waiting 1 s, then
//! 2 s, 4 s, ... between tries (the resends leave 1 s, 3 s, 7 s, ... after
//! the first SYN): a burst bigger than the queue becomes clients that wait
//! seconds for a connection, or give up.
//!
//! ```text
//! listen(fd, 128)               what std's TcpListener::bind (and tokio's) ask for
//! 200 clients connect while nobody accepts:
//!   clients   1..=129           connected, waiting in the accept queue
//!   clients 130..=200           SYN dropped: connect() waits, the SYN is resent after 1 s
//! ```
//!
//! The kernel also caps every backlog, silently: `listen(fd, 100_000)`
//! succeeds and gets a queue of `net.core.somaxconn` (4096 on recent Linux;
//! `sysctl net.core.somaxconn` shows it). `ss -ltn` shows each listener's
//! backlog in its Send-Q column, and how many connections wait in its queue
//! right now in Recv-Q.
//!
//! Edit `backlog_for_burst` and `listener_for_burst`; `somaxconn` and
//! `BurstTooBig` are given.

use std::error::Error;
use std::fmt;
use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener};

/// Where Linux shows `net.core.somaxconn`.
const SOMAXCONN_PATH: &str = "/proc/sys/net/core/somaxconn";

/// The kernel's cap on every listener's backlog, `net.core.somaxconn`, read
/// from `/proc/sys/net/core/somaxconn`. A larger backlog passed to
/// `listen()` is cut down to it without an error.
///
/// # Errors
///
/// The file cannot be read (it exists on Linux only; macOS shows the cap
/// with `sysctl kern.ipc.somaxconn`) or does not hold a number.
pub fn somaxconn() -> io::Result<u32> {
    let text = fs::read_to_string(SOMAXCONN_PATH)?;
    text.trim().parse().map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{SOMAXCONN_PATH} holds {:?}, not a number: {error}",
                text.trim()
            ),
        )
    })
}

/// A burst the kernel cannot queue: `burst` clients at once, but no
/// listener's backlog can exceed `somaxconn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstTooBig {
    /// How many clients were to connect at once.
    pub burst: u32,
    /// The kernel's cap on every backlog, `net.core.somaxconn`.
    pub somaxconn: u32,
}

impl fmt::Display for BurstTooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a burst of {} clients needs a backlog of {}, but net.core.somaxconn caps every \
             backlog at {}: listen() would get a smaller queue without a word (raise the cap \
             with `sysctl -w net.core.somaxconn=N`)",
            self.burst, self.burst, self.somaxconn
        )
    }
}

impl Error for BurstTooBig {}

/// A burst too big is a request this machine cannot meet: `InvalidInput`,
/// with the explanation above as its message.
impl From<BurstTooBig> for io::Error {
    fn from(too_big: BurstTooBig) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, too_big)
    }
}

/// The backlog to pass to `listen()` so that `burst` clients can complete
/// their handshakes while nobody accepts: the burst itself.
///
/// Linux happens to keep backlog + 1 connections, but that spare is a Linux
/// detail (other systems keep exactly the backlog, or a little more): ask
/// for the whole burst. A burst of 0 gives a backlog of 0.
///
/// # Errors
///
/// [`BurstTooBig`] when `burst` is larger than `somaxconn`: the kernel would
/// cap the backlog without an error, and the burst would not fit.
pub fn backlog_for_burst(burst: u32, somaxconn: u32) -> Result<i32, BurstTooBig> {
    // The kernel would not complain; it would quietly use somaxconn. Refusing
    // here turns a slow, silent failure (clients that wait a second, under
    // load only) into a loud one at startup.
    if burst > somaxconn {
        return Err(BurstTooBig { burst, somaxconn });
    }
    // listen(2) takes a C int. A burst that fits under somaxconn fits an
    // i32 on any real system, but the conversion is checked all the same.
    i32::try_from(burst).map_err(|_| BurstTooBig { burst, somaxconn })
}

/// A TCP listener on `addr` whose accept queue holds a burst of `burst`
/// clients that all connect before the server accepts any of them.
///
/// Reads the kernel's cap with [`somaxconn`], computes the backlog with
/// [`backlog_for_burst`], then creates the socket, binds it and listens with
/// socket2: std's `TcpListener::bind` always asks for a backlog of 128.
/// Works for IPv4 and IPv6 addresses alike.
///
/// # Errors
///
/// `InvalidInput` (made from [`BurstTooBig`]) when the burst exceeds
/// `net.core.somaxconn`, before any socket is made; the error of
/// [`somaxconn`]; any error of `socket()`, `bind()` or `listen()`.
pub fn listener_for_burst(addr: SocketAddr, burst: u32) -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};

    // Check first: a request that cannot be met should not leave a socket
    // behind, nor take a port.
    let backlog = backlog_for_burst(burst, somaxconn()?)?;

    // socket(2), bind(2), listen(2), as in lesson 1. Only listen's argument
    // differs from what std does: the kernel sizes this listener's accept
    // queue from it (backlog + 1 on Linux).
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(TcpListener::from(socket))
}
