//! Exercise 6: a connected UDP client.
//!
//! `connect` on a UDP socket sends nothing: no handshake, no packet at all.
//! It only records a default peer in the kernel, and that changes three
//! things (the chapter's section 4 says more):
//!
//! - `send` and `recv` work without an address: they talk to the peer;
//! - the socket now receives only datagrams from that peer: the kernel drops
//!   datagrams from every other address that arrive after the `connect`
//!   (ones already queued before it stay), so a stranger cannot slip an
//!   answer in;
//! - errors come back. When nothing listens on the peer's port, its machine
//!   answers the datagram with an ICMP "port unreachable" message; the
//!   kernel hands that to a connected socket as `ConnectionRefused` on its
//!   next `recv` (or `send`). An unconnected socket never hears of it and
//!   waits for an answer that will not come.
//!
//! ```text
//! client --request--> 127.0.0.1:9999   (nothing bound there)
//! client <--ICMP port unreachable--    recv() -> Err(ConnectionRefused)
//! ```
//!
//! UDP promises nothing, so a request may also get no answer at all: the
//! client needs its own timeout.
//!
//! Edit `UdpClient::connect` and `UdpClient::request`; the struct,
//! `local_addr`, `server` and `RequestError` are given.

use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// A UDP client that talks to one server.
pub struct UdpClient {
    /// A socket bound to a local address and connected to the server, so
    /// that `send` and `recv` need no address and only the server is heard.
    socket: UdpSocket,
    /// The server's address, as given to `connect`.
    server: SocketAddr,
}

/// Why [`UdpClient::request`] gave no answer.
#[derive(Debug)]
pub enum RequestError {
    /// Nothing listens on the server's port: the server's machine answered
    /// with ICMP port unreachable.
    Refused,
    /// No answer came within the timeout (the request or the answer may
    /// have been lost, or the server ignored it).
    NoAnswer { waited: Duration },
    /// Sending or receiving failed for another reason.
    Io(io::Error),
}

impl UdpClient {
    /// Creates a UDP socket bound to `bind` (for example `127.0.0.1:0`, a
    /// port the OS chooses) and connects it to `server`.
    ///
    /// # Errors
    ///
    /// Returns the error of the bind or of the connect; for example
    /// `InvalidInput` when `server` is of another address family than
    /// `bind`.
    pub fn connect(bind: SocketAddr, server: SocketAddr) -> io::Result<UdpClient> {
        // bind(2) gives the socket its local address and port.
        let socket = UdpSocket::bind(bind)?;
        // connect(2) on UDP sends nothing. The kernel only records the
        // server as this socket's peer: from now on it delivers to this
        // socket only datagrams from that address, and it passes on the
        // ICMP errors that come back about it.
        socket.connect(server)?;
        Ok(UdpClient { socket, server })
    }

    /// The client's own address: the one its server sees datagrams come from.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The server this client talks to.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// Sends `message` to the server as one datagram and returns the first
    /// datagram that comes back from the server, waiting at most `timeout`.
    ///
    /// Datagrams from any other address are never taken for the answer: the
    /// connected socket does not even receive them. The answer is read
    /// whole, up to 65,507 bytes (the largest UDP payload over IPv4).
    ///
    /// # Errors
    ///
    /// - [`RequestError::Refused`] when nothing listens on the server's port
    ///   (the send or the receive fails with `ConnectionRefused`).
    /// - [`RequestError::NoAnswer`] with `timeout` when no datagram came from
    ///   the server within `timeout` (the receive fails with `WouldBlock`,
    ///   or `TimedOut` on some systems).
    /// - [`RequestError::Io`] for any other failure, including a `timeout`
    ///   of zero, which `set_read_timeout` refuses with `InvalidInput`.
    pub fn request(&self, message: &[u8], timeout: Duration) -> Result<Vec<u8>, RequestError> {
        // UDP has no timeouts of its own: a lost request or a lost answer
        // looks exactly like a slow server. SO_RCVTIMEO makes recv give up.
        self.socket.set_read_timeout(Some(timeout))?;
        let exchange = || -> io::Result<Vec<u8>> {
            // send(2) on a connected socket: one datagram to the peer.
            self.socket.send(message)?;
            // recv(2) on a connected socket returns only datagrams from the
            // peer; the kernel has dropped those of anyone else.
            let mut answer = vec![0; 65_507];
            let len = self.socket.recv(&mut answer)?;
            answer.truncate(len);
            Ok(answer)
        };
        exchange().map_err(|error| match error.kind() {
            // The ICMP port unreachable that came back for our datagram,
            // reported on this call (recv), or on the next send when it
            // arrived in between.
            io::ErrorKind::ConnectionRefused => RequestError::Refused,
            // The read timeout passed with nothing from the server.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                RequestError::NoAnswer { waited: timeout }
            }
            _ => RequestError::Io(error),
        })
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Refused => write!(
                f,
                "refused: nothing listens on the server's port (ICMP port unreachable)"
            ),
            RequestError::NoAnswer { waited } => {
                write!(f, "no answer within {waited:?}")
            }
            // The io::Error is the source (below), not part of this message.
            RequestError::Io(_) => write!(f, "the request failed"),
        }
    }
}

impl std::error::Error for RequestError {
    /// The failed call behind [`RequestError::Io`].
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RequestError::Io(error) => Some(error),
            RequestError::Refused | RequestError::NoAnswer { .. } => None,
        }
    }
}

impl From<io::Error> for RequestError {
    fn from(error: io::Error) -> RequestError {
        RequestError::Io(error)
    }
}
