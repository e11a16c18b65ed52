//! Loopback sockets for tests, and the steps of a conversation with a server,
//! each with a deadline and a failure message that speaks networking.

use crate::background::Background;
use crate::deadline::{STEP, within};
use crate::explain::{likely_cause, printable};
use socket2::{Domain, Socket, Type};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// A TCP listener on `127.0.0.1`, on a port the OS chose, and its address.
pub fn loopback_listener() -> (TcpListener, SocketAddr) {
    bind_listener((Ipv4Addr::LOCALHOST, 0).into())
}

/// A TCP listener on `[::1]`, on a port the OS chose, and its address.
pub fn loopback_listener_v6() -> (TcpListener, SocketAddr) {
    bind_listener((Ipv6Addr::LOCALHOST, 0).into())
}

fn bind_listener(address: SocketAddr) -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind(address)
        .unwrap_or_else(|error| panic!("the test could not bind {address}: {error}"));
    let bound = listener
        .local_addr()
        .expect("a bound listener has a local address");
    (listener, bound)
}

/// A UDP socket on `127.0.0.1`, on a port the OS chose, and its address.
/// Its receives give up after [`STEP`], so a datagram that never comes
/// fails the test instead of hanging it.
pub fn loopback_udp() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1:0");
    socket
        .set_read_timeout(Some(STEP))
        .expect("setting a read timeout");
    let address = socket.local_addr().expect("a bound socket has an address");
    (socket, address)
}

/// A loopback address where every connect is refused, race-free: a socket
/// bound to it that never listens. The address stays refused while the
/// returned socket is alive, and no other test can take the port meanwhile.
pub fn refused_address() -> (Socket, SocketAddr) {
    bound_not_listening((Ipv4Addr::LOCALHOST, 0).into())
}

/// [`refused_address`] on `[::1]`, for tests that must not assume IPv4.
pub fn refused_address_v6() -> (Socket, SocketAddr) {
    bound_not_listening((Ipv6Addr::LOCALHOST, 0).into())
}

/// A loopback UDP address where nothing receives, race-free: a socket is
/// bound to it (so no other test can take the port) but connected to
/// another address, so the kernel delivers it nothing from anyone else and
/// answers their datagrams with ICMP port unreachable, which a connected
/// sender sees as `ConnectionRefused`. The address stays refused while the
/// returned socket is alive.
pub fn refused_udp_address() -> (UdpSocket, SocketAddr) {
    let (holder, address) = loopback_udp();
    let (elsewhere, elsewhere_address) = loopback_udp();
    holder
        .connect(elsewhere_address)
        .expect("connecting the port holder elsewhere");
    drop(elsewhere);
    (holder, address)
}

fn bound_not_listening(any_port: SocketAddr) -> (Socket, SocketAddr) {
    let socket = Socket::new(Domain::for_address(any_port), Type::STREAM, None)
        .expect("creating a TCP socket");
    socket
        .bind(&any_port.into())
        .unwrap_or_else(|error| panic!("binding {any_port}: {error}"));
    let address = socket
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("a bound socket has an IP address");
    (socket, address)
}

/// A listener that never answers: its accept queue is full, so the kernel
/// drops every new handshake and a connect waits until it times out.
pub struct UnansweredAddress {
    /// The address whose connects get no answer.
    pub address: SocketAddr,
    _listener: Socket,
    _queued: Vec<TcpStream>,
}

/// Makes an [`UnansweredAddress`]: a loopback listener with a backlog of 0
/// that is never accepted from, whose queue the test fills with its own
/// connections (see [`fill_accept_queue`]).
pub fn unanswered_address() -> UnansweredAddress {
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("creating a TCP socket");
    let any_port: SocketAddr = (Ipv4Addr::LOCALHOST, 0).into();
    listener
        .bind(&any_port.into())
        .expect("binding 127.0.0.1:0");
    listener.listen(0).expect("listening with a backlog of 0");
    let address = listener
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("a bound socket has an IP address");
    // The kernel keeps backlog + 1 finished handshakes; a few spares cover
    // kernels that round the backlog up.
    let queued = fill_accept_queue(address, 8).unwrap_or_else(|| {
        panic!("the accept queue of {address} never filled: this kernel accepts more than expected")
    });
    UnansweredAddress {
        address,
        _listener: listener,
        _queued: queued,
    }
}

/// Connects to a listener that nobody accepts from, again and again, keeping
/// every connection open, until a connect gets no answer within 100 ms: the
/// listener's accept queue is full, and the kernel drops the handshake.
///
/// Returns the connections that got into the queue, or `None` when all
/// `at_most` connects completed (the queue holds more than that). Fails the
/// test if a connect fails for any other reason.
pub fn fill_accept_queue(address: SocketAddr, at_most: usize) -> Option<Vec<TcpStream>> {
    // On loopback a handshake the kernel answers takes microseconds, and a
    // dropped one is retried only after about a second: 100 ms tells them
    // apart with a wide margin either way.
    const PROBE: Duration = Duration::from_millis(100);
    let mut queued = Vec::new();
    for _ in 0..at_most {
        match TcpStream::connect_timeout(&address, PROBE) {
            Ok(connection) => queued.push(connection),
            Err(error) if error.kind() == io::ErrorKind::TimedOut => return Some(queued),
            Err(error) => panic!(
                "filling the accept queue of {address} failed: {error}. Likely cause: {}",
                likely_cause(&error)
            ),
        }
    }
    None
}

/// Breaks a listener the code under test is using: `shutdown(Read)` on
/// `handle`, a clone of it (`listener.try_clone()`, taken before the
/// listener was handed over). On Linux a blocked `accept()` then fails at
/// once with `EINVAL`, as every later one does: the listener is broken for
/// good, and an accept loop must end with that error instead of retrying.
pub fn break_listener(handle: &TcpListener) {
    socket2::SockRef::from(handle)
        .shutdown(std::net::Shutdown::Read)
        .expect("shutting down the listener's reading side");
}

/// Breaks the listener `handle` shares with the server running in `server`
/// (see [`break_listener`]) and expects the server to end, within [`STEP`],
/// with the accept error: a broken listener is the one accept error that
/// ends an accept loop. Returns that error (`EINVAL` on Linux).
///
/// `name` names the server in messages, for example `"serve()"`.
#[track_caller]
pub fn expect_broken_listener_ends<T: std::fmt::Debug>(
    handle: &TcpListener,
    server: &Background<io::Result<T>>,
    name: &str,
) -> io::Error {
    break_listener(handle);
    expect_ends_with_the_broken_listeners_error(server, name, "once its listener broke")
}

/// The second half of [`expect_broken_listener_ends`], for a test that
/// broke the listener itself and had more to check before the server ends
/// (clients that must still be served, say): expects the server to return,
/// within [`STEP`], the error its broken listener's `accept()` failed with,
/// and returns that error (`EINVAL` on Linux).
///
/// `name` names the server in messages; `when` completes "to return ...",
/// for example `"once its listener broke and its last client left"`.
#[track_caller]
pub fn expect_ends_with_the_broken_listeners_error<T: std::fmt::Debug>(
    server: &Background<io::Result<T>>,
    name: &str,
    when: &str,
) -> io::Error {
    let returned = server.returned(&format!(
        "{name} to return {when} (every accept() on a broken listener fails with EINVAL, which \
         accept_failure sorts as ListenerBroken: the one accept error that ends the loop, with \
         that error)"
    ));
    let error = match returned {
        Ok(value) => panic!(
            "{name} returned Ok({value:?}) after its listener broke; nobody asked it to stop, so \
             it must return the accept error, so that its caller learns why the server stopped"
        ),
        Err(error) => error,
    };
    assert_eq!(
        error.raw_os_error(),
        Some(libc::EINVAL),
        "{name} returned Err({error}); it should return the error the broken listener's \
         accept() failed with, itself (EINVAL, \"Invalid argument\"), not a new error or \
         another one"
    );
    error
}

/// Checks a listener the code under test made when asked for `ip` port 0,
/// and `address`, where it says the listener is: that address is on `ip`
/// (a socket of the address's own family, bound to it), on a port the OS
/// chose, and the listener works: a client connects, is accepted, and the
/// line it sends arrives.
#[track_caller]
pub fn expect_listening_on(ip: IpAddr, listener: &TcpListener, address: SocketAddr) {
    assert_eq!(
        address.ip(),
        ip,
        "asked for a listener on {ip} port 0, got {address}: make the socket for the \
         address's own family (Domain::for_address), and bind that address"
    );
    assert_ne!(address.port(), 0, "port 0 asks the OS to choose a port");
    let mut client = Client::connect(address);
    let (server_side, peer) = accept(listener, "the client's connection to be accepted");
    let mut server_side = Client::from_accepted(server_side, peer);
    client.send(b"ping\n");
    assert_eq!(server_side.read_line("the client's ping"), "ping");
}

/// Waits for the next client on `listener`, failing the test after [`STEP`].
///
/// `waiting_for` completes "waited 5s for ...", for example
/// `"the probe to connect"`.
#[track_caller]
pub fn accept(listener: &TcpListener, waiting_for: &str) -> (TcpStream, SocketAddr) {
    let listener = listener.try_clone().expect("cloning the listener's handle");
    match within(STEP, waiting_for, move || listener.accept()) {
        Ok(accepted) => accepted,
        Err(error) => panic!("accept() failed: {error}: {}", likely_cause(&error)),
    }
}

/// The test's side of a TCP conversation with the code under test. Every
/// step has a deadline of [`STEP`] and fails with a message that shows what
/// was sent, what came back and the likely cause.
pub struct Client {
    reader: BufReader<TcpStream>,
    server: SocketAddr,
    sent: Vec<u8>,
}

impl Client {
    /// Connects to `server`, or fails the test saying why.
    #[track_caller]
    pub fn connect(server: SocketAddr) -> Client {
        let stream = match TcpStream::connect_timeout(&server, STEP) {
            Ok(stream) => stream,
            Err(error) => panic!(
                "the test could not connect to {server}: {error}. Likely cause: {}",
                likely_cause(&error)
            ),
        };
        Client {
            reader: BufReader::new(stream),
            server,
            sent: Vec::new(),
        }
    }

    /// Takes over a connection the test made itself (for example with a
    /// socket reserved by [`crate::descriptors::OutOfDescriptors::connect`]).
    pub fn from_connected(stream: TcpStream) -> Client {
        let server = stream
            .peer_addr()
            .expect("a connected socket has a peer address");
        Client {
            reader: BufReader::new(stream),
            server,
            sent: Vec::new(),
        }
    }

    /// Takes over a connection the test accepted from `peer`, for tests where
    /// the code under test is the client: reading what it sent, or waiting
    /// for it to close, then has the same deadlines and messages.
    pub fn from_accepted(stream: TcpStream, peer: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(stream),
            server: peer,
            sent: Vec::new(),
        }
    }

    /// Closes the connection with a reset (RST) instead of the orderly FIN,
    /// the way a client that crashed or gave up does: a linger time of zero
    /// makes `close()` discard unsent data and abort the connection. The
    /// peer's next read or write fails with `ConnectionReset`.
    pub fn reset(self) {
        socket2::SockRef::from(self.stream())
            .set_linger(Some(Duration::ZERO))
            .expect("setting a zero linger time");
        // `self` is dropped here: close() sends the RST.
    }

    /// The connection itself, for what the helpers do not cover.
    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// This end's address: the IP and port the server sees as its peer.
    pub fn local_addr(&self) -> SocketAddr {
        self.stream()
            .local_addr()
            .expect("a connected socket has a local address")
    }

    /// Sends all of `bytes`, or fails the test saying why.
    #[track_caller]
    pub fn send(&mut self, bytes: &[u8]) {
        let stream = self.reader.get_mut();
        stream
            .set_write_timeout(Some(STEP))
            .expect("setting a write timeout");
        if let Err(error) = stream.write_all(bytes) {
            panic!(
                "sending {} to {} failed: {error}. Likely cause: {}",
                printable(bytes),
                self.server,
                likely_cause(&error)
            );
        }
        self.sent.extend_from_slice(bytes);
    }

    /// Reads one line and returns it without its `\n`, failing the test if
    /// the server closes, fails or stays silent before the newline.
    ///
    /// `waiting_for` completes "waited 5s for ...".
    #[track_caller]
    pub fn read_line(&mut self, waiting_for: &str) -> String {
        let mut line = Vec::new();
        let outcome = self.read_until_deadline(|reader| {
            let read = reader.read_until(b'\n', &mut line)?;
            Ok(read == 0 || line.ends_with(b"\n"))
        });
        match outcome {
            Ok(()) if line.ends_with(b"\n") => {
                line.pop();
                match String::from_utf8(line) {
                    Ok(line) => line,
                    Err(error) => panic!(
                        "{waiting_for}: the line is not UTF-8: {}",
                        printable(error.as_bytes())
                    ),
                }
            }
            Ok(()) => panic!(
                "while waiting for {waiting_for}, {} closed the connection (EOF) after sending {} \
                 with no newline{}",
                self.server,
                printable(&line),
                self.sent_so_far()
            ),
            Err(error) => self.fail_reading(waiting_for, &line, &error),
        }
    }

    /// Sends `line` and a newline, and expects the same line back, failing
    /// the test if another line, an EOF or nothing comes instead.
    ///
    /// `waiting_for` completes "waited 5s for ...".
    #[track_caller]
    pub fn expect_line_echoed(&mut self, line: &str, waiting_for: &str) {
        self.send(format!("{line}\n").as_bytes());
        let echo = self.read_line(waiting_for);
        assert_eq!(
            echo, line,
            "the client sent {line:?} and expected the same line back"
        );
    }

    /// Reads exactly as many bytes as `expected` holds, and no more, and
    /// fails the test unless they are `expected`: the echo of what the test
    /// just sent, checked before it sends anything else or closes, so that a
    /// server that waits for more (a newline, the end) is caught.
    ///
    /// `waiting_for` completes "waited 5s for ...".
    #[track_caller]
    pub fn expect_echo_now(&mut self, expected: &[u8], waiting_for: &str) {
        let mut received = Vec::new();
        let outcome = self.read_until_deadline(|reader| {
            let mut chunk = vec![0; expected.len() - received.len()];
            let read = reader.read(&mut chunk)?;
            received.extend_from_slice(&chunk[..read]);
            Ok(read == 0 || received.len() == expected.len())
        });
        if let Err(error) = outcome {
            self.fail_reading(waiting_for, &received, &error);
        }
        assert_eq!(
            received,
            expected,
            "the client sent {} and expected exactly those bytes back, got {}",
            printable(expected),
            printable(&received)
        );
    }

    /// Reads until the server closes the connection and returns everything
    /// it sent, failing the test if it stays open past the deadline.
    #[track_caller]
    pub fn read_to_end(&mut self, waiting_for: &str) -> Vec<u8> {
        let mut received = Vec::new();
        let outcome = self.read_until_deadline(|reader| {
            let mut chunk = [0; 4096];
            let read = reader.read(&mut chunk)?;
            received.extend_from_slice(&chunk[..read]);
            Ok(read == 0)
        });
        match outcome {
            Ok(()) => received,
            Err(error) => self.fail_reading(waiting_for, &received, &error),
        }
    }

    /// Repeats `read_step` until it reports that it is done, giving up when
    /// the deadline of the whole read passes (not just of one `read`).
    fn read_until_deadline(
        &mut self,
        mut read_step: impl FnMut(&mut BufReader<TcpStream>) -> io::Result<bool>,
    ) -> io::Result<()> {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer within {STEP:?}"),
                ));
            }
            self.reader
                .get_ref()
                .set_read_timeout(Some(left))
                .expect("setting a read timeout");
            match read_step(&mut self.reader) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                // A read timeout shows up as WouldBlock (or TimedOut on some
                // systems); the loop then reports the deadline in its own words.
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                    ) => {}
                Err(error) => return Err(error),
            }
        }
    }

    #[track_caller]
    fn fail_reading(&self, waiting_for: &str, received: &[u8], error: &io::Error) -> ! {
        panic!(
            "while waiting for {waiting_for}, reading from {} failed: {error}. Received so far: {}{}. \
             Likely cause: {}",
            self.server,
            printable(received),
            self.sent_so_far(),
            likely_cause(error)
        )
    }

    fn sent_so_far(&self) -> String {
        if self.sent.is_empty() {
            String::from(" (the test had sent nothing)")
        } else {
            format!(" (the test had sent {})", printable(&self.sent))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic;

    #[test]
    fn refused_addresses_refuse() {
        for (_socket, address) in [refused_address(), refused_address_v6()] {
            let error = TcpStream::connect_timeout(&address, STEP).expect_err("nothing listens");
            assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{address}");
        }
    }

    #[test]
    fn unanswered_address_does_not_answer() {
        let unanswered = unanswered_address();
        let error = TcpStream::connect_timeout(&unanswered.address, Duration::from_millis(50))
            .expect_err("the accept queue is full");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_broken_listener_fails_a_blocked_accept() {
        let (listener, _address) = loopback_listener();
        let handle = listener.try_clone().unwrap();
        let (accepted, outcome) = std::sync::mpsc::channel();
        std::thread::spawn(move || accepted.send(listener.accept().map(|_| ())));
        break_listener(&handle);
        let error = outcome
            .recv_timeout(STEP)
            .expect("accept() returns once the listener is shut down")
            .expect_err("a shut-down listener accepts nothing");
        assert_eq!(error.raw_os_error(), Some(libc::EINVAL), "{error}");
    }

    #[test]
    fn a_broken_listener_fails_a_tokio_accept() {
        let (listener, _address) = loopback_listener();
        let handle = listener.try_clone().unwrap();
        listener.set_nonblocking(true).unwrap();
        let error = crate::within_async(STEP, "tokio's accept() to fail", move || async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let accepting = tokio::spawn(async move { listener.accept().await.map(|_| ()) });
            tokio::task::yield_now().await;
            break_listener(&handle);
            accepting.await.unwrap().unwrap_err()
        });
        assert_eq!(error.raw_os_error(), Some(libc::EINVAL), "{error}");
    }

    #[test]
    fn client_reads_a_line_and_then_eof() {
        let (listener, address) = loopback_listener();
        let mut client = Client::connect(address);
        let (mut server_side, peer) = accept(&listener, "the test's own client");
        assert_eq!(peer, client.local_addr());
        server_side.write_all(b"hello\nrest").unwrap();
        drop(server_side);
        assert_eq!(client.read_line("a greeting"), "hello");
        assert_eq!(client.read_to_end("the rest"), b"rest");
    }

    #[test]
    fn fill_accept_queue_stops_at_the_backlog() {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any_port: SocketAddr = (Ipv4Addr::LOCALHOST, 0).into();
        listener.bind(&any_port.into()).unwrap();
        listener.listen(1).unwrap();
        let address = listener.local_addr().unwrap().as_socket().unwrap();
        let queued = fill_accept_queue(address, 8).expect("a backlog of 1 fills up");
        assert!(
            !queued.is_empty() && queued.len() < 8,
            "{} queued",
            queued.len()
        );
    }

    #[test]
    fn expect_echo_now_reads_no_more_than_it_expects() {
        let (listener, address) = loopback_listener();
        let mut client = Client::connect(address);
        let (mut server_side, _) = accept(&listener, "the test's own client");
        server_side.write_all(b"echo\nmore").unwrap();
        client.expect_echo_now(b"echo", "the echo");
        assert_eq!(client.read_line("the rest"), "");
        drop(server_side);
        assert_eq!(client.read_to_end("the last bytes"), b"more");
    }

    #[test]
    fn from_accepted_reads_what_the_peer_sent() {
        let (listener, address) = loopback_listener();
        let mut client = Client::connect(address);
        let (server_side, peer) = accept(&listener, "the test's own client");
        let mut server_side = Client::from_accepted(server_side, peer);
        client.send(b"bye");
        drop(client);
        assert_eq!(server_side.read_to_end("the client's bytes"), b"bye");
    }

    #[test]
    fn reset_makes_the_peer_see_connection_reset() {
        let (listener, address) = loopback_listener();
        let client = Client::connect(address);
        let (mut server_side, _) = accept(&listener, "the test's own client");
        client.reset();
        let error = server_side
            .read(&mut [0; 16])
            .expect_err("the client aborted");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn read_line_explains_an_early_close() {
        let (listener, address) = loopback_listener();
        let mut client = Client::connect(address);
        let (mut server_side, _) = accept(&listener, "the test's own client");
        server_side.write_all(b"no newline").unwrap();
        drop(server_side);
        let outcome = panic::catch_unwind(panic::AssertUnwindSafe(|| client.read_line("a line")));
        let message = *outcome
            .expect_err("EOF before the newline fails the test")
            .downcast::<String>()
            .unwrap();
        assert!(message.contains("closed the connection (EOF)"), "{message}");
        assert!(message.contains("\"no newline\""), "{message}");
    }
}
