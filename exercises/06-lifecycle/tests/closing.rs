//! Exercise 5: close in order, or abort on purpose (`src/closing.rs`).
//! The TIME_WAIT checks read `/proc/net/tcp`: they expect Linux.

use lesson6::closing::{abort, close_orderly};
use netlings_helpers::background::run_in_background;
use netlings_helpers::kernel_table::{socket_line, wait_for_line};
use netlings_helpers::net::{self, Client, loopback_listener};
use netlings_helpers::{STEP, likely_cause, within};
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Linux's numbers for TIME_WAIT and CLOSE_WAIT in /proc/net/tcp.
const TIME_WAIT: u8 = 6;
const CLOSE_WAIT: u8 = 8;

/// A connection: the test's client, the accepted end the code under test
/// closes, that end's address, and the listener. Keep the listener alive
/// for the whole test: while it holds the port, no other program on this
/// machine can listen there, and so no new connection with the same
/// four-tuple can come and end a TIME_WAIT early (a SYN for the same
/// four-tuple does that, on purpose).
fn connection() -> (Client, TcpStream, SocketAddr, TcpListener) {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let (accepted, _) = net::accept(&listener, "the test's own client");
    (client, accepted, address, listener)
}

#[netlings_helpers::test]
fn close_orderly_ends_with_eof_even_with_unread_data() {
    let (mut client, accepted, address, _listener) = connection();
    // Bytes the server side never reads: they sit in its receive queue.
    client.send(b"never read");
    wait_for_line(address, client.local_addr(), "10 unread bytes", |line| {
        line.recv_queue == 10
    });
    let server = run_in_background("close_orderly()", move || close_orderly(accepted, STEP * 2));
    let rest = client.read_to_end(
        "the server side's EOF: close_orderly() must shut down its writing side first (the \
         FIN), then read until the peer's EOF. A close() with unread bytes sends a reset",
    );
    assert_eq!(rest, b"", "the server side wrote nothing");
    // The client has the server's FIN and has not closed: its end is in
    // CLOSE_WAIT, and stays there while close_orderly() waits for its EOF.
    // A close with the 10 bytes unread would follow the FIN with an RST,
    // which ends the client's end at once. Nothing can change the state of
    // a correct pair, so a short bounded wait proves the RST never came.
    let client_end = client.local_addr();
    let watch_until = Instant::now() + Duration::from_millis(100);
    while Instant::now() < watch_until {
        let line = socket_line(client_end, address);
        assert!(
            line.is_some_and(|line| line.state == CLOSE_WAIT),
            "after the server side's FIN, the client's end left CLOSE_WAIT (now {line:?}): a reset \
             followed the FIN. close_orderly() must read the peer's unread bytes until its EOF \
             before it closes; a close() with unread data sends an RST"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // Our EOF ends close_orderly's wait.
    drop(client);
    let outcome = server.returned("close_orderly() to return once the peer closed too");
    if let Err(error) = outcome {
        panic!(
            "close_orderly() failed: {error}. Likely cause: {}",
            likely_cause(&error)
        );
    }
}

#[netlings_helpers::test]
fn close_orderly_leaves_time_wait_on_the_side_that_closed_first() {
    let (mut client, accepted, address, _listener) = connection();
    let client_address = client.local_addr();
    let server = run_in_background("close_orderly()", move || close_orderly(accepted, STEP));
    client.read_to_end("the server side's EOF after close_orderly()'s shutdown");
    drop(client);
    let outcome = server.returned("close_orderly() to return once the peer closed too");
    assert!(outcome.is_ok(), "close_orderly() failed: {outcome:?}");
    // The server side sent the first FIN: its end of the connection lingers
    // in TIME_WAIT after close(), whatever the program holds.
    wait_for_line(
        address,
        client_address,
        "the server side's end in TIME_WAIT (state 06): it closed first, with a FIN. An abort \
         (SO_LINGER 0) would leave no TIME_WAIT, and a reset is not an orderly close",
        |line| line.state == TIME_WAIT,
    );
}

#[netlings_helpers::test]
fn close_orderly_gives_up_on_a_peer_that_never_closes() {
    let (_client, accepted, _, _listener) = connection();
    let started = Instant::now();
    let outcome = within(
        STEP,
        "close_orderly(.., 100 ms) to give up on a peer that never closes",
        move || close_orderly(accepted, Duration::from_millis(100)),
    );
    match outcome {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::TimedOut,
            "the peer never closed: close_orderly must fail with TimedOut, not {error}"
        ),
        Ok(()) => panic!(
            "the peer never closed its side, yet close_orderly() returned Ok after {:?}: it must \
             wait for the peer's EOF (a read that returns 0), and fail with TimedOut when it \
             does not come",
            started.elapsed()
        ),
    }
}

#[netlings_helpers::test]
fn close_orderly_reports_a_peer_that_aborts() {
    let (client, accepted, address, _listener) = connection();
    let client_address = client.local_addr();
    let server = run_in_background("close_orderly()", move || close_orderly(accepted, STEP));
    // Wait until close_orderly() has sent its FIN (the server side's end
    // leaves ESTABLISHED), then abort from the client's side.
    wait_for_line(
        address,
        client_address,
        "the server side's FIN: close_orderly() starts with shutdown(Write)",
        |line| line.state != 1,
    );
    client.reset();
    match server.returned("close_orderly() to return once the peer aborted") {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionReset,
            "the peer aborted during the drain; close_orderly() failed with {error}"
        ),
        Ok(()) => panic!(
            "the peer aborted the connection (an RST) while close_orderly() waited for its EOF, \
             yet close_orderly() returned Ok: a reset is not an orderly end; return the \
             ConnectionReset error"
        ),
    }
}

#[netlings_helpers::test]
fn abort_resets_the_connection() {
    let (client, accepted, _, _listener) = connection();
    abort(accepted).unwrap_or_else(|error| panic!("abort() failed: {error}"));
    let mut stream = client.stream().try_clone().expect("cloning the client");
    let read = within(STEP, "the client's read after abort()", move || {
        stream.read(&mut [0; 16])
    });
    match read {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionReset,
            "after abort(), the peer's read must fail with ConnectionReset; it failed with \
             {error}"
        ),
        Ok(0) => panic!(
            "after abort(), the peer read EOF (0 bytes): that is an orderly close's FIN. An \
             abort sends an RST: set SO_LINGER to on with 0 seconds, then close"
        ),
        Ok(read) => panic!("after abort(), the peer read {read} bytes; nobody sent any"),
    }
}

#[netlings_helpers::test]
fn abort_leaves_no_time_wait() {
    let (client, accepted, address, _listener) = connection();
    let client_address = client.local_addr();
    abort(accepted).unwrap_or_else(|error| panic!("abort() failed: {error}"));
    // An RST ends the connection on both ends at once: no TIME_WAIT, no
    // FIN_WAIT2, nothing left of the server side's end in the table.
    let deadline = Instant::now() + STEP;
    let mut seen = socket_line(address, client_address);
    while seen.is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
        seen = socket_line(address, client_address);
    }
    assert_eq!(
        seen, None,
        "after abort(), the server side's end of the connection is still in /proc/net/tcp: an \
         abort (SO_LINGER 0) leaves nothing behind, while a close with a FIN goes through \
         FIN_WAIT1, FIN_WAIT2 and TIME_WAIT"
    );
    drop(client);
}
