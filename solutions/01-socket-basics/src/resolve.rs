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
    // `to_socket_addrs` is where the lookup happens: for a name, std calls
    // getaddrinfo(3) and the calling thread waits for its answer. Nothing is
    // connected yet; these are only candidates.
    let mut unique = Vec::new();
    for addr in target.to_socket_addrs()? {
        // A resolver gives a handful of addresses, so a linear search is
        // cheap, and unlike sorting it keeps the resolver's order.
        if !unique.contains(&addr) {
            unique.push(addr);
        }
    }
    Ok(unique)
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
    // The family is part of the address itself: a SocketAddr is either a V4
    // or a V6 variant, and a socket can only be created for one of them.
    addrs.iter().copied().find(|addr| match family {
        Family::V4 => addr.is_ipv4(),
        Family::V6 => addr.is_ipv6(),
    })
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
    let mut attempts = Vec::new();
    for &addr in addrs {
        // connect_timeout creates a socket of this address's family and
        // sends a SYN. The kernel answers for us: a SYN-ACK from a listener
        // completes the handshake, an RST means refused, and silence means
        // we give up after `timeout`. Without a timeout, an address that
        // never answers would hold us for minutes of SYN retries.
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            // Keep every failure: "refused by [::1], timed out on 127.0.0.1"
            // says far more than the last error alone.
            Err(error) => attempts.push((addr, error)),
        }
    }
    Err(ConnectError { attempts })
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
