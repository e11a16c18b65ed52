//! A listener's accept queue seen from the clients' side: a burst of clients
//! that nobody accepts yet, and the moment a closed listener starts to
//! refuse.
//!
//! On Linux a listener queues at most backlog + 1 finished handshakes for
//! `accept()`. Once the queue is full the kernel drops new SYNs without an
//! answer, and a client's `connect()` waits (its SYN is resent after about
//! a second) until its own timeout. When the listener is closed, the kernel
//! answers SYNs with a reset, and a `connect()` fails at once with
//! `ConnectionRefused`.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Why [`connect_burst`] stopped before every client got in.
#[derive(Debug)]
pub struct BurstCutShort {
    /// The connections that completed, in the order they connected. Nobody
    /// has accepted them: they wait in the listener's accept queue.
    pub connected: Vec<TcpStream>,
    /// The number of the client whose connect failed, counting from 1.
    pub client: usize,
    /// How it failed: `TimedOut` when its SYN got no answer because the
    /// accept queue was full.
    pub error: io::Error,
}

/// Connects `clients` clients to `address`, one after another, each waiting
/// at most `per_client` for its handshake, and keeps every connection open.
///
/// Returns every connection, in the order they connected; or, at the first
/// connect that fails, the connections made so far and the failure.
///
/// Nobody needs to accept meanwhile: the listener's kernel completes each
/// handshake and queues the connection. With nobody accepting the queue only
/// grows, so connecting one client after another makes the outcome exact:
/// on Linux, client backlog + 2 is the first to get no answer. A handshake
/// the kernel answers takes microseconds on loopback, and a dropped one is
/// resent only after about a second, so a `per_client` of a second or two
/// tells them apart with a wide margin even on a loaded machine.
pub fn connect_burst(
    address: SocketAddr,
    clients: usize,
    per_client: Duration,
) -> Result<Vec<TcpStream>, BurstCutShort> {
    let mut connected = Vec::with_capacity(clients);
    for client in 1..=clients {
        match TcpStream::connect_timeout(&address, per_client) {
            Ok(connection) => connected.push(connection),
            Err(error) => {
                return Err(BurstCutShort {
                    connected,
                    client,
                    error,
                });
            }
        }
    }
    Ok(connected)
}

/// Connects to `address` again and again, closing each connection that
/// still gets through, until a connect is refused: the listener has been
/// closed. Gives up after `limit`.
///
/// Returns `Ok(())` once a connect is refused, or, after `limit`, the number
/// of connects that were not refused (they completed into the listener's
/// queue, or got no answer because the queue was full).
///
/// Use it to wait for a server to close its listener, without sleeping: a
/// connect made before the close completes (and is reset when the listener
/// closes), and the first one after it is refused. Each connect waits at
/// most 100 ms for an answer.
pub fn wait_until_refused(address: SocketAddr, limit: Duration) -> Result<(), usize> {
    const PER_CONNECT: Duration = Duration::from_millis(100);
    let deadline = Instant::now() + limit;
    let mut not_refused = 0;
    while Instant::now() < deadline {
        match TcpStream::connect_timeout(&address, PER_CONNECT) {
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => return Ok(()),
            // Connected (and closed again at once by the drop), or no answer:
            // either way something still listens there.
            Ok(_) | Err(_) => not_refused += 1,
        }
    }
    Err(not_refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};
    use std::net::{Ipv4Addr, TcpListener};

    fn listener_with_backlog(backlog: i32) -> (Socket, SocketAddr) {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any_port: SocketAddr = (Ipv4Addr::LOCALHOST, 0).into();
        listener.bind(&any_port.into()).unwrap();
        listener.listen(backlog).unwrap();
        let address = listener.local_addr().unwrap().as_socket().unwrap();
        (listener, address)
    }

    #[test]
    fn connect_burst_connects_every_client_that_fits_the_queue() {
        let (_listener, address) = listener_with_backlog(16);
        let connected = connect_burst(address, 10, Duration::from_secs(2))
            .expect("10 clients fit a backlog of 16");
        assert_eq!(connected.len(), 10);
    }

    #[test]
    fn connect_burst_stops_at_the_first_client_the_full_queue_drops() {
        let (_listener, address) = listener_with_backlog(1);
        let cut_short = connect_burst(address, 8, Duration::from_millis(100))
            .expect_err("a backlog of 1 cannot take 8 clients");
        assert_eq!(cut_short.error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(cut_short.connected.len() + 1, cut_short.client);
        assert!(cut_short.client < 8, "client {}", cut_short.client);
    }

    #[test]
    fn wait_until_refused_sees_a_closed_listener() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        assert_eq!(wait_until_refused(address, Duration::from_secs(5)), Ok(()));
    }

    #[test]
    fn wait_until_refused_gives_up_on_a_live_listener() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let outcome = wait_until_refused(address, Duration::from_millis(50));
        assert!(
            matches!(outcome, Err(attempts) if attempts > 0),
            "{outcome:?}"
        );
    }
}
