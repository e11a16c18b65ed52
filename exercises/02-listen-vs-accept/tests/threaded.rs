//! Exercise 5: a thread per client, so that an idle client blocks nobody
//! (`src/threaded.rs`).
//!
//! A server that serves one client at a time passes a test whose clients
//! take turns: the ones that connect while it is busy wait in the accept
//! queue without an error. These tests keep a client connected and silent
//! while another one asks, and ask in the reverse order of connecting.

use lesson2::threaded::serve_threaded;
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use std::io;
use std::net::TcpListener;

/// Runs `serve_threaded` in the background, as a program would run it on
/// its main thread.
fn start_serving(listener: TcpListener) -> Background<io::Result<()>> {
    run_in_background("serve_threaded()", move || serve_threaded(listener))
}

/// How many clients stay connected at once in the reverse-order test.
const CLIENTS: usize = 12;

#[netlings_helpers::test]
fn echoes_a_line_to_one_client() {
    let (listener, address) = net::loopback_listener();
    let _server = start_serving(listener);
    let mut client = Client::connect(address);
    client.expect_line_echoed(
        "hello",
        "the echo of the client's line (serve_threaded must accept it and run echo_lines for it)",
    );
}

#[netlings_helpers::test]
fn serves_a_client_while_another_stays_silent() {
    let (listener, address) = net::loopback_listener();
    let _server = start_serving(listener);
    // The first client connects and says nothing, and stays connected.
    let _silent = Client::connect(address);
    let mut asking = Client::connect(address);
    asking.expect_line_echoed(
        "anyone there?",
        "the echo to the second client while the first one stays connected and silent. A server \
         that serves each client on the accepting thread (or joins the client's thread at once) \
         is still waiting for the first client's line, and the second one waits in the accept \
         queue: hand each connection to a thread of its own and go straight back to accept()",
    );
}

#[netlings_helpers::test]
fn serves_clients_in_reverse_order_of_connecting() {
    let (listener, address) = net::loopback_listener();
    let _server = start_serving(listener);
    // More clients than a small pool of threads has workers: every client
    // gets a thread of its own, however many are connected.
    let mut clients: Vec<Client> = (0..CLIENTS).map(|_| Client::connect(address)).collect();
    for (index, client) in clients.iter_mut().enumerate().rev() {
        let number = index + 1;
        client.expect_line_echoed(
            &format!("client {number} of {CLIENTS}"),
            &format!(
                "the echo to client {number} of {CLIENTS}, which asks while the clients that \
                 connected before it are still connected and silent (each client needs a thread \
                 of its own: a pool or a limit of a few threads leaves the last ones waiting)"
            ),
        );
    }
}

#[netlings_helpers::test]
fn answers_two_clients_taking_turns() {
    let (listener, address) = net::loopback_listener();
    let _server = start_serving(listener);
    let mut first = Client::connect(address);
    let mut second = Client::connect(address);
    for round in 1..=3 {
        first.expect_line_echoed(
            &format!("first client, round {round}"),
            &format!("the echo to the first client in round {round} of 3"),
        );
        second.expect_line_echoed(
            &format!("second client, round {round}"),
            &format!(
                "the echo to the second client in round {round} of 3, while the first client \
                 stays connected"
            ),
        );
    }
}

#[netlings_helpers::test]
fn a_broken_listener_ends_the_server_and_the_clients_carry_on() {
    let (listener, address) = net::loopback_listener();
    let handle = listener
        .try_clone()
        .expect("the test could not clone the listener");
    let server = start_serving(listener);
    let mut connected = Client::connect(address);
    connected.expect_line_echoed("before", "the echo to the connected client");

    net::expect_broken_listener_ends(&handle, &server, "serve_threaded()");
    connected.expect_line_echoed(
        "after",
        "the echo to a client accepted before the listener broke: its thread owns its \
         connection and carries on",
    );
}

#[netlings_helpers::test]
fn running_out_of_descriptors_is_logged_backed_off_and_survived() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        // The server starts only once the descriptors are gone: a thread
        // blocked in accept(2) has already reserved the descriptor for its
        // next connection, and would get it.
        let mut out = run_out_of_descriptors(1);
        let client = out.connect(address);
        let server = start_serving(listener);
        out.expect_accept_backoff(&server, "serve_threaded()");
        out.release();
        let mut client = Client::from_connected(client);
        client.expect_line_echoed(
            "served at last",
            "the echo to the client that waited in the queue while the server had no descriptor \
             for it: once descriptors are free again, the next accept() takes it",
        );
    });
}
