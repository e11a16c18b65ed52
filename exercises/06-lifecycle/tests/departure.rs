//! Exercise 4: how did the peer leave? (`src/departure.rs`)

use lesson6::departure::{Departure, how_peer_left};
use netlings_helpers::net::{self, Client, loopback_listener};
use netlings_helpers::{STEP, within};
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// A connection: the test's client, and the accepted end that
/// `how_peer_left` watches.
fn connection() -> (Client, TcpStream) {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let (accepted, _) = net::accept(&listener, "the test's own client");
    (client, accepted)
}

/// `how_peer_left(stream, limit)` with the test's own deadline around it.
fn departure(stream: TcpStream, limit: Duration) -> Departure {
    within(STEP, "how_peer_left to decide", move || {
        how_peer_left(&stream, limit)
    })
    .unwrap_or_else(|error| panic!("how_peer_left failed: {error}"))
}

#[netlings_helpers::test]
fn a_clean_close_is_closed() {
    let (client, accepted) = connection();
    drop(client);
    assert_eq!(
        departure(accepted, STEP),
        Departure::Closed,
        "the peer closed with nothing unread: the read returns 0 (EOF), an orderly close"
    );
}

#[netlings_helpers::test]
fn data_before_the_close_is_read_past() {
    let (mut client, accepted) = connection();
    client.send(b"last words\n");
    drop(client);
    assert_eq!(
        departure(accepted, STEP),
        Departure::Closed,
        "the peer sent \"last words\\n\" and then closed: data says nothing about how the peer \
         ends, so read past it to the EOF"
    );
}

#[netlings_helpers::test]
fn an_abort_is_a_reset() {
    let (client, accepted) = connection();
    // SO_LINGER 0 and close(): the peer sends an RST instead of a FIN.
    client.reset();
    assert_eq!(
        departure(accepted, STEP),
        Departure::Reset,
        "the peer aborted the connection (an RST): the read fails with ConnectionReset, which \
         is not an EOF"
    );
}

#[netlings_helpers::test]
fn a_silent_peer_is_still_open_at_the_deadline() {
    let (_client, accepted) = connection();
    assert_eq!(
        departure(accepted, Duration::from_millis(50)),
        Departure::StillOpen,
        "the peer neither sent nor closed during the 50 ms: the connection is still open. A \
         read timeout shows up as WouldBlock (TimedOut on Windows): that is no news, not an error"
    );
}

#[netlings_helpers::test]
fn a_trickling_peer_cannot_stretch_the_deadline() {
    let (client, accepted) = connection();
    // The peer sends one byte every 5 ms, for as long as the test runs: a
    // read never waits long, yet the peer never leaves.
    let stop = Arc::new(AtomicBool::new(false));
    let trickle = {
        let stop = Arc::clone(&stop);
        let mut stream = client.stream().try_clone().expect("cloning the client");
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) && stream.write_all(b".").is_ok() {
                thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let outcome = within(
        STEP,
        "how_peer_left(.., 100 ms) to give up on a peer that sends a byte every 5 ms: the \
         deadline is for the whole wait, not for each read",
        move || how_peer_left(&accepted, Duration::from_millis(100)),
    );
    stop.store(true, Ordering::Relaxed);
    let _ = trickle.join();
    assert_eq!(
        outcome.unwrap_or_else(|error| panic!("how_peer_left failed: {error}")),
        Departure::StillOpen,
        "a peer that keeps sending is still open"
    );
}

#[netlings_helpers::test]
fn leaves_the_read_timeout_as_it_found_it() {
    let (_client, accepted) = connection();
    let callers_timeout = Some(Duration::from_secs(7));
    accepted
        .set_read_timeout(callers_timeout)
        .expect("setting a read timeout");
    let (accepted, outcome) = within(STEP, "how_peer_left to decide", move || {
        let outcome = how_peer_left(&accepted, Duration::from_millis(20));
        (accepted, outcome)
    });
    assert_eq!(
        outcome.unwrap_or_else(|error| panic!("how_peer_left failed: {error}")),
        Departure::StillOpen
    );
    assert_eq!(
        accepted.read_timeout().expect("reading the read timeout"),
        callers_timeout,
        "the caller had a read timeout of 7 s; how_peer_left must put it back, or the caller's \
         next read fails with WouldBlock after a few milliseconds"
    );
}
