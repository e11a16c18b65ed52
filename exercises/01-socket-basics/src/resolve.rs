//! Exercise 2: from a name to addresses, and to a connection.
//!
//! A socket never connects to a name: `connect()` takes an IP address and a
//! port. A name like `localhost` or `example.com` must first be *resolved*,
//! and the resolver may answer with several addresses, IPv4 and IPv6 mixed,
//! best first. A client that means to reach the service tries them in that
//! order until one answers:
//!
//! ```text
//! "localhost", 8080  --resolve-->  [::1]:8080, 127.0.0.1:8080
//!                    --connect-->  [::1]:8080 refused, 127.0.0.1:8080 connected
//! ```
//!
//! Edit `resolve`, `pick` and `connect_any`; the types around them are given.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Returns every address `target` resolves to, each once, in the order the
/// resolver gave them.
///
/// `target` is anything std can resolve: a name and a port
/// (`("localhost", 8080)`), the same as text (`"localhost:8080"`), an IP
/// literal (`("::1", 8080)`), or addresses already known (a `SocketAddr`, a
/// slice of them). Names go to the system resolver (`getaddrinfo`), which
/// reads `/etc/hosts` and may ask DNS; IP literals are parsed without asking
/// anyone.
///
/// Keep the resolver's order: it puts the addresses it prefers first. Drop
/// repeated addresses: some resolvers list one address twice (two lines in
/// `/etc/hosts`), and a client would try it twice.
///
/// # Errors
///
/// Whatever the resolution fails with, for example a name that does not
/// exist.
pub fn resolve(target: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    todo!(
        "call target.to_socket_addrs() and collect the addresses into a Vec, skipping any already in it"
    )
}

/// An IP version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4: 32-bit addresses such as `127.0.0.1`.
    V4,
    /// IPv6: 128-bit addresses such as `::1`.
    V6,
}

/// Returns the first address in `addrs` of the given `family`, or `None`
/// when there is none.
pub fn pick(addrs: &[SocketAddr], family: Family) -> Option<SocketAddr> {
    todo!("find the first address whose is_ipv4() or is_ipv6() matches the family")
}

/// Why [`connect_any`] could not connect: every address it tried, in order,
/// with the error that attempt failed with.
#[derive(Debug)]
pub struct ConnectError {
    /// One entry per address tried; empty when there was no address.
    pub attempts: Vec<(SocketAddr, io::Error)>,
}

/// Connects to the first address in `addrs` that accepts, trying them in
/// order and giving each at most `timeout` to answer.
///
/// An address fails when it refuses (nothing listens there), when it does not
/// answer within `timeout` (the handshake got lost, or a firewall drops it),
/// or with any other connect error; then the next one is tried.
///
/// # Errors
///
/// When no address accepts, a [`ConnectError`] listing every attempt, in
/// order, with its error. With no addresses at all, a `ConnectError` with no
/// attempts.
pub fn connect_any(addrs: &[SocketAddr], timeout: Duration) -> Result<TcpStream, ConnectError> {
    todo!(
        "try TcpStream::connect_timeout on each address in order; return the first success, or every (address, error) pair"
    )
}

impl fmt::Display for ConnectError {
    /// Writes every attempt on one line, for example `could not connect:
    /// [::1]:8080: Connection refused (os error 111); 127.0.0.1:8080: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.attempts.is_empty() {
            return f.write_str("could not connect: there was no address to try");
        }
        f.write_str("could not connect:")?;
        for (index, (addr, error)) in self.attempts.iter().enumerate() {
            let separator = if index == 0 { " " } else { "; " };
            write!(f, "{separator}{addr}: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {}
