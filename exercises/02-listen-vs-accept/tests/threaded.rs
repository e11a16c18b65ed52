//! Exercise 5: a thread per client, so that an idle client blocks nobody
//! (`src/threaded.rs`).
//!
//! A server that serves one client at a time passes a test whose clients
//! take turns: the ones that connect while it is busy wait in the accept
//! queue without an error. These tests keep a client connected and silent
//! while another one asks, and ask in the reverse order of connecting.

use lesson2::threaded::serve_threaded;
use netlings_helpers::net::{self, Client};
use std::net::TcpListener;
use std::thread;

/// Runs `serve_threaded` on a thread of its own, as a program would run it
/// on its main thread. The thread is never joined: it ends with the test
/// process.
fn start_serving(listener: TcpListener) {
    thread::Builder::new()
        .name(String::from("serve_threaded()"))
        .spawn(move || serve_threaded(listener))
        .expect("the test could not start a thread for serve_threaded()");
}

/// Sends one line and expects it back.
fn expect_echo(client: &mut Client, line: &str, waiting_for: &str) {
    client.send(format!("{line}\n").as_bytes());
    let echo = client.read_line(waiting_for);
    assert_eq!(
        echo, line,
        "the client sent {line:?} and expected the same line back"
    );
}

#[test]
fn echoes_a_line_to_one_client() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut client = Client::connect(address);
    expect_echo(
        &mut client,
        "hello",
        "the echo of the client's line (serve_threaded must accept it and run echo_lines for it)",
    );
}

#[test]
fn serves_a_client_while_another_stays_silent() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    // The first client connects and says nothing, and stays connected.
    let _silent = Client::connect(address);
    let mut asking = Client::connect(address);
    expect_echo(
        &mut asking,
        "anyone there?",
        "the echo to the second client while the first one stays connected and silent. A server \
         that serves each client on the accepting thread (or joins the client's thread at once) \
         is still waiting for the first client's line, and the second one waits in the accept \
         queue: hand each connection to a thread of its own and go straight back to accept()",
    );
}

#[test]
fn serves_clients_in_reverse_order_of_connecting() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut clients: Vec<Client> = (0..4).map(|_| Client::connect(address)).collect();
    for (index, client) in clients.iter_mut().enumerate().rev() {
        let number = index + 1;
        expect_echo(
            client,
            &format!("client {number} of 4"),
            &format!(
                "the echo to client {number} of 4, which asks while the clients that connected \
                 before it are still connected and silent (each client needs a thread of its \
                 own)"
            ),
        );
    }
}

#[test]
fn answers_two_clients_taking_turns() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut first = Client::connect(address);
    let mut second = Client::connect(address);
    for round in 1..=3 {
        expect_echo(
            &mut first,
            &format!("first client, round {round}"),
            &format!("the echo to the first client in round {round} of 3"),
        );
        expect_echo(
            &mut second,
            &format!("second client, round {round}"),
            &format!(
                "the echo to the second client in round {round} of 3, while the first client \
                 stays connected"
            ),
        );
    }
}
