//! Exercise 4: a server that tells each client who it is (`src/whoami.rs`).

use lesson1::whoami::{greeting, serve};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{Program, printable};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

/// Runs `serve` on a thread of its own, as the program runs it on its main
/// thread, and returns the handle that says whether and how it returned.
fn start_serving(listener: TcpListener) -> Background<io::Result<()>> {
    run_in_background("serve()", move || serve(listener))
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

#[netlings_helpers::test]
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

#[netlings_helpers::test]
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

#[netlings_helpers::test]
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

#[netlings_helpers::test]
fn tells_an_ipv6_client_its_address() {
    let (listener, address) = net::loopback_listener_v6();
    start_serving(listener);
    let mut client = Client::connect(address);
    expect_own_address(&mut client, "the greeting of a client connected over IPv6");
}

#[netlings_helpers::test]
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

#[netlings_helpers::test]
fn a_broken_listener_ends_serve_with_its_error() {
    let (listener, address) = net::loopback_listener();
    // A second handle on the same listening socket, kept by the test.
    let handle = listener.try_clone().expect("cloning the listener's handle");
    let server = start_serving(listener);
    // One client served proves that serve() is in its accept loop.
    let mut client = Client::connect(address);
    expect_own_address(&mut client, "the greeting of the first client");

    // shutdown(Read) on the listening socket: every accept() on it now fails
    // at once with EINVAL, and keeps failing. No retry can help: serve()
    // must end, with that error, so that the program can say why it stopped.
    net::expect_broken_listener_ends(&handle, &server, "serve()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        // The process runs out of descriptors *before* serve() starts. Linux
        // reserves the new socket's descriptor when accept() begins to wait,
        // so a server already waiting in accept() would still get its next
        // connection; every accept() that starts from now on fails with
        // EMFILE, "Too many open files", at once.
        let mut out = run_out_of_descriptors(1);
        let server = start_serving(listener);
        // The handshake completes in the kernel, and the client waits in the
        // accept queue for as long as accept() cannot make it a socket.
        let stream = out.connect(address);
        // serve() prints the failed accept, pauses ACCEPT_BACKOFF before
        // each retry, and keeps running: the client waits in the accept
        // queue, and the next accept() succeeds once a descriptor is free.
        out.expect_accept_backoff(&server, "serve()");
        out.release();
        let mut client = Client::from_connected(stream);
        expect_own_address(
            &mut client,
            "the greeting of the client that waited while the process had no descriptor left; \
             the descriptors are back, so the next accept() succeeds (does serve() try again \
             after its pause?)",
        );
    });
}

#[netlings_helpers::test]
fn the_whoami_program_answers_a_client() {
    let program = Program::start(env!("CARGO_BIN_EXE_whoami"), &["--listen", "127.0.0.1:0"]);
    let mut client = Client::connect(program.address());
    expect_own_address(&mut client, "the greeting from the whoami program");
}
