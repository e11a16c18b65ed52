//! Exercise 3: an accept queue big enough for a burst (`src/backlog.rs`).
//!
//! The burst tests are exact, not timing-based: nobody accepts while the
//! clients connect, one after another, so the accept queue only grows. A
//! client that finds it full gets no answer at all (its SYN is dropped), and
//! its 2 s connect timeout runs out; a client that fits connects in
//! microseconds.

use lesson2::backlog::{BurstTooBig, backlog_for_burst, listener_for_burst, somaxconn};
use netlings_helpers::accept_queue::{BurstCutShort, connect_burst};
use netlings_helpers::net;
use netlings_helpers::{STEP, likely_cause, within};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// How many clients connect at once in the burst tests.
const BURST: u32 = 200;

/// How long each client of a burst waits for its handshake. A queued
/// handshake takes microseconds on loopback; a dropped SYN is resent only
/// after a second, and dropped again while nobody accepts.
const PER_CLIENT: Duration = Duration::from_secs(2);

fn kernel_cap() -> u32 {
    somaxconn().unwrap_or_else(|error| {
        panic!("the test could not read net.core.somaxconn (somaxconn() failed): {error}")
    })
}

fn burst_listener(burst: u32) -> (TcpListener, SocketAddr) {
    burst_listener_on(Ipv4Addr::LOCALHOST.into(), burst)
}

fn burst_listener_on(ip: IpAddr, burst: u32) -> (TcpListener, SocketAddr) {
    let addr = SocketAddr::new(ip, 0);
    let listener = listener_for_burst(addr, burst).unwrap_or_else(|error| {
        panic!(
            "listener_for_burst({addr}, {burst}) failed: {error}. Likely cause: {}",
            likely_cause(&error)
        )
    });
    let bound = listener
        .local_addr()
        .expect("a bound listener has a local address");
    (listener, bound)
}

/// Connects a burst of `BURST` clients to `address` while nobody accepts,
/// and fails the test, explaining the accept queue, if one gets no answer.
fn connect_whole_burst(address: SocketAddr) -> Vec<TcpStream> {
    let outcome = within(
        STEP,
        &format!("{BURST} clients to connect, one after another, while nobody accepts"),
        move || connect_burst(address, BURST as usize, PER_CLIENT),
    );
    match outcome {
        Ok(connected) => connected,
        Err(BurstCutShort {
            connected,
            client,
            error,
        }) if error.kind() == io::ErrorKind::TimedOut => panic!(
            "client {client} of {BURST} got no answer within {PER_CLIENT:?}: the accept queue \
             was full after {} connections, made while nobody accepted. Linux queues backlog + 1 \
             finished handshakes and drops every SYN after that, so the listener's backlog was \
             {}. listener_for_burst(.., {BURST}) must pass a backlog of {BURST} to \
             listen() (std's TcpListener::bind always asks for 128)",
            connected.len(),
            connected.len().saturating_sub(1)
        ),
        Err(BurstCutShort { client, error, .. }) => panic!(
            "client {client} of {BURST} could not connect: {error}. Likely cause: {}",
            likely_cause(&error)
        ),
    }
}

#[netlings_helpers::test]
fn backlog_for_burst_asks_for_the_burst_itself() {
    for (burst, cap) in [(200, 4096), (1, 4096), (0, 4096), (4096, 4096), (128, 128)] {
        assert_eq!(
            backlog_for_burst(burst, cap),
            Ok(burst as i32),
            "a burst of {burst} clients under a cap of {cap} needs a backlog of {burst}: ask \
             for the whole burst (the one spare Linux keeps is not worth counting on)"
        );
    }
}

#[netlings_helpers::test]
fn backlog_for_burst_refuses_more_than_somaxconn() {
    for (burst, cap) in [(4097, 4096), (200, 128)] {
        let outcome = backlog_for_burst(burst, cap);
        assert_eq!(
            outcome,
            Err(BurstTooBig {
                burst,
                somaxconn: cap
            }),
            "net.core.somaxconn = {cap} caps every backlog, without an error from listen(): a \
             burst of {burst} cannot fit, and backlog_for_burst must say so with BurstTooBig \
             instead of asking for a backlog the kernel will cut down"
        );
    }
}

#[netlings_helpers::test]
fn a_listener_for_a_burst_accepts_a_client_over_ipv4_and_ipv6() {
    for ip in [
        IpAddr::from(Ipv4Addr::LOCALHOST),
        IpAddr::from(Ipv6Addr::LOCALHOST),
    ] {
        let (listener, address) = burst_listener_on(ip, 8);
        net::expect_listening_on(ip, &listener, address);
    }
}

#[netlings_helpers::test]
fn refuses_a_burst_larger_than_the_kernel_allows() {
    let cap = kernel_cap();
    let addr: SocketAddr = (Ipv4Addr::LOCALHOST, 0).into();
    match listener_for_burst(addr, cap + 1) {
        Ok(listener) => panic!(
            "listener_for_burst({addr}, {}) made a listener on {:?}, but net.core.somaxconn = \
             {cap}: listen() cut its backlog down to {cap} without a word, and the burst does \
             not fit. Check the burst with backlog_for_burst before making the socket",
            cap + 1,
            listener.local_addr()
        ),
        Err(error) => {
            assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidInput,
                "a burst above net.core.somaxconn ({cap}) is a request this machine cannot meet: \
                 InvalidInput (BurstTooBig converts into it); got {error}"
            );
            assert!(
                error.to_string().contains("somaxconn"),
                "the error should name the limit, net.core.somaxconn; it says: {error}"
            );
        }
    }
}

#[netlings_helpers::test]
fn absorbs_a_burst_of_200_connects_while_nobody_accepts() {
    let (_listener, address) = burst_listener(BURST);
    let connected = connect_whole_burst(address);
    assert_eq!(connected.len(), BURST as usize);
}

#[netlings_helpers::test]
fn serves_the_whole_burst_afterwards_in_arrival_order() {
    let (listener, address) = burst_listener(BURST);
    let connected = connect_whole_burst(address);
    for (index, client) in connected.iter().enumerate() {
        let (_, peer) = net::accept(
            &listener,
            &format!(
                "client {} of the burst, which waits in the accept queue",
                index + 1
            ),
        );
        let expected = client
            .local_addr()
            .expect("a connected socket has a local address");
        assert_eq!(
            peer,
            expected,
            "accept() number {} returned the client at {peer}; the queue hands out connections \
             in the order their handshakes completed, so it had to be client {} at {expected}",
            index + 1,
            index + 1
        );
    }
}

#[netlings_helpers::test]
fn the_queue_holds_the_burst_and_no_more() {
    // A small burst, pushed one client past its edge: Linux queues backlog + 1
    // finished handshakes, so with a backlog of exactly SMALL, client
    // SMALL + 1 still gets in and client SMALL + 2 is the first whose SYN is
    // dropped.
    const SMALL: u32 = 16;
    let (_listener, address) = burst_listener(SMALL);
    let clients = SMALL as usize + 2;
    let outcome = within(
        STEP,
        &format!("{clients} clients to connect, one after another, while nobody accepts"),
        move || connect_burst(address, clients, PER_CLIENT),
    );
    match outcome {
        Ok(_) => panic!(
            "all {clients} clients of a burst of {SMALL} got into the accept queue while nobody \
             accepted, so its backlog is larger than {SMALL} (Linux queues backlog + 1). \
             listener_for_burst(.., {SMALL}) must pass exactly the burst to listen(), not a \
             fixed number or somaxconn"
        ),
        Err(BurstCutShort {
            connected, error, ..
        }) if error.kind() == io::ErrorKind::TimedOut => assert_eq!(
            connected.len(),
            SMALL as usize + 1,
            "with nobody accepting, {} clients got into the queue before one got no answer; \
             Linux queues backlog + 1, so the backlog was {}. listener_for_burst(.., {SMALL}) must \
             pass the burst itself, {SMALL}, to listen() (the spare Linux keeps is not part of \
             the request)",
            connected.len(),
            connected.len().saturating_sub(1)
        ),
        Err(BurstCutShort { client, error, .. }) => panic!(
            "client {client} could not connect: {error}. Likely cause: {}",
            likely_cause(&error)
        ),
    }
}
