//! Exercise 5: open, refused, no answer, or unreachable (`src/probe.rs`).

use lesson1::probe::{PortState, classify_failure, probe};
use netlings_helpers::net::{
    self, Client, refused_address, refused_address_v6, unanswered_address,
};
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

#[netlings_helpers::test]
fn an_open_port_is_open() {
    let (_listener, address) = net::loopback_listener();
    let why = format!("a listener is bound to {address}, so the handshake completes");
    assert_eq!(
        probed(address, STEP, "a listening port", &why),
        PortState::Open,
        "{why}"
    );
    let (_listener_v6, address) = net::loopback_listener_v6();
    let why = format!(
        "a listener is bound to {address}, so the handshake completes; a probe works for IPv6 \
         addresses too (is the socket's family taken from the address, not fixed to IPv4?)"
    );
    assert_eq!(
        probed(address, STEP, "a listening IPv6 port", &why),
        PortState::Open,
        "{why}"
    );
}

#[netlings_helpers::test]
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
    let (_not_listening_v6, address) = refused_address_v6();
    let why = format!(
        "nothing listens on {address}: over IPv6 as over IPv4, the kernel answers the SYN with a \
         reset, which means Refused"
    );
    assert_eq!(
        probed(address, STEP, "an IPv6 port where nothing listens", &why),
        PortState::Refused,
        "{why}"
    );
}

#[netlings_helpers::test]
fn failures_that_say_something_about_the_port_are_states() {
    let expected = [
        (
            io::ErrorKind::ConnectionRefused,
            PortState::Refused,
            "the peer answered the SYN with a reset",
        ),
        (
            io::ErrorKind::TimedOut,
            PortState::NoAnswer,
            "nothing answered before the deadline",
        ),
        (
            io::ErrorKind::HostUnreachable,
            PortState::Unreachable,
            "EHOSTUNREACH: nobody on the local network answered for that address (ARP gave up \
             after about 3 s), or a router said so; that is not silence, and not a refusal",
        ),
        (
            io::ErrorKind::NetworkUnreachable,
            PortState::Unreachable,
            "ENETUNREACH: this machine has no route to that network, so no SYN ever left",
        ),
    ];
    for (kind, state, why) in expected {
        for error in [
            io::Error::from(kind),
            io::Error::new(kind, "as a connect reports it"),
        ] {
            let shown = error.to_string();
            match classify_failure(error) {
                Ok(got) => assert_eq!(
                    got, state,
                    "classify_failure({kind:?} error: {shown}) is {state:?}: {why}"
                ),
                Err(returned) => panic!(
                    "classify_failure({kind:?} error) returned Err({returned}); expected \
                     Ok({state:?}): {why}"
                ),
            }
        }
    }

    // Linux only: other systems route link-local addresses on loopback
    // differently (macOS gives lo0 the address fe80::1 itself).
    if cfg!(target_os = "linux") {
        // And probe() itself: fe80::1 on the loopback interface (scope id 1, `lo`)
        // has no route, because Linux routes link-local addresses per interface
        // and `lo` has none. connect(2) fails at once with ENETUNREACH, and no
        // packet is ever sent.
        let no_route = SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
            9,
            0,
            1,
        ));
        let why = format!(
            "the connect to {no_route} fails at once with NetworkUnreachable (no route to fe80::/10 \
             on the loopback interface): probe() reports what classify_failure makes of a failed \
             connect, here Unreachable"
        );
        assert_eq!(
            probed(
                no_route,
                STEP,
                "a link-local address on the loopback interface",
                &why
            ),
            PortState::Unreachable,
            "{why}"
        );
    }
}

#[netlings_helpers::test]
fn a_port_that_never_answers_is_no_answer_within_its_timeout() {
    let unanswered = unanswered_address();
    let address = unanswered.address;
    let timeout = Duration::from_millis(100);
    // Ten times the timeout: a generous bound for a probe that gives up when
    // its own timeout passes, and far below the minutes a connect without
    // one waits, or a timeout of its own choosing (a second or more).
    let deadline = Duration::from_secs(1);
    let outcome = within(
        deadline,
        &format!(
            "probe({address}, {timeout:?}) of a port that never answers, which must give up \
             when its {timeout:?} timeout passes (is the connect made with \
             TcpStream::connect_timeout, and with the timeout it was given?)"
        ),
        move || probe(address, timeout),
    );
    let why = format!(
        "the accept queue of {address} is full, so the kernel drops the SYN and the connect times \
         out (TimedOut) after {timeout:?}: that is no answer, not a refusal"
    );
    match outcome {
        Ok(state) => assert_eq!(state, PortState::NoAnswer, "{why}"),
        Err(error) if error.kind() == io::ErrorKind::TimedOut => panic!(
            "probe({address}, {timeout:?}) returned Err({error}): a connect that times out means \
             NoAnswer, not an error. The timeout did its job: the accept queue of {address} is \
             full, so the kernel dropped the SYN and nothing answered in time; report that as \
             Ok(PortState::NoAnswer)"
        ),
        Err(error) => panic!(
            "probe({address}, {timeout:?}) returned Err({error}); expected \
             Ok(PortState::NoAnswer): {why}"
        ),
    }
}

#[netlings_helpers::test]
fn other_connect_errors_are_returned_as_they_are() {
    let why = "only ConnectionRefused, TimedOut, HostUnreachable and NetworkUnreachable say \
               something about the port; every other error is returned as it is, the same \
               error (kind and message), so that the caller learns what went wrong";
    for kind in [
        io::ErrorKind::PermissionDenied,
        io::ErrorKind::InvalidInput,
        io::ErrorKind::AddrNotAvailable,
        io::ErrorKind::ConnectionReset,
    ] {
        let error = io::Error::new(kind, "the connect failed this way");
        match classify_failure(error) {
            Ok(state) => panic!("classify_failure({kind:?} error) returned Ok({state:?}); {why}"),
            Err(returned) => assert!(
                returned.kind() == kind && returned.to_string() == "the connect failed this way",
                "classify_failure({kind:?} error \"the connect failed this way\") returned \
                 Err({returned}) of kind {:?}; {why}",
                returned.kind()
            ),
        }
    }

    // Linux only: the errno for a link-local address without a scope id
    // differs between systems.
    if cfg!(target_os = "linux") {
        // fe80::/10 is link-local: such an address means something only on one
        // link, which the scope id names (fe80::1%2, the interface with index 2).
        // With scope id 0 the kernel cannot tell which link is meant, so on Linux
        // connect(2) fails at once with EINVAL (InvalidInput): no SYN is sent,
        // not even on loopback, and the answer is the same on every machine.
        let no_scope = SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
            9,
            0,
            0,
        ));
        let why = format!(
            "the connect to {no_scope} fails with InvalidInput (EINVAL) before any SYN is sent: a \
             link-local address without a scope id names no interface. That says nothing about the \
             port, so it is no PortState; {why}"
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
}

#[netlings_helpers::test]
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
