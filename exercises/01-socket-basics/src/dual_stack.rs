//! Exercise 6: one IPv6 socket for IPv4 clients too.
//!
//! An IPv6 socket can also carry IPv4 connections when its `IPV6_V6ONLY`
//! option is off. The kernel then shows each IPv4 address inside an IPv6
//! one, an *IPv4-mapped* address: `::ffff:` followed by the four IPv4 bytes.
//!
//! ```text
//! IPv4 client 127.0.0.1:51000  --->  IPv6 listener, only_v6(false)
//!                                    accept() -> peer [::ffff:127.0.0.1]:51000
//! ```
//!
//! A server listening on `[::]` this way serves both families with one
//! socket. Whether a new IPv6 socket does so depends on the OS, so a server
//! says which it wants. The tests stay on loopback, so they bind
//! `[::ffff:127.0.0.1]`, the IPv4 loopback address as an IPv6 socket writes
//! it, or `[::1]`.
//!
//! Edit `ipv6_listener` and `unmapped`.

use std::io;
use std::net::{SocketAddr, SocketAddrV6, TcpListener};

/// Creates an IPv6 TCP socket, binds it to `addr` and listens on it (a
/// backlog of 128, as std uses). With `accept_ipv4` the socket is dual-stack
/// and accepts IPv4 clients too; without it, it is IPv6 only.
///
/// Set `IPV6_V6ONLY` explicitly either way, to the opposite of `accept_ipv4`
/// (`set_only_v6(!accept_ipv4)`), before binding: the kernel applies it at
/// bind time. Never rely on the default: Linux defaults to dual stack
/// (`net.ipv6.bindv6only = 0`, which an administrator can change), Windows,
/// FreeBSD and NetBSD default to IPv6 only, and OpenBSD has no dual-stack
/// sockets at all. A server that relies on the default serves IPv4 clients on
/// one system and refuses them on another.
///
/// # Errors
///
/// Any failure of the socket calls. In particular, binding an IPv4-mapped
/// address such as `[::ffff:127.0.0.1]:0` fails with `InvalidInput` (EINVAL)
/// on a socket that is IPv6 only, that is with `accept_ipv4 = false`.
pub fn ipv6_listener(addr: SocketAddrV6, accept_ipv4: bool) -> io::Result<TcpListener> {
    todo!(
        "with socket2: an IPv6 socket, set_only_v6(!accept_ipv4) before bind, bind addr, listen(128), convert into a TcpListener"
    )
}

/// Turns an IPv4-mapped IPv6 address, such as `[::ffff:127.0.0.1]:51000`,
/// back into the IPv4 address it stands for, `127.0.0.1:51000`; the port
/// stays. Every other address, IPv4 or IPv6, is returned unchanged.
///
/// Use it on a dual-stack listener's peer addresses, so that logs and access
/// rules see an IPv4 client as IPv4.
pub fn unmapped(peer: SocketAddr) -> SocketAddr {
    todo!(
        "if peer is IPv6 and its IP is ::ffff:a.b.c.d, return a.b.c.d with the same port; else return peer"
    )
}
