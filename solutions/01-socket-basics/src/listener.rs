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
    use socket2::{Domain, Protocol, Socket, Type};

    // socket(2): the kernel creates a TCP socket and gives us its file
    // descriptor. The family must match the address: an IPv4 socket cannot
    // be bound to [::1], nor an IPv6 socket to 127.0.0.1.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;

    // bind(2): the socket takes its local address. The kernel checks that the
    // IP is one of this machine's (else EADDRNOTAVAIL) and that the port is
    // free (else EADDRINUSE); port 0 makes it pick a free ephemeral port.
    // (std's TcpListener::bind also sets SO_REUSEADDR first; lesson 2 shows
    // why servers want it.)
    socket.bind(&addr.into())?;

    // listen(2): from now on the kernel answers SYNs to this port by itself,
    // completing handshakes and queueing up to `backlog` of them until the
    // program calls accept(). Without listen(), clients are refused.
    socket.listen(backlog)?;

    // getsockname(2): the only way to learn which port the kernel picked.
    let listener = TcpListener::from(socket);
    let bound = listener.local_addr()?;
    Ok((listener, bound))
}
