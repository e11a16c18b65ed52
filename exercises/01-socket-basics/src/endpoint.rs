//! Exercise 1: parse and classify endpoints.
//!
//! A socket address is an IP address and a port; add the transport protocol
//! and you know exactly which socket you mean. This exercise reads endpoints
//! written the way this course writes them, `ADDRESS:PORT/PROTOCOL`:
//!
//! ```text
//! 142.250.74.206:443/tcp     an IPv4 address, port 443, over TCP
//! [::1]:8080/udp             an IPv6 address (in brackets), port 8080, over UDP
//! ```
//!
//! Parsing text into a value is what Rust's [`FromStr`] trait is for, so
//! `"[::1]:8080/udp".parse::<Endpoint>()` works the way
//! `"[::1]:8080".parse::<SocketAddr>()` does.
//!
//! Edit `Endpoint::from_str` and `port_class`; the types around them are
//! given.

use std::error::Error;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

/// The transport protocol of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// A reliable, ordered byte stream over a connection.
    Tcp,
    /// Independent datagrams, with no connection and no guarantees.
    Udp,
}

/// One end of a conversation: an IP address, a port and a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The IP address and port.
    pub addr: SocketAddr,
    /// The transport protocol.
    pub protocol: Protocol,
}

/// Why a text is not a valid endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    /// There is no `/tcp` or `/udp` after the address.
    MissingProtocol,
    /// The text after the last `/` is not `tcp` or `udp`; holds that text.
    UnknownProtocol(String),
    /// The address is IPv6 but has no brackets, like `::1:8080`: without
    /// them nobody can tell where the address ends and the port begins.
    Ipv6WithoutBrackets,
    /// The host is a name, like `localhost`, not an IP address; holds the
    /// name. Names must be resolved first (exercise 2).
    NotAnIpAddress(String),
    /// The port is missing, not a number, or above 65535; holds the text.
    InvalidPort(String),
    /// Anything else that does not parse as `IP:PORT`; holds the text.
    InvalidAddress(String),
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    /// Parses `ADDRESS:PORT/PROTOCOL`, such as `142.250.74.206:443/tcp` or
    /// `[::1]:8080/udp`. Call it as `text.parse::<Endpoint>()`.
    ///
    /// - The protocol follows the **last** `/` and is `tcp` or `udp`, in lower
    ///   case. No `/` at all is [`EndpointError::MissingProtocol`]; any other
    ///   protocol is [`EndpointError::UnknownProtocol`].
    /// - The address is whatever [`SocketAddr`] parses, including an IPv6
    ///   scope id such as `[fe80::1%2]:80`. When it does not parse, say
    ///   precisely why, checking in this order:
    ///   1. it contains more than one `:` and no `[`: it is an IPv6 address
    ///      without brackets, [`EndpointError::Ipv6WithoutBrackets`];
    ///   2. the port after the last `:` is not a `u16`: [`EndpointError::InvalidPort`]
    ///      with the port's text (an empty text when there is no `:` at all);
    ///   3. the host before the last `:` starts with an ASCII letter: it is a
    ///      name, [`EndpointError::NotAnIpAddress`] with the host's text;
    ///   4. otherwise [`EndpointError::InvalidAddress`] with the address's
    ///      text (without the protocol).
    ///
    /// Parsing never resolves a name: no resolver, no DNS, no socket.
    fn from_str(text: &str) -> Result<Endpoint, EndpointError> {
        todo!(
            "split off the protocol after the last '/', parse the rest as a SocketAddr, and name the error precisely"
        )
    }
}

/// Which range a port number falls in, as IANA divides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortClass {
    /// Port 0: not a real port, but a request that the OS choose one.
    OsChooses,
    /// 1 to 1023: services everyone knows (80 HTTP, 443 HTTPS, 22 SSH).
    WellKnown,
    /// 1024 to 49151: registered for particular applications (5432 PostgreSQL).
    Registered,
    /// 49152 to 65535: dynamic or private, never assigned to a service.
    Dynamic,
}

/// Classifies `port` into the ranges of [`PortClass`].
pub fn port_class(port: u16) -> PortClass {
    todo!("match the port against the ranges listed on PortClass")
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        })
    }
}

impl fmt::Display for Endpoint {
    /// Writes the endpoint back as `ADDRESS:PORT/PROTOCOL`; IPv6 addresses
    /// get their brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.protocol)
    }
}

impl fmt::Display for EndpointError {
    /// Says what is wrong in words a person can act on, for example
    /// `invalid port "70000": a port is a number from 0 to 65535`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::MissingProtocol => {
                f.write_str("no protocol: write /tcp or /udp after the address")
            }
            EndpointError::UnknownProtocol(protocol) => {
                write!(f, "unknown protocol {protocol:?}: expected tcp or udp")
            }
            EndpointError::Ipv6WithoutBrackets => {
                f.write_str("an IPv6 address needs brackets when a port follows, as in [::1]:8080")
            }
            EndpointError::NotAnIpAddress(host) => {
                write!(f, "{host:?} is a name, not an IP address: resolve it first")
            }
            EndpointError::InvalidPort(port) => {
                write!(
                    f,
                    "invalid port {port:?}: a port is a number from 0 to 65535"
                )
            }
            EndpointError::InvalidAddress(address) => {
                write!(f, "{address:?} is not an IP address and a port")
            }
        }
    }
}

/// `EndpointError` is a standard error, so `?` can turn it into a
/// `Box<dyn Error>` or an `anyhow::Error`. None of its variants wraps a lower
/// error (each is the whole reason), so `source()` keeps its default, `None`.
impl Error for EndpointError {}
