//! Exercise 6: an accept loop that survives running out of file descriptors
//! (`src/accept_loop.rs`). The tests that use up descriptors run in a
//! process of their own, with its descriptor limit lowered (Linux).

use lesson6::accept_loop::serve;
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{Client, expect_broken_listener_ends, loopback_listener};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{Program, printable};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};

/// What the tests' server does with a connection: reads the request until
/// EOF and answers it reversed (exercise 3's protocol, written here so that
/// these tests depend on this exercise alone).
fn reverse(mut stream: TcpStream) -> io::Result<()> {
    let mut request = Vec::new();
    stream.read_to_end(&mut request)?;
    request.reverse();
    stream.write_all(&request)
}

/// `serve(listener, reverse)` on a thread of its own, with a clone of the
/// listener kept to break it later.
fn start() -> (Background<io::Result<()>>, SocketAddr, TcpListener) {
    let (listener, address) = loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener");
    let server = run_in_background("serve()", move || serve(listener, reverse));
    (server, address, handle)
}

/// Sends `body` as a whole request on `client` and checks the reply.
#[track_caller]
fn ask(mut client: Client, body: &[u8]) {
    client.send(body);
    finish(client, body);
}

/// Ends the request on `client`, whose bytes were `body` in all, and
/// checks the reply.
#[track_caller]
fn finish(mut client: Client, body: &[u8]) {
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("shutting down the client's writing side");
    let reply = client.read_to_end("the reversed reply, then EOF");
    let expected: Vec<u8> = body.iter().rev().copied().collect();
    assert_eq!(
        reply,
        expected,
        "sent {}, got back {}",
        printable(body),
        printable(&reply)
    );
}

#[netlings_helpers::test]
fn serves_one_client_after_another() {
    let (server, address, _handle) = start();
    for body in [&b"first"[..], b"second", b"third"] {
        ask(Client::connect(address), body);
        server.expect_running("a server keeps accepting after each client");
    }
}

#[netlings_helpers::test]
fn the_reverse_program_answers_a_client() {
    // The program runs serve() with exercise 3's answer_one for each client.
    let program = Program::start(env!("CARGO_BIN_EXE_reverse"), &["--listen", "127.0.0.1:0"]);
    ask(Client::connect(program.address()), b"stressed");
}

#[netlings_helpers::test]
fn serves_a_client_while_another_is_still_sending() {
    let (_server, address, _handle) = start();
    // The first client sends half a request and says no more: its handler
    // waits for an EOF that does not come yet.
    let mut slow = Client::connect(address);
    slow.send(b"half a req");
    // The second must be served meanwhile: each connection needs a thread
    // of its own.
    ask(Client::connect(address), b"quick");
    slow.send(b"uest");
    finish(slow, b"half a request");
}

#[netlings_helpers::test]
fn ends_with_the_error_of_a_broken_listener() {
    let (server, address, handle) = start();
    ask(Client::connect(address), b"before");
    // shutdown(Read) on the listener: every accept fails with EINVAL now,
    // and for good. No retry can help a broken listener: serve() returns
    // the error, so that the program can say why it stopped.
    expect_broken_listener_ends(&handle, &server, "serve()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (server, address, _handle) = start();
        ask(Client::connect(address), b"before");
        // From here on, the process has no descriptor left but the three
        // client sockets made in advance: every accept fails with EMFILE.
        let mut out = run_out_of_descriptors(3);
        let waiting: Vec<Client> = (0..3)
            .map(|_| Client::from_connected(out.connect(address)))
            .collect();
        // EMFILE (too many open files) is the process running out of a
        // resource, not a broken listener: log it, back off, accept again.
        out.expect_accept_backoff(&server, "serve()");
        // Descriptors come back (as when other connections end): every
        // client that waited in the accept queue is served.
        out.release();
        for (index, client) in waiting.into_iter().enumerate() {
            let body = format!("waiting client {index}");
            ask(client, body.as_bytes());
        }
        server.expect_running("the server goes on after the shortage");
    });
}

#[netlings_helpers::test]
fn backs_off_instead_of_spinning_while_out_of_descriptors() {
    in_own_process(|| {
        let (server, address, _handle) = start();
        // Every failed accept from here on logs one line, and with a pause of
        // ACCEPT_BACKOFF between them, no more than one per pause can come
        // in any stretch of time, however loaded the machine is.
        let mut out = run_out_of_descriptors(1);
        let _waiting = out.connect(address);
        out.expect_accept_backoff(&server, "serve()");
    });
}
