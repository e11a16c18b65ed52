//! Exercise 6: a connected UDP client (`src/connected_udp.rs`).

use lesson3::connected_udp::{RequestError, UdpClient};
use netlings_helpers::net::{loopback_udp, refused_udp_address};
use netlings_helpers::{STEP, printable, within};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const ANY_PORT: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
const ANY_PORT_V6: SocketAddr = SocketAddr::new(std::net::IpAddr::V6(Ipv6Addr::LOCALHOST), 0);

/// A server that answers one request with `answer`, on a thread of its own;
/// the channel brings back what it received and from whom.
fn answer_once(server: UdpSocket, answer: Vec<u8>) -> mpsc::Receiver<(Vec<u8>, SocketAddr)> {
    let (received_tx, received) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = [0; 1024];
        if let Ok((len, from)) = server.recv_from(&mut buffer) {
            let _ = server.send_to(&answer, from);
            let _ = received_tx.send((buffer[..len].to_vec(), from));
        }
    });
    received
}

/// Connects a client from 127.0.0.1:0 to `server`.
fn client_of(server: SocketAddr) -> UdpClient {
    client_from(ANY_PORT, server)
}

/// Connects a client from `bind` to `server`.
fn client_from(bind: SocketAddr, server: SocketAddr) -> UdpClient {
    within(STEP, "UdpClient::connect()", move || {
        UdpClient::connect(bind, server)
    })
    .unwrap_or_else(|error| panic!("UdpClient::connect({bind}, {server}) failed: {error}"))
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

#[netlings_helpers::test]
fn gets_the_answer_from_its_server_whole() {
    let (server, server_address) = loopback_udp();
    // The largest answer UDP can carry over IPv4: read into a smaller
    // buffer, it is cut, and the rest is lost.
    let answer: Vec<u8> = (0..65_507).map(|index| (index % 251) as u8).collect();
    let received = answer_once(server, answer.clone());
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
    match &outcome {
        Ok(got) if *got == answer => {}
        Ok(got) => panic!(
            "the server answered with one datagram of 65,507 bytes (the largest over IPv4); \
             request() returned {} bytes. A datagram read into a smaller buffer is cut and the \
             rest discarded: receive into a buffer of 65,507 bytes, and return only the bytes \
             received",
            got.len()
        ),
        Err(_) => panic!(
            "the server answered with one datagram of 65,507 bytes; request() returned {}",
            describe(&outcome)
        ),
    }
}

#[netlings_helpers::test]
fn talks_to_a_server_over_ipv6() {
    let server = UdpSocket::bind(ANY_PORT_V6).expect("binding [::1]:0");
    server
        .set_read_timeout(Some(STEP))
        .expect("setting a read timeout");
    let server_address = server.local_addr().expect("a bound socket has an address");
    let _received = answer_once(server, b"pong over IPv6".to_vec());
    let client = client_from(ANY_PORT_V6, server_address);
    let outcome = request(client, b"ping", STEP, "request() over IPv6 to be answered");
    assert!(
        matches!(&outcome, Ok(answer) if answer == b"pong over IPv6"),
        "a client bound to [::1]:0 asked the server at {server_address} and the server answered \
         \"pong over IPv6\"; request() returned {}. Bind the address the caller gives \
         (UdpSocket::bind(bind)), whatever its family",
        describe(&outcome)
    );
}

#[netlings_helpers::test]
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
    let _received = answer_once(server, b"real answer".to_vec());
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

#[netlings_helpers::test]
fn reports_a_server_that_is_not_there_as_refused() {
    let (_holder, nobody) = refused_udp_address();
    let client = client_of(nobody);
    let outcome = request(
        client,
        b"anyone there?",
        Duration::from_secs(1),
        "request() to a port where nothing listens",
    );
    if let Err(error @ RequestError::Refused) = &outcome {
        let message = error.to_string();
        assert!(
            message.contains("refused"),
            "RequestError::Refused's message should say refused; it says {message:?}"
        );
    }
    assert!(
        matches!(outcome, Err(RequestError::Refused)),
        "nothing listens on {nobody}, so the kernel answered the datagram with ICMP port \
         unreachable; request() returned {}, expected Err(RequestError::Refused). Only a \
         connected socket hears of the ICMP error (as ConnectionRefused on recv or send); an \
         unconnected one waits until its timeout",
        describe(&outcome)
    );
}

#[netlings_helpers::test]
fn reports_no_answer_once_its_timeout_passes() {
    // The server is bound, so no ICMP comes back, but it never answers.
    let (_silent, silent_address) = loopback_udp();
    let client = client_of(silent_address);
    let timeout = Duration::from_millis(200);
    let (outcome, waited) = within(
        STEP,
        "request() with a timeout of 200 ms to a server that never answers (set a read timeout \
         before recv: UDP itself never gives up)",
        move || {
            let started = Instant::now();
            let outcome = client.request(b"hello?", timeout);
            (outcome, started.elapsed())
        },
    );
    assert!(
        matches!(outcome, Err(RequestError::NoAnswer { waited }) if waited == timeout),
        "the server at {silent_address} received the request and never answered; request() with \
         a timeout of 200 ms returned {}, expected Err(RequestError::NoAnswer {{ waited: 200ms \
         }})",
        describe(&outcome)
    );
    // A generous upper bound, five times the timeout: the timeout is the
    // caller's, not one chosen inside request().
    assert!(
        waited < timeout * 5,
        "request() with a timeout of 200 ms gave up only after {waited:?}: use the timeout \
         argument as the socket's read timeout"
    );

    // A zero timeout is no timeout at all to the kernel; std refuses it.
    let client = client_of(silent_address);
    let outcome = request(
        client,
        b"hello?",
        Duration::ZERO,
        "request() with a timeout of zero, which set_read_timeout refuses (an error ignored \
         there leaves the socket with no timeout, waiting for ever)",
    );
    assert!(
        matches!(
            &outcome,
            Err(RequestError::Io(error)) if error.kind() == io::ErrorKind::InvalidInput
        ),
        "request() with a timeout of zero returned {}, expected Err(RequestError::Io(..)) of kind \
         InvalidInput, the error of set_read_timeout(Some(Duration::ZERO))",
        describe(&outcome)
    );
    if let Err(error) = &outcome {
        assert!(
            std::error::Error::source(error).is_some(),
            "RequestError::Io should give the io::Error behind it as its source()"
        );
    }
}
