//! Exercise 4: a UDP echo server (`src/udp_echo.rs`).

use lesson3::udp_echo::{MAX_DATAGRAM, serve};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::net::loopback_udp;
use netlings_helpers::{Program, STEP, likely_cause, printable};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Why serve() must still be running whenever the test looks.
const SERVES_FOR_EVER: &str = "a UDP server serves datagrams for ever. UDP has no close and no \
    end of stream: recv_from returning 0 bytes is an empty datagram to echo, not a peer that \
    left, and a reply that cannot be sent is logged, not the end of the server";

/// The server under test: its address, and `serve` running in the
/// background (none for a program).
struct Server {
    address: SocketAddr,
    serving: Option<Background<io::Result<()>>>,
}

/// Binds a server socket and runs `serve` on it, on a thread of its own that
/// ends with the test process.
fn start_serving() -> Server {
    let (socket, address) = loopback_udp();
    // The server's own receives must wait as long as it takes.
    socket
        .set_read_timeout(None)
        .expect("clearing the read timeout");
    Server {
        address,
        serving: Some(run_in_background("serve()", move || serve(socket))),
    }
}

/// Sends one datagram from `client` to `server`.
fn send(client: &UdpSocket, datagram: &[u8], server: &Server) {
    let sent = client
        .send_to(datagram, server.address)
        .unwrap_or_else(|error| {
            panic!(
                "sending {} to {} failed: {error}",
                printable(datagram),
                server.address
            )
        });
    assert_eq!(
        sent,
        datagram.len(),
        "a datagram is sent whole or not at all"
    );
}

/// Receives the next datagram on `client`, expecting it from `server` within
/// [`STEP`], and returns its bytes. Fails at once, saying so, when serve()
/// returned or panicked before the echo came.
fn receive_echo(client: &UdpSocket, server: &Server, waiting_for: &str) -> Vec<u8> {
    // One byte more than the largest datagram: nothing is ever cut.
    let mut buffer = vec![0; MAX_DATAGRAM + 1];
    let deadline = Instant::now() + STEP;
    loop {
        // Short waits, to look at the server's thread between them.
        let left = deadline.saturating_duration_since(Instant::now());
        client
            .set_read_timeout(Some(
                left.clamp(Duration::from_millis(1), Duration::from_millis(50)),
            ))
            .expect("setting a read timeout");
        match client.recv_from(&mut buffer) {
            Ok((len, from)) => {
                assert_eq!(
                    from, server.address,
                    "while waiting for {waiting_for}, a datagram came from {from}, not from the \
                     server at {}",
                    server.address
                );
                buffer.truncate(len);
                return buffer;
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(error) => panic!(
                "while waiting for {waiting_for}, receiving failed: {error}. Likely cause: {}",
                likely_cause(&error)
            ),
        }
        if let Some(serving) = &server.serving {
            serving.expect_running(&format!(
                "the test was waiting for {waiting_for}; {SERVES_FOR_EVER}"
            ));
        }
        if Instant::now() >= deadline {
            panic!(
                "the client at {} waited {STEP:?} for {waiting_for}, and no datagram came back \
                 from {}. Does serve() loop over recv_from, and answer with send_to to the \
                 address recv_from returned?",
                client.local_addr().expect("a bound socket has an address"),
                server.address
            )
        }
    }
}

/// Expects `echo` to be exactly `sent`.
fn assert_echoed(echo: &[u8], sent: &[u8], what: &str) {
    assert!(
        echo == sent,
        "{what}: the client sent a datagram of {} bytes, {}, and the echo was {} bytes, {}; \
         expected the same bytes, as one datagram",
        sent.len(),
        printable(sent),
        echo.len(),
        printable(echo)
    );
}

#[netlings_helpers::test]
fn echoes_a_datagram_to_its_sender() {
    let server = start_serving();
    let (client, _) = loopback_udp();
    send(&client, b"hello", &server);
    let echo = receive_echo(&client, &server, "the echo of \"hello\"");
    assert_echoed(&echo, b"hello", "one datagram");
}

#[netlings_helpers::test]
fn keeps_datagram_boundaries() {
    let server = start_serving();
    let (client, _) = loopback_udp();
    // Two sends before any receive: on a stream they could merge; as
    // datagrams they stay two.
    send(&client, b"first datagram", &server);
    send(&client, b"two", &server);
    let first = receive_echo(&client, &server, "the echo of the first datagram");
    assert_echoed(&first, b"first datagram", "the first of two datagrams");
    let second = receive_echo(&client, &server, "the echo of the second datagram");
    assert_echoed(&second, b"two", "the second of two datagrams");
}

#[netlings_helpers::test]
fn answers_each_client_at_its_own_address() {
    let server = start_serving();
    let (alice, _) = loopback_udp();
    let (bob, _) = loopback_udp();
    send(&alice, b"from alice", &server);
    let echo = receive_echo(&alice, &server, "alice's echo");
    assert_echoed(&echo, b"from alice", "alice");
    send(&bob, b"from bob", &server);
    let echo = receive_echo(
        &bob,
        &server,
        "bob's echo (the server must answer the sender of each datagram, not its first client)",
    );
    assert_echoed(&echo, b"from bob", "bob, the second client");
    send(&alice, b"alice again", &server);
    let echo = receive_echo(&alice, &server, "alice's second echo");
    assert_echoed(
        &echo,
        b"alice again",
        "alice, after bob (did bob's echo go to alice?)",
    );
}

#[netlings_helpers::test]
fn echoes_an_empty_datagram() {
    let server = start_serving();
    let (client, _) = loopback_udp();
    send(&client, b"", &server);
    send(&client, b"after", &server);
    let echo = receive_echo(&client, &server, "the echo of an empty datagram");
    assert_echoed(
        &echo,
        b"",
        "an empty datagram (0 bytes is a datagram, not the end of anything: UDP has no end of \
         stream)",
    );
    let echo = receive_echo(
        &client,
        &server,
        "the echo of the datagram after the empty one",
    );
    assert_echoed(&echo, b"after", "the datagram after the empty one");
}

#[netlings_helpers::test]
fn echoes_the_largest_ipv4_datagram_whole() {
    let server = start_serving();
    let (client, _) = loopback_udp();
    let largest: Vec<u8> = (0..MAX_DATAGRAM).map(|index| (index % 251) as u8).collect();
    send(&client, &largest, &server);
    let echo = receive_echo(&client, &server, "the echo of a 65,507-byte datagram");
    assert!(
        echo == largest,
        "the client sent a datagram of {} bytes (the largest UDP payload over IPv4) and the echo \
         was {} bytes; a datagram larger than the server's buffer is cut to the buffer's size, \
         and the rest is lost: receive into a buffer of MAX_DATAGRAM bytes",
        largest.len(),
        echo.len()
    );
}

#[netlings_helpers::test]
fn the_udp_echo_program_echoes_a_datagram() {
    let program = Program::start(env!("CARGO_BIN_EXE_udp-echo"), &["--listen", "127.0.0.1:0"]);
    let server = Server {
        address: program.address(),
        serving: None,
    };
    let (client, _) = loopback_udp();
    send(&client, b"ping", &server);
    let echo = receive_echo(&client, &server, "the echo from the udp-echo program");
    assert_echoed(&echo, b"ping", "the udp-echo program");
}
