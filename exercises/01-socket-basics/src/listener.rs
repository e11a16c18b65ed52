//! Exercise 3: make a listening socket by hand.
//!
//! `TcpListener::bind` hides three system calls. This exercise makes them one
//! at a time with the socket2 crate, which maps each call to one method:
//!
//! ```text
//! socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)   the OS creates a socket, bound to nothing
//! bind(fd, [::1]:0)                            it gets an address; port 0: the OS picks one
//! listen(fd, backlog)                          it starts accepting handshakes into a queue
//! ```
//!
//! Edit `listen_by_hand`.

use std::io;
use std::net::{SocketAddr, TcpListener};

/// Creates a TCP socket for `addr`'s family, binds it to `addr` and makes it
/// listen with a queue of `backlog` finished handshakes waiting for
/// `accept()`.
///
/// Returns the listener, converted into a std [`TcpListener`], and the
/// address the OS actually bound: when `addr` asks for port 0, the OS picks a
/// free port, and only the socket knows which. A socket2 `Socket` becomes a
/// std listener with `TcpListener::from(socket)` (or `socket.into()`): the
/// course uses socket2 0.6, which no longer has 0.3's `into_tcp_listener()`.
///
/// Works for IPv4 and IPv6 addresses alike: the socket's family (IPv4 or
/// IPv6) must be the family of `addr`.
///
/// # Errors
///
/// Any of the three calls can fail, and its error is returned: for example
/// `AddrNotAvailable` when `addr`'s IP address belongs to no interface of
/// this machine, or `AddrInUse` when another socket already listens on that
/// port.
pub fn listen_by_hand(addr: SocketAddr, backlog: i32) -> io::Result<(TcpListener, SocketAddr)> {
    todo!(
        "with socket2: Socket::new for addr's family, bind, listen(backlog), convert into a TcpListener, and return it with its local_addr()"
    )
}
