//! Exercise 5: open, refused, or no answer (`src/probe.rs`).

use lesson1::probe::{PortState, probe};
use netlings_helpers::net::{self, Client, refused_address, unanswered_address};
use netlings_helpers::{STEP, printable, within};
use std::net::SocketAddr;
use std::time::Duration;

/// Probes `addr` with a deadline on the whole call, failing the test if the
/// probe returns an error.
fn probed(addr: SocketAddr, timeout: Duration, what: &str) -> PortState {
    let state = within(
        STEP,
        &format!("probe({addr}, {timeout:?}) of {what}"),
        move || probe(addr, timeout),
    );
    state.unwrap_or_else(|error| {
        panic!("probe({addr}, {timeout:?}) of {what} returned Err({error}); expected a PortState")
    })
}

#[test]
fn an_open_port_is_open() {
    let (_listener, address) = net::loopback_listener();
    assert_eq!(
        probed(address, STEP, "a listening port"),
        PortState::Open,
        "a listener is bound to {address}, so the handshake completes"
    );
}

#[test]
fn a_refused_port_is_refused() {
    let (_not_listening, address) = refused_address();
    assert_eq!(
        probed(address, STEP, "a port where nothing listens"),
        PortState::Refused,
        "nothing listens on {address}: the kernel answers the SYN with a reset, and the connect \
         fails with ConnectionRefused"
    );
}

#[test]
fn a_port_that_never_answers_is_no_answer() {
    let unanswered = unanswered_address();
    let address = unanswered.address;
    let state = probed(
        address,
        Duration::from_millis(200),
        "a port that never answers, which must give up when its 200 ms timeout passes \
         (TcpStream::connect_timeout)",
    );
    assert_eq!(
        state,
        PortState::NoAnswer,
        "the accept queue of {address} is full, so the kernel drops the SYN and the connect times \
         out (TimedOut) after 200 ms: that is no answer, not a refusal"
    );
}

#[test]
fn probing_closes_the_connection_at_once() {
    let (listener, address) = net::loopback_listener();
    assert_eq!(probed(address, STEP, "a listening port"), PortState::Open);
    let (server_side, peer) = net::accept(&listener, "the probe's connection");
    let mut server_side = Client::from_accepted(server_side, peer);
    let sent = server_side.read_to_end(
        "the probe to close its connection (end-of-file); a stream kept alive keeps the \
         connection open, and the server waits for a request that never comes",
    );
    assert!(
        sent.is_empty(),
        "the probe sent {}; a probe only connects and closes",
        printable(&sent)
    );
}
