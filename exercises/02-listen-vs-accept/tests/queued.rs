//! Exercise 2: a connection is usable before it is accepted (`src/queued.rs`).
//!
//! In most tests the clients connect, send and close while nobody accepts;
//! `read_queued` runs only afterwards. The last one has a client that is
//! still sending when `read_queued` starts.

use lesson2::queued::{Received, read_queued};
use netlings_helpers::background::run_in_background;
use netlings_helpers::net::{self, Client};
use netlings_helpers::{STEP, likely_cause, printable, within};
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

/// Runs `read_queued(&listener, clients)` with a deadline.
fn reading(listener: TcpListener, clients: usize, waiting_for: &str) -> Vec<Received> {
    let outcome = within(STEP, waiting_for, move || read_queued(&listener, clients));
    let received = outcome.unwrap_or_else(|error| {
        panic!(
            "read_queued(listener, {clients}) failed: {error}. Likely cause: {}",
            likely_cause(&error)
        )
    });
    assert_eq!(
        received.len(),
        clients,
        "read_queued(listener, {clients}) returned {} results; expected one per client accepted, \
         {clients} in all, empty ones included",
        received.len()
    );
    received
}

/// Checks one result against the client that sent it.
fn expect_received(received: &Received, index: usize, peer: SocketAddr, bytes: &[u8]) {
    assert_eq!(
        received.peer,
        peer,
        "result {} must come from the client that connected {} (from {peer}): the kernel queues \
         connections in the order their handshakes completed, and accept() takes the oldest \
         first; read_queued reported {}",
        index + 1,
        ordinal(index),
        received.peer
    );
    assert!(
        received.bytes == bytes,
        "the client at {peer} sent {} bytes, {}, and closed, all before anyone accepted its \
         connection; read_queued read {} bytes, {}. The kernel kept every byte in the queued \
         connection's receive buffer: read until end-of-file (a read returning 0)",
        bytes.len(),
        printable(bytes),
        received.bytes.len(),
        printable(&received.bytes)
    );
}

fn ordinal(index: usize) -> &'static str {
    ["first", "second", "third", "fourth"]
        .get(index)
        .copied()
        .unwrap_or("later")
}

#[netlings_helpers::test]
fn reads_a_message_sent_before_accept() {
    let (listener, address) = net::loopback_listener();
    // connect() returns: the kernel completed the handshake, nobody accepted.
    let mut client = Client::connect(address);
    client.send(b"sent before accept\n");
    // Half-close: the client sends its FIN, so the message is complete, but
    // keeps its socket open.
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("the client could not shut down its sending side");
    let received = reading(
        listener,
        1,
        "read_queued(listener, 1) to read the message the client sent before accept(), up to the \
         client's FIN",
    );
    expect_received(
        &received[0],
        0,
        client.local_addr(),
        b"sent before accept\n",
    );
}

#[netlings_helpers::test]
fn reads_clients_in_arrival_order() {
    let (listener, address) = net::loopback_listener();
    let mut sent = Vec::new();
    for number in 1..=3 {
        let mut client = Client::connect(address);
        let message = format!("message from client {number}").into_bytes();
        client.send(&message);
        sent.push((client.local_addr(), message));
        // The client closes (FIN) before its connection is even accepted.
        drop(client);
    }
    let received = reading(
        listener,
        3,
        "read_queued(listener, 3) to read the three clients that connected, sent and closed \
         before accept()",
    );
    for (index, (peer, message)) in sent.iter().enumerate() {
        expect_received(&received[index], index, *peer, message);
    }
}

#[netlings_helpers::test]
fn reads_every_byte_of_a_large_message() {
    let (listener, address) = net::loopback_listener();
    // 64 KiB: far more than one small read returns, far less than the
    // receive buffer a queued connection gets on loopback (megabytes here).
    let message: Vec<u8> = (0..64 * 1024).map(|index| (index % 251) as u8).collect();
    let mut client = Client::connect(address);
    client.send(&message);
    let peer = client.local_addr();
    drop(client);
    let received = reading(
        listener,
        1,
        "read_queued(listener, 1) to read a 64 KiB message sent before accept()",
    );
    expect_received(&received[0], 0, peer, &message);
}

#[netlings_helpers::test]
fn an_empty_connection_gives_no_bytes() {
    let (listener, address) = net::loopback_listener();
    let silent = Client::connect(address);
    let silent_peer = silent.local_addr();
    // Connects and closes without a byte: its FIN waits in the queue alone.
    drop(silent);
    let mut talker = Client::connect(address);
    talker.send(b"after an empty one");
    let talker_peer = talker.local_addr();
    drop(talker);
    let received = reading(
        listener,
        2,
        "read_queued(listener, 2) to read a client that sent nothing, then one that sent a line",
    );
    expect_received(&received[0], 0, silent_peer, b"");
    expect_received(&received[1], 1, talker_peer, b"after an empty one");
}

#[netlings_helpers::test]
fn reads_until_the_client_closes_not_until_a_short_read() {
    let (listener, address) = net::loopback_listener();
    let mut client = Client::connect(address);
    client.send(b"the first half, ");
    let reader = run_in_background("read_queued()", move || read_queued(&listener, 1));
    // The one bounded wait: 50 ms in which read_queued must *not* return.
    // The client has sent half its message and is still connected: a read
    // that returns fewer bytes than the buffer holds means "that is all for
    // now", not "that is all".
    thread::sleep(Duration::from_millis(50));
    reader.expect_running(
        "the client has sent half its message and not closed its side yet. A short read (fewer \
         bytes than the buffer) is not the end of the message; only a read of 0 bytes (the \
         client's FIN) is: read until end-of-file",
    );
    client.send(b"then the second half");
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("the client could not shut down its sending side");
    let received = reader
        .returned("read_queued(listener, 1) to return once the client closed its side")
        .unwrap_or_else(|error| {
            panic!(
                "read_queued(listener, 1) failed: {error}. Likely cause: {}",
                likely_cause(&error)
            )
        });
    assert_eq!(received.len(), 1, "one client connected: one result");
    expect_received(
        &received[0],
        0,
        client.local_addr(),
        b"the first half, then the second half",
    );
}

#[netlings_helpers::test]
fn a_client_that_aborted_is_an_error_not_a_message() {
    let (listener, address) = net::loopback_listener();
    let mut aborted = Client::connect(address);
    let aborted_peer = aborted.local_addr();
    aborted.send(b"half a messa");
    // A zero linger time: close() sends RST instead of FIN, as a client that
    // crashed does. No read of this connection can end at end-of-file.
    aborted.reset();
    let outcome = within(
        STEP,
        "read_queued(listener, 1) to read a client that sent 12 bytes and then aborted its \
         connection (RST, no FIN)",
        move || read_queued(&listener, 1),
    );
    match outcome {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionReset,
            "the client at {aborted_peer} aborted its connection (RST): the read after its bytes \
             fails with ConnectionReset, and read_queued must return that error; it returned \
             {error}"
        ),
        Ok(received) => panic!(
            "read_queued(listener, 1) returned Ok({received:?}), but the client at \
             {aborted_peer} never finished: it sent 12 bytes and aborted the connection (RST) \
             instead of closing it (FIN). The read after its bytes failed with ConnectionReset, \
             and that failure must be returned (`?`), not taken for the end of the message"
        ),
    }
}
