//! Exercise 4: a server that tells each client who it is (`src/whoami.rs`).

use lesson1::whoami::{greeting, serve};
use netlings_helpers::net::{self, Client};
use netlings_helpers::{Program, printable};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::thread;

/// Runs `serve` on a thread of its own, as the program runs it on its main
/// thread. The thread is never joined: it ends with the test process.
fn start_serving(listener: TcpListener) {
    thread::Builder::new()
        .name(String::from("serve()"))
        .spawn(move || serve(listener))
        .expect("the test could not start a thread for serve()");
}

/// Reads the greeting and expects it to name the client's own address.
fn expect_own_address(client: &mut Client, waiting_for: &str) {
    let own = client.local_addr();
    let line = client.read_line(waiting_for);
    assert_eq!(
        line,
        format!("you are {own}"),
        "the client connected from {own}, so the server sees {own} as its peer address; the \
         greeting must name the peer (accept() returns it), not the server's own address"
    );
}

#[test]
fn greeting_names_the_peer_address() {
    let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 40804));
    assert_eq!(greeting(v4), "you are 127.0.0.1:40804\n");
    let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 40804));
    assert_eq!(
        greeting(v6),
        "you are [::1]:40804\n",
        "an IPv6 address is written in brackets, as SocketAddr displays it"
    );
}

#[test]
fn tells_a_client_its_own_address() {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    let mut client = Client::connect(address);
    expect_own_address(&mut client, "the greeting");
    let rest = client.read_to_end("serve() to close the connection after the greeting");
    assert!(
        rest.is_empty(),
        "after the greeting the server sent {} more; expected it to close the connection",
        printable(&rest)
    );
}

#[test]
fn answers_several_clients_in_turn() {
    let (listener, address) = net::loopback_listener();
    // The clients connect before the server runs: the kernel completes their
    // handshakes and queues them, and serve() accepts them one by one.
    let mut clients: Vec<Client> = (0..3).map(|_| Client::connect(address)).collect();
    start_serving(listener);
    for (index, client) in clients.iter_mut().enumerate() {
        expect_own_address(
            client,
            &format!(
                "the greeting of client {} of 3 (serve() must loop: accept, greet, repeat)",
                index + 1
            ),
        );
    }
}

#[test]
fn tells_an_ipv6_client_its_address() {
    let (listener, address) = net::loopback_listener_v6();
    start_serving(listener);
    let mut client = Client::connect(address);
    expect_own_address(&mut client, "the greeting of a client connected over IPv6");
}

#[test]
fn keeps_serving_after_a_client_that_failed() {
    let (listener, address) = net::loopback_listener();
    // This client gives up before the server runs: its handshake completed,
    // so its connection waits in the accept queue, but it has already been
    // reset. Greeting it fails with ConnectionReset, every time.
    Client::connect(address).reset();
    let mut patient = Client::connect(address);
    start_serving(listener);
    expect_own_address(
        &mut patient,
        "the greeting of the client queued after one that reset its connection (an error with \
         one client must be logged, not returned with `?`: that would end serve() and close \
         the listener)",
    );
}

#[test]
fn the_whoami_program_answers_a_client() {
    let program = Program::start(env!("CARGO_BIN_EXE_whoami"), &["--listen", "127.0.0.1:0"]);
    let mut client = Client::connect(program.address());
    expect_own_address(&mut client, "the greeting from the whoami program");
}
