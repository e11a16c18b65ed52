//! Exercise 4: an idle timeout (`src/idle.rs`).
//!
//! These tests never measure how long the server took; they check what
//! happened first. A silent client must be disconnected (within the usual
//! deadline), and a client that keeps talking must still be served after a
//! silent client that connected *later* has been disconnected.

use lesson4::idle::serve_with_idle_timeout;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net::{self, Client};
use netlings_helpers::{STEP, printable};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn start_serving(idle: Duration) -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    serve_in_background("serve_with_idle_timeout()", listener, move |listener| {
        serve_with_idle_timeout(listener, idle)
    });
    address
}

fn expect_echo(client: &mut Client, line: &str, waiting_for: &str) {
    client.send(format!("{line}\n").as_bytes());
    assert_eq!(client.read_line(waiting_for), line, "the echo of {line:?}");
}

#[test]
fn echoes_lines_to_a_client_that_keeps_talking() {
    // A timeout far longer than the test: this test is about the echo only.
    let address = start_serving(Duration::from_secs(60));
    let mut client = Client::connect(address);
    for round in 1..=3 {
        expect_echo(
            &mut client,
            &format!("line {round}"),
            &format!("the echo of line {round} of 3"),
        );
    }
}

#[test]
fn disconnects_a_client_that_stays_silent() {
    let address = start_serving(Duration::from_millis(200));
    let mut silent = Client::connect(address);
    let received = silent.read_to_end(
        "the server to close a client that sent nothing for 200ms (wrap each read in \
         tokio::time::timeout and return when it runs out)",
    );
    assert!(
        received.is_empty(),
        "the silent client expected the server to close, and got {}",
        printable(&received)
    );
}

#[test]
fn disconnects_a_client_that_falls_silent_after_talking() {
    let address = start_serving(Duration::from_millis(200));
    let mut client = Client::connect(address);
    expect_echo(&mut client, "hello", "the echo of the client's first line");
    let received = client.read_to_end(
        "the server to close a client that has been silent for 200ms since its last line",
    );
    assert!(
        received.is_empty(),
        "after the echo, the client expected only the server's FIN, and got {}",
        printable(&received)
    );
}

#[test]
fn keeps_a_talking_client_while_a_later_silent_one_is_dropped() {
    let address = start_serving(Duration::from_millis(500));
    // The talker connects first, the silent client second. A timeout counted
    // from connect (instead of from the last line) would hang up on the
    // talker before the silent client.
    let mut talker = Client::connect(address);
    expect_echo(&mut talker, "first", "the talker's first echo");
    let mut silent = Client::connect(address);
    let (silent_closed, silent_was_closed) = mpsc::channel();
    thread::spawn(move || {
        let received = silent.read_to_end("the server to close the silent client");
        let _ = silent_closed.send(received);
    });
    let deadline = Instant::now() + STEP;
    let mut round = 0;
    loop {
        round += 1;
        expect_echo(
            &mut talker,
            &format!("round {round}"),
            &format!(
                "the echo of the talker's line {round}, sent while the silent client (which \
                 connected after it) was still connected. The talker never stayed silent for \
                 500ms: is the timeout counted from connect instead of from the last line?"
            ),
        );
        // A bounded wait between lines: it paces the talker, and tells when
        // the server has dropped the silent client.
        match silent_was_closed.recv_timeout(Duration::from_millis(20)) {
            Ok(received) => {
                assert!(
                    received.is_empty(),
                    "the silent client got {}",
                    printable(&received)
                );
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => assert!(
                Instant::now() < deadline,
                "waited {STEP:?} for the server to close the silent client (idle 500ms)"
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the thread reading the silent client failed: see its message above")
            }
        }
    }
    expect_echo(
        &mut talker,
        "still here",
        "the echo of the talker's line after the silent client was dropped",
    );
}
