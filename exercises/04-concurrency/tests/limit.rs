//! Exercise 5: a connection limit (`src/limit.rs`).
//!
//! The server tells each client it admits how many clients it is serving, so
//! the tests see the server's concurrency without guessing at timing. A
//! client past the limit connects (the kernel completes the handshake) but
//! gets no greeting until a slot frees.

use lesson4::limit::serve_limited;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net::{self, Client};
use netlings_helpers::printable;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::Duration;

fn start_serving(max_clients: usize) -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    serve_in_background("serve_limited()", listener, move |listener| {
        serve_limited(listener, max_clients)
    });
    address
}

/// Connects a client and checks its greeting.
fn admitted(address: SocketAddr, greeting: &str, waiting_for: &str) -> Client {
    let mut client = Client::connect(address);
    let line = client.read_line(waiting_for);
    assert_eq!(line, greeting, "the greeting of a newly admitted client");
    client
}

/// Proves that `client` gets nothing for 100ms: the one bounded wait a test
/// may use, to show that something does *not* happen.
fn assert_kept_waiting(client: &Client, limit: usize) {
    let stream = client.stream();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("setting a read timeout");
    let mut buffer = [0; 256];
    match (&*stream).read(&mut buffer) {
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) => {}
        Ok(0) => panic!(
            "a client past the limit of {limit} was closed; it should wait until a slot frees"
        ),
        Ok(read) => panic!(
            "a client past the limit of {limit} was served at once: it got {}. Take a permit \
             (Semaphore::acquire_owned) before serving a client, and keep it in the client's \
             task until the client leaves",
            printable(&buffer[..read])
        ),
        Err(error) => panic!("a client past the limit of {limit}: reading failed: {error}"),
    }
}

#[test]
fn greets_a_client_and_echoes_its_lines() {
    let address = start_serving(2);
    let mut client = admitted(
        address,
        "serving 1 of 2",
        "the greeting of the first client",
    );
    client.send(b"ping\n");
    assert_eq!(client.read_line("the echo of \"ping\""), "ping");
}

#[test]
fn counts_the_clients_being_served() {
    let address = start_serving(3);
    let _first = admitted(address, "serving 1 of 3", "the greeting of client 1");
    let _second = admitted(
        address,
        "serving 2 of 3",
        "the greeting of client 2, while client 1 stays connected",
    );
    let _third = admitted(
        address,
        "serving 3 of 3",
        "the greeting of client 3, while clients 1 and 2 stay connected (a permit must stay \
         with its client's task as long as the client is connected)",
    );
}

#[test]
fn a_client_past_the_limit_waits_for_a_free_slot() {
    let address = start_serving(2);
    let first = admitted(address, "serving 1 of 2", "the greeting of client 1");
    let _second = admitted(address, "serving 2 of 2", "the greeting of client 2");
    let mut third = Client::connect(address);
    assert_kept_waiting(&third, 2);
    // Client 1 leaves (FIN); its task ends and gives its permit back.
    drop(first);
    let line = third.read_line(
        "the greeting of client 3 once client 1 left (the permit goes back when the task that \
         owns it ends, and the accept loop takes it for the next client)",
    );
    assert_eq!(line, "serving 2 of 2");
}

#[test]
fn a_client_that_resets_gives_its_slot_back() {
    let address = start_serving(1);
    let first = admitted(address, "serving 1 of 1", "the greeting of client 1");
    let mut second = Client::connect(address);
    assert_kept_waiting(&second, 1);
    // An abort (RST): client 1's task ends with ConnectionReset.
    first.reset();
    let line = second.read_line(
        "the greeting of client 2 once client 1 reset its connection (the permit must go back \
         however the task ends, errors included)",
    );
    assert_eq!(line, "serving 1 of 1");
}
