//! Exercise 2: the echo server on tokio, a task per client (`src/tasks.rs`).
//!
//! The server runs on a single-threaded runtime of its own, the strictest
//! place for async code: a task that blocks the thread stops every other
//! connection, so the mistake shows at once.

use lesson4::tasks::serve;
use netlings_helpers::Program;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net::{self, Client};
use std::net::{Shutdown, SocketAddr};

fn start_serving() -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    serve_in_background("serve()", listener, serve);
    address
}

#[test]
fn echoes_bytes_and_closes_when_the_client_closes() {
    let address = start_serving();
    let mut client = Client::connect(address);
    client.send(b"no newline needed");
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("closing the client's sending side");
    let echoed = client.read_to_end(
        "the echo of 17 bytes, then the server's FIN (echo must copy until end-of-file and then \
         return, which closes the connection)",
    );
    assert_eq!(
        echoed, b"no newline needed",
        "the client sent 17 bytes and closed its side; it expected the same bytes back"
    );
}

#[test]
fn serves_a_client_while_another_stays_silent() {
    let address = start_serving();
    let _silent = Client::connect(address);
    let mut asking = Client::connect(address);
    asking.send(b"anyone there?\n");
    let echo = asking.read_line(
        "the echo to the second client while the first stays connected and silent. A server \
         that awaits each client inside the accept loop (instead of tokio::spawn), or that \
         blocks the runtime's thread with std I/O, is stuck on the first client",
    );
    assert_eq!(echo, "anyone there?");
}

#[test]
fn serves_fifty_clients_at_once_each_with_its_own_echo() {
    let address = start_serving();
    let mut clients: Vec<Client> = (0..50).map(|_| Client::connect(address)).collect();
    for (index, client) in clients.iter_mut().enumerate().rev() {
        client.send(format!("client {index}\n").as_bytes());
        let echo = client.read_line(&format!(
            "the echo to client {index} of 50, while the {index} clients that connected before \
             it stay connected and silent (each client needs a task of its own)"
        ));
        assert_eq!(
            echo,
            format!("client {index}"),
            "client {index} got another client's bytes"
        );
    }
}

#[test]
fn keeps_serving_after_a_client_resets() {
    let address = start_serving();
    let mut first = Client::connect(address);
    first.send(b"ping\n");
    assert_eq!(first.read_line("the echo to the first client"), "ping");
    first.reset();
    let mut second = Client::connect(address);
    second.send(b"still there?\n");
    let echo = second.read_line(
        "the echo to a client that connected after another one reset its connection (one \
         client's error must end only its own task, never the accept loop)",
    );
    assert_eq!(echo, "still there?");
}

#[test]
fn the_echo_program_serves_two_clients_at_once() {
    let program = Program::start(env!("CARGO_BIN_EXE_echo"), &["--listen", "127.0.0.1:0"]);
    let mut first = Client::connect(program.address());
    let mut second = Client::connect(program.address());
    second.send(b"second\n");
    assert_eq!(
        second.read_line("the echo program's echo to the second client, the first one silent"),
        "second"
    );
    first.send(b"first\n");
    assert_eq!(
        first.read_line("the echo program's echo to the first client"),
        "first"
    );
}
