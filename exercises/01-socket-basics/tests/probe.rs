//! Exercise 5: open, refused, or no answer (`src/probe.rs`).

use lesson1::probe::{PortState, probe};
use netlings_helpers::net::{self, Client, refused_address, unanswered_address};
use netlings_helpers::{STEP, likely_cause, printable, within};
use std::io;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};
use std::time::Duration;

/// Probes `addr` with a deadline on the whole call and returns what the
/// probe returned. `what` names the address for the deadline's message.
fn probing(addr: SocketAddr, timeout: Duration, what: &str) -> io::Result<PortState> {
    within(
        STEP,
        &format!("probe({addr}, {timeout:?}) of {what}"),
        move || probe(addr, timeout),
    )
}

/// Probes `addr`, which must give a `PortState`; if the probe returns an
/// error instead, the test fails with `why`, the reason for the state
/// expected.
fn probed(addr: SocketAddr, timeout: Duration, what: &str, why: &str) -> PortState {
    probing(addr, timeout, what).unwrap_or_else(|error| {
        panic!(
            "probe({addr}, {timeout:?}) of {what} returned Err({error}) ({}); expected a \
             PortState: {why}",
            likely_cause(&error)
        )
    })
}

#[test]
fn an_open_port_is_open() {
    let (_listener, address) = net::loopback_listener();
    let why = format!("a listener is bound to {address}, so the handshake completes");
    assert_eq!(
        probed(address, STEP, "a listening port", &why),
        PortState::Open,
        "{why}"
    );
}

#[test]
fn a_refused_port_is_refused() {
    let (_not_listening, address) = refused_address();
    let why = format!(
        "nothing listens on {address}: the kernel answers the SYN with a reset, and the connect \
         fails with ConnectionRefused, which means Refused"
    );
    assert_eq!(
        probed(address, STEP, "a port where nothing listens", &why),
        PortState::Refused,
        "{why}"
    );
}

#[test]
fn a_port_that_never_answers_is_no_answer() {
    let unanswered = unanswered_address();
    let address = unanswered.address;
    let timeout = Duration::from_millis(200);
    let outcome = probing(
        address,
        timeout,
        "a port that never answers, which must give up when its 200 ms timeout passes (is the \
         connect made with TcpStream::connect_timeout?)",
    );
    let why = format!(
        "the accept queue of {address} is full, so the kernel drops the SYN and the connect times \
         out (TimedOut) after 200 ms: that is no answer, not a refusal"
    );
    match outcome {
        Ok(state) => assert_eq!(state, PortState::NoAnswer, "{why}"),
        Err(error) if error.kind() == io::ErrorKind::TimedOut => panic!(
            "probe({address}, {timeout:?}) returned Err({error}): a connect that times out means \
             NoAnswer, not an error. The timeout did its job: the accept queue of {address} is \
             full, so the kernel dropped the SYN and nothing answered within 200 ms; report that \
             as Ok(PortState::NoAnswer)"
        ),
        Err(error) => panic!(
            "probe({address}, {timeout:?}) returned Err({error}); expected \
             Ok(PortState::NoAnswer): {why}"
        ),
    }
}

#[test]
fn other_connect_errors_are_returned_as_they_are() {
    // fe80::/10 is link-local: such an address means something only on one
    // link, which the scope id names (fe80::1%eth0). With scope id 0 the
    // kernel cannot tell which link is meant, so on Linux connect(2) fails at
    // once with EINVAL (InvalidInput): no SYN is sent, not even on loopback,
    // and the answer is the same on every machine.
    let no_scope = SocketAddr::V6(SocketAddrV6::new(
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
        9,
        0,
        0,
    ));
    let why = format!(
        "the connect to {no_scope} fails with InvalidInput (EINVAL) before any SYN is sent: a \
         link-local address without a scope id (such as %eth0) names no interface. That says \
         nothing about the port, so it is no PortState: only ConnectionRefused means Refused and \
         only TimedOut means NoAnswer, and every other error is returned as it is"
    );
    match probing(no_scope, STEP, "a link-local address without a scope id") {
        Ok(state) => panic!("probe({no_scope}, {STEP:?}) returned Ok({state:?}); {why}"),
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::InvalidInput,
            "probe({no_scope}, {STEP:?}) returned Err({error}) of kind {:?}; {why}",
            error.kind()
        ),
    }
}

#[test]
fn probing_closes_the_connection_at_once() {
    let (listener, address) = net::loopback_listener();
    assert_eq!(
        probed(
            address,
            STEP,
            "a listening port",
            &format!("a listener is bound to {address}, so the handshake completes")
        ),
        PortState::Open
    );
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
