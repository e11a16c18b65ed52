//! Exercise 6: a connected UDP client (`src/connected_udp.rs`).

use lesson3::connected_udp::{RequestError, UdpClient};
use netlings_helpers::net::loopback_udp;
use netlings_helpers::{STEP, printable, within};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const ANY_PORT: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A loopback address where nothing listens, race-free: a socket is bound
/// to it (so no other test can take the port) but connected to another
/// address, so the kernel matches no socket to datagrams from anyone else
/// and answers them with ICMP port unreachable. The address stays refused
/// while the returned socket is alive.
fn refused_address() -> (UdpSocket, SocketAddr) {
    let (holder, address) = loopback_udp();
    let (elsewhere, elsewhere_address) = loopback_udp();
    holder
        .connect(elsewhere_address)
        .expect("connecting the port holder elsewhere");
    drop(elsewhere);
    (holder, address)
}

/// A server that answers one request with `answer`, on a thread of its own;
/// the channel brings back what it received and from whom.
fn answer_once(server: UdpSocket, answer: &'static [u8]) -> mpsc::Receiver<(Vec<u8>, SocketAddr)> {
    let (received_tx, received) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = [0; 1024];
        if let Ok((len, from)) = server.recv_from(&mut buffer) {
            let _ = server.send_to(answer, from);
            let _ = received_tx.send((buffer[..len].to_vec(), from));
        }
    });
    received
}

/// Connects a client from 127.0.0.1:0 to `server`.
fn client_of(server: SocketAddr) -> UdpClient {
    within(STEP, "UdpClient::connect()", move || {
        UdpClient::connect(ANY_PORT, server)
    })
    .unwrap_or_else(|error| panic!("UdpClient::connect(127.0.0.1:0, {server}) failed: {error}"))
}

/// Sends `message` with a deadline and returns the outcome.
fn request(
    client: UdpClient,
    message: &'static [u8],
    timeout: Duration,
    waiting_for: &str,
) -> Result<Vec<u8>, RequestError> {
    within(STEP, waiting_for, move || client.request(message, timeout))
}

/// What `request` returned, readably.
fn describe(outcome: &Result<Vec<u8>, RequestError>) -> String {
    match outcome {
        Ok(answer) => format!("the answer {}", printable(answer)),
        Err(error) => format!("Err({error:?})"),
    }
}

#[test]
fn gets_the_answer_from_its_server() {
    let (server, server_address) = loopback_udp();
    let received = answer_once(server, b"pong");
    let client = client_of(server_address);
    let client_address = client
        .local_addr()
        .expect("a connected socket has a local address");
    let outcome = request(client, b"ping", STEP, "request(\"ping\") to be answered");
    let (request_seen, from) = received
        .recv_timeout(STEP)
        .expect("the server received the request");
    assert_eq!(
        (request_seen.as_slice(), from),
        (&b"ping"[..], client_address),
        "the server received {} from {from}; expected \"ping\" from the client at {client_address}",
        printable(&request_seen)
    );
    assert!(
        matches!(&outcome, Ok(answer) if answer == b"pong"),
        "the server answered \"pong\"; request() returned {}",
        describe(&outcome)
    );
}

#[test]
fn ignores_datagrams_from_strangers() {
    let (server, server_address) = loopback_udp();
    let client = client_of(server_address);
    let client_address = client
        .local_addr()
        .expect("a connected socket has a local address");
    // A stranger sends a fake answer before the request is even sent. A
    // connected socket never receives it; an unconnected one would take it
    // for the answer.
    let (stranger, stranger_address) = loopback_udp();
    stranger
        .send_to(b"fake answer", client_address)
        .expect("the stranger sends its datagram");
    let _received = answer_once(server, b"real answer");
    let outcome = request(
        client,
        b"question",
        STEP,
        "request() to get the server's answer",
    );
    assert!(
        matches!(&outcome, Ok(answer) if answer == b"real answer"),
        "a stranger at {stranger_address} sent \"fake answer\" to the client, then the server at \
         {server_address} answered \"real answer\"; request() returned {}. Only the server may \
         answer: connect() the socket to the server, and the kernel drops everyone else's \
         datagrams",
        describe(&outcome)
    );
}

#[test]
fn reports_a_server_that_is_not_there_as_refused() {
    let (_holder, nobody) = refused_address();
    let client = client_of(nobody);
    let outcome = request(
        client,
        b"anyone there?",
        Duration::from_secs(1),
        "request() to a port where nothing listens",
    );
    assert!(
        matches!(outcome, Err(RequestError::Refused)),
        "nothing listens on {nobody}, so the kernel answered the datagram with ICMP port \
         unreachable; request() returned {}, expected Err(RequestError::Refused). Only a \
         connected socket hears of the ICMP error (as ConnectionRefused on recv or send); an \
         unconnected one waits until its timeout",
        describe(&outcome)
    );
}

#[test]
fn reports_no_answer_when_the_server_stays_silent() {
    // The server is bound, so no ICMP comes back, but it never answers.
    let (_silent, silent_address) = loopback_udp();
    let client = client_of(silent_address);
    let timeout = Duration::from_millis(100);
    let outcome = request(
        client,
        b"hello?",
        timeout,
        "request() with a timeout of 100 ms to a server that never answers (set a read timeout \
         before recv: UDP itself never gives up)",
    );
    assert!(
        matches!(outcome, Err(RequestError::NoAnswer { waited }) if waited == timeout),
        "the server at {silent_address} received the request and never answered; request() with \
         a timeout of 100 ms returned {}, expected Err(RequestError::NoAnswer {{ waited: 100ms \
         }})",
        describe(&outcome)
    );
}
