//! Exercise 5: a connection limit (`src/limit.rs`).
//!
//! The server tells each client it admits how many clients it is serving, so
//! the tests see the server's concurrency without guessing at timing. A
//! client past the limit connects (the kernel completes the handshake) but
//! gets no greeting until a slot frees; meanwhile it must still be in the
//! listener's accept queue, which the kernel shows in `/proc/net/tcp`.

use lesson4::limit::serve_limited;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
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

/// How many connections wait in the accept queue of the listener on
/// `address`: for a listening socket, the kernel's `/proc/net/tcp` shows
/// that count in the `rx_queue` column (what `ss -tln` calls Recv-Q).
fn accept_queue_length(address: SocketAddr) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("reading /proc/net/tcp");
    let local = format!("0100007F:{:04X}", address.port());
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // Fields: sl, local address, remote address, state (0A: LISTEN),
        // tx_queue:rx_queue, ...
        if fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A") {
            let queued = fields[4]
                .split_once(':')
                .map(|(_, rx_queue)| rx_queue)
                .expect("/proc/net/tcp shows tx_queue:rx_queue");
            return usize::from_str_radix(queued, 16).expect("a hexadecimal rx_queue");
        }
    }
    panic!("no listening socket on {address} in /proc/net/tcp")
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

#[netlings_helpers::test]
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

#[netlings_helpers::test]
fn counts_the_clients_being_served() {
    let address = start_serving(3);
    let _first = admitted(address, "serving 1 of 3", "the greeting of client 1");
    let _second = admitted(
        address,
        "serving 2 of 3",
        "the greeting of client 2, while client 1 stays connected (a lock held across an \
         .await while a client is served, tokio's Mutex included, makes every other client \
         wait for that one to leave: keep no lock across an .await)",
    );
    let _third = admitted(
        address,
        "serving 3 of 3",
        "the greeting of client 3, while clients 1 and 2 stay connected (a permit must stay \
         with its client's task as long as the client is connected)",
    );
}

#[netlings_helpers::test]
fn serves_exactly_max_clients_at_once() {
    let address = start_serving(5);
    let clients: Vec<Client> = (1..=5)
        .map(|number| {
            admitted(
                address,
                &format!("serving {number} of 5"),
                &format!(
                    "the greeting of client {number} of 5, the others staying connected (the \
                     limit is the max_clients argument)"
                ),
            )
        })
        .collect();
    let sixth = Client::connect(address);
    assert_kept_waiting(&sixth, 5);
    drop(clients);
}

#[netlings_helpers::test]
fn a_client_past_the_limit_waits_in_the_accept_queue_for_a_free_slot() {
    let address = start_serving(2);
    let first = admitted(address, "serving 1 of 2", "the greeting of client 1");
    let _second = admitted(address, "serving 2 of 2", "the greeting of client 2");
    let mut third = Client::connect(address);
    assert_kept_waiting(&third, 2);
    let queued = accept_queue_length(address);
    assert_eq!(
        queued, 1,
        "client 3, past the limit of 2, should wait in the listener's accept queue (1 queued), \
         but {queued} connections are queued: it was accepted though no slot was free. Take \
         the permit *before* accept(): then clients past the limit cost the server nothing"
    );
    // Client 1 leaves (FIN); its task ends and gives its permit back.
    drop(first);
    let line = third.read_line(
        "the greeting of client 3 once client 1 left (the permit goes back when the task that \
         owns it ends, and the accept loop takes it for the next client)",
    );
    assert_eq!(line, "serving 2 of 2");
}

#[netlings_helpers::test]
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

#[netlings_helpers::test]
fn returns_the_error_when_the_listener_breaks() {
    let (listener, address) = net::loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener's handle");
    let server = serve_in_background("serve_limited()", listener, |listener| {
        serve_limited(listener, 2)
    });
    let _first = admitted(address, "serving 1 of 2", "the greeting of client 1");
    net::expect_broken_listener_ends(&handle, &server, "serve_limited()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        let server = serve_in_background("serve_limited()", listener, |listener| {
            serve_limited(listener, 2)
        });
        let mut first = admitted(address, "serving 1 of 2", "the greeting of client 1");
        let mut out = run_out_of_descriptors(1);
        // A slot is free, so the loop takes a permit and accepts; accept()
        // has no descriptor for the new connection and fails with EMFILE.
        let mut waiting = Client::from_connected(out.connect(address));
        out.expect_accept_backoff(&server, "serve_limited()");
        first.send(b"still served?\n");
        assert_eq!(
            first.read_line(
                "the echo to client 1 while the accept loop backs off after EMFILE \
                 (std::thread::sleep in async code stops every client's task: back off with \
                 tokio::time::sleep(ACCEPT_BACKOFF).await)"
            ),
            "still served?"
        );
        server.expect_running(
            "an accept() that fails with EMFILE (out of file descriptors) is not the listener's \
             fault: print it, wait ACCEPT_BACKOFF and accept again",
        );
        out.release();
        let greeting = waiting.read_line(
            "the greeting of the client that waited in the accept queue while the process had \
             no file descriptor left, once descriptors came back (each failed accept must give \
             its permit back, and the loop must keep retrying)",
        );
        assert_eq!(greeting, "serving 2 of 2");
    });
}
