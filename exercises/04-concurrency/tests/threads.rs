//! Exercise 1: an echo server with a thread per client (`src/threads.rs`).
//!
//! A server that serves one client at a time passes a test whose clients take
//! turns: the others wait in the accept queue without an error. So these
//! tests keep clients connected and silent while another one asks, and ask in
//! the reverse order of connecting.

use lesson4::threads::serve_threads;
use netlings_helpers::net::{self, Client};
use std::net::{Shutdown, TcpListener};
use std::thread;

fn start_serving(listener: TcpListener) {
    thread::Builder::new()
        .name(String::from("serve_threads()"))
        .spawn(move || serve_threads(listener))
        .expect("the test could not start a thread for serve_threads()");
}

#[test]
fn echoes_bytes_and_closes_when_the_client_closes() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut client = Client::connect(address);
    client.send(b"no newline needed");
    // FIN: the client has nothing more to say; the server should echo what
    // it got, see end-of-file, and close its side too.
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("closing the client's sending side");
    let echoed = client.read_to_end(
        "the echo of 17 bytes, then the server's FIN (echo_bytes must copy until end-of-file and \
         then return, which closes the connection)",
    );
    assert_eq!(
        echoed, b"no newline needed",
        "the client sent 17 bytes and closed its side; it expected the same bytes back"
    );
}

#[test]
fn serves_a_client_while_another_stays_silent() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let _silent = Client::connect(address);
    let mut asking = Client::connect(address);
    asking.send(b"anyone there?\n");
    let echo = asking.read_line(
        "the echo to the second client while the first stays connected and silent. A server \
         that serves a client on the accepting thread (or joins its thread) is still blocked in \
         the first client's read, and the second waits in the accept queue",
    );
    assert_eq!(echo, "anyone there?");
}

#[test]
fn serves_fifty_clients_at_once_each_with_its_own_echo() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut clients: Vec<Client> = (0..50).map(|_| Client::connect(address)).collect();
    // The newest asks first: every client that connected before it is still
    // connected and silent.
    for (index, client) in clients.iter_mut().enumerate().rev() {
        client.send(format!("client {index}\n").as_bytes());
        let echo = client.read_line(&format!(
            "the echo to client {index} of 50, while the {index} clients that connected before \
             it stay connected and silent (each client needs a thread of its own)"
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
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut first = Client::connect(address);
    first.send(b"ping\n");
    assert_eq!(first.read_line("the echo to the first client"), "ping");
    // An abort (RST): that client's thread gets ConnectionReset.
    first.reset();
    let mut second = Client::connect(address);
    second.send(b"still there?\n");
    let echo = second.read_line(
        "the echo to a client that connected after another one reset its connection (one \
         client's error must end only its own thread, never the accept loop)",
    );
    assert_eq!(echo, "still there?");
}
