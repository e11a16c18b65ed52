//! Exercise 2: from a name to addresses, and to a connection (`src/resolve.rs`).
//!
//! No test asks DNS: the names here are IP literals and `localhost`, which
//! the system resolver answers from `/etc/hosts`.

use lesson1::resolve::{Family, connect_any, pick, resolve};
use netlings_helpers::net::{self, refused_address, refused_address_v6, unanswered_address};
use netlings_helpers::{STEP, likely_cause, within};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Resolves `(host, port)`, which must succeed; if `resolve` fails, the test
/// fails with `why`, what the answer should have been.
fn resolved(host: &str, port: u16, why: &str) -> Vec<SocketAddr> {
    resolve((host, port)).unwrap_or_else(|error| {
        panic!(
            "resolve(({host:?}, {port})) failed: {error}. Likely cause: {}. {why}",
            likely_cause(&error)
        )
    })
}

#[netlings_helpers::test]
fn resolves_an_ip_literal_to_itself() {
    let why = "an IP literal is already an address: it resolves to exactly itself, with the port";
    assert_eq!(
        resolved("127.0.0.1", 8080, why),
        [SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))],
        "{why}"
    );
    let why = "::1 is the IPv6 loopback address: it resolves to exactly [::1]:8080";
    assert_eq!(
        resolved("::1", 8080, why),
        [SocketAddr::from((Ipv6Addr::LOCALHOST, 8080))],
        "{why}"
    );
}

#[netlings_helpers::test]
fn resolves_localhost_to_loopback_addresses() {
    let addrs = resolved(
        "localhost",
        8080,
        "localhost is a name the system resolver answers from /etc/hosts, without DNS: \
         127.0.0.1, and ::1 where IPv6 is configured",
    );
    let ipv4_loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 8080));
    assert!(
        addrs.contains(&ipv4_loopback),
        "localhost resolved to {addrs:?}, which lacks 127.0.0.1:8080"
    );
    for addr in &addrs {
        assert!(
            addr.ip().is_loopback() && addr.port() == 8080,
            "localhost resolved to {addrs:?}: {addr} is not a loopback address with port 8080"
        );
    }
    for (index, addr) in addrs.iter().enumerate() {
        assert!(
            !addrs[..index].contains(addr),
            "localhost resolved to {addrs:?}: {addr} is listed twice, so a client would try it twice"
        );
    }
}

#[netlings_helpers::test]
fn keeps_every_address_once_in_resolver_order() {
    // A slice of addresses is "resolved" by std as itself, in order: the
    // stand-in for a resolver that answers with repeats.
    let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 8080));
    let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 8080));
    let other_v4 = SocketAddr::from((Ipv4Addr::new(127, 0, 0, 2), 8080));
    let other_v6 = SocketAddr::from((Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 7), 8080));
    let v4_other_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 8081));
    let third_v4 = SocketAddr::from((Ipv4Addr::new(127, 0, 0, 3), 8080));
    let v6_other_port = SocketAddr::from((Ipv6Addr::LOCALHOST, 80));
    let answer = [
        v6,
        v4,
        v6,
        other_v4,
        v4,
        other_v6,
        v4_other_port,
        third_v4,
        v6,
        v6_other_port,
    ];
    let addrs = resolve(&answer[..]).expect("resolving addresses that are already known");
    assert_eq!(
        addrs,
        [
            v6,
            v4,
            other_v4,
            other_v6,
            v4_other_port,
            third_v4,
            v6_other_port
        ],
        "the resolver answered {answer:?}: keep every address once (the same IP with another \
         port is another address), in the order of its first appearance (the resolver puts the \
         ones it prefers first, so neither sort nor collect into a set)"
    );

    // A set's order can match a handful of addresses by chance; two dozen,
    // answered from the highest down, it cannot, and neither can a sort.
    let many: Vec<SocketAddr> = (1..=24)
        .rev()
        .map(|n| SocketAddr::from((Ipv4Addr::new(127, 0, 0, n), 8080)))
        .collect();
    let repeated: Vec<SocketAddr> = many.iter().chain(many.iter().step_by(3)).copied().collect();
    let addrs = resolve(&repeated[..]).expect("resolving addresses that are already known");
    assert_eq!(
        addrs, many,
        "the resolver answered 127.0.0.24 down to 127.0.0.1, then every third of them again: \
         keep each address once, in the order of its first appearance"
    );
}

#[netlings_helpers::test]
fn picks_the_first_address_of_each_family() {
    let first_v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 80));
    let first_v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 80));
    let second_v4 = SocketAddr::from((Ipv4Addr::new(127, 0, 0, 2), 80));
    let addrs = [first_v4, first_v6, second_v4];
    assert_eq!(pick(&addrs, Family::V4), Some(first_v4), "in {addrs:?}");
    assert_eq!(
        pick(&addrs, Family::V6),
        Some(first_v6),
        "in {addrs:?}, the first IPv6 address is the second entry"
    );
    assert_eq!(
        pick(&[first_v4, second_v4], Family::V6),
        None,
        "there is no IPv6 address among two IPv4 ones"
    );
}

#[netlings_helpers::test]
fn connect_any_skips_refused_addresses_of_either_family() {
    let (_not_listening, refused) = refused_address();
    let (_not_listening_v6, refused_v6) = refused_address_v6();
    let (listener, live) = net::loopback_listener_v6();
    let addrs = [refused, refused_v6, live];
    let stream = within(STEP, "connect_any to try three addresses", move || {
        connect_any(&addrs, STEP)
    })
    .unwrap_or_else(|error| {
        panic!(
            "connect_any([{refused} (refuses), {refused_v6} (refuses), {live} (listening)]) \
             failed: {error}; a refused address is no reason to stop: try the next one, IPv4 \
             or IPv6 alike"
        )
    });
    assert_eq!(
        stream.peer_addr().expect("a connected socket has a peer"),
        live,
        "connect_any should have connected to the listening address {live}"
    );
    let (_server_side, peer) = net::accept(&listener, "connect_any's connection to arrive");
    assert_eq!(
        peer,
        stream
            .local_addr()
            .expect("a connected socket has a local address"),
        "the listener accepted a connection from {peer}, which is not the stream connect_any returned"
    );
}

#[netlings_helpers::test]
fn connect_any_gives_up_on_an_address_that_never_answers_within_its_timeout() {
    let unanswered = unanswered_address();
    let silent = unanswered.address;
    let (_listener, live) = net::loopback_listener();
    let timeout = Duration::from_millis(100);
    // Ten times the timeout: generous for a connect that gives up when its
    // own timeout passes, and far below the minutes of a connect without one,
    // or a timeout of its own choosing (a second or more).
    let connected = within(
        Duration::from_secs(1),
        "connect_any to give up on an address whose handshake gets no answer after the 100 ms \
         it was given (is each attempt made with TcpStream::connect_timeout, with the timeout \
         argument?)",
        move || connect_any(&[silent, live], timeout),
    );
    drop(unanswered);
    let stream = connected.unwrap_or_else(|error| {
        panic!(
            "connect_any([{silent} (never answers), {live} (listening)], 100ms) failed: {error}; \
             after 100 ms without an answer, move on to the next address"
        )
    });
    assert_eq!(
        stream.peer_addr().expect("a connected socket has a peer"),
        live
    );
}

#[netlings_helpers::test]
fn connect_any_reports_every_failed_attempt_in_order() {
    let (_first_socket, first) = refused_address();
    let (_second_socket, second) = refused_address_v6();
    let outcome = within(
        STEP,
        "connect_any to try two refused addresses",
        move || connect_any(&[first, second], STEP),
    );
    let error = match outcome {
        Ok(stream) => panic!(
            "connect_any connected to {:?}, but nothing listens on {first} or {second}",
            stream.peer_addr()
        ),
        Err(error) => error,
    };
    let tried: Vec<(SocketAddr, io::ErrorKind)> = error
        .attempts
        .iter()
        .map(|(addr, error)| (*addr, error.kind()))
        .collect();
    assert_eq!(
        tried,
        [
            (first, io::ErrorKind::ConnectionRefused),
            (second, io::ErrorKind::ConnectionRefused),
        ],
        "both addresses refuse ({}), so the error lists both attempts in order",
        likely_cause(&io::ErrorKind::ConnectionRefused.into())
    );
    let shown = error.to_string();
    let refused = io::Error::from(io::ErrorKind::ConnectionRefused).to_string();
    assert!(
        shown.starts_with("could not connect: ")
            && shown.contains(&format!("{first}: "))
            && shown.contains(&format!("; {second}: ")),
        "the ConnectError displays as {shown:?}: it names every attempt in order, for example \
         \"could not connect: {first}: {refused}; {second}: {refused}\""
    );

    let nothing = connect_any(&[], STEP).map(|stream| stream.peer_addr());
    match nothing {
        Ok(peer) => panic!("connect_any(&[]) connected to {peer:?}, with no address to try"),
        Err(error) => {
            assert!(
                error.attempts.is_empty(),
                "with no addresses there is nothing to try, but the error lists {:?}",
                error.attempts
            );
            assert_eq!(
                error.to_string(),
                "could not connect: there was no address to try"
            );
        }
    }
}
