//! Exercise 2: the echo server on tokio, a task per client (`src/tasks.rs`).
//!
//! The server runs on a single-threaded runtime of its own, the strictest
//! place for async code: a task that blocks the thread stops every other
//! connection, so the mistake shows at once. The last tests break the
//! listener and run the process out of file descriptors, to check the
//! accept-loop rule of lesson 2 with tokio.

use lesson4::tasks::serve;
use netlings_helpers::background::{Background, serve_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{Program, printable};
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};

fn start_serving(listener: TcpListener) -> Background<io::Result<()>> {
    serve_in_background("serve()", listener, serve)
}

fn serving() -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    start_serving(listener);
    address
}

#[netlings_helpers::test]
fn echoes_each_piece_as_it_arrives() {
    let address = serving();
    let mut client = Client::connect(address);
    for piece in [&b"no newline needed"[..], b"\xff\x00 any bytes\r\n", b"!"] {
        client.send(piece);
        client.expect_echo_now(
            piece,
            &format!(
                "the echo of {}, with the connection still open. echo must write back what \
                 each read returns at once: not wait for a newline or for the end, and not keep \
                 it in a BufWriter that is never flushed",
                printable(piece)
            ),
        );
    }
}

#[netlings_helpers::test]
fn echoes_every_byte_until_the_client_closes_then_closes() {
    let address = serving();
    let mut client = Client::connect(address);
    // 256 KiB, every byte value: more than one read() returns, and far from
    // valid UTF-8.
    let sent: Vec<u8> = (0..256 * 1024).map(|index| (index % 251) as u8).collect();
    client.send(&sent);
    // FIN: the client has nothing more to say; the server should echo the
    // rest, see end-of-file, and close its side too.
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("closing the client's sending side");
    let echoed = client.read_to_end(
        "the echo of 256 KiB, then the server's FIN (echo must copy until a read returns \
         0 bytes, the client's FIN, and then return, which closes the connection)",
    );
    assert!(
        echoed == sent,
        "the client sent 256 KiB of every byte value and closed its side; it got {} bytes back, \
         {}. Likely cause: one read() is not the whole stream (loop until read returns 0), or \
         the bytes went through a String (they are not text)",
        echoed.len(),
        if echoed.len() < sent.len() {
            "fewer"
        } else {
            "different ones"
        }
    );
}

#[netlings_helpers::test]
fn serves_a_client_while_another_stays_silent() {
    let address = serving();
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

#[netlings_helpers::test]
fn serves_fifty_clients_at_once_each_with_its_own_echo() {
    let address = serving();
    let mut clients: Vec<Client> = (0..50).map(|_| Client::connect(address)).collect();
    for (index, client) in clients.iter_mut().enumerate().rev() {
        client.send(format!("client {index}\n").as_bytes());
        let echo = client.read_line(&format!(
            "the echo to client {index} of 50, while the {index} clients that connected before \
             it stay connected and silent (each client needs a task of its own, and no task may \
             block the runtime's thread)"
        ));
        assert_eq!(
            echo,
            format!("client {index}"),
            "client {index} got another client's bytes"
        );
    }
}

#[netlings_helpers::test]
fn keeps_serving_after_a_client_resets() {
    let address = serving();
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

#[netlings_helpers::test]
fn returns_the_error_when_the_listener_breaks() {
    let (listener, address) = net::loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener's handle");
    let server = start_serving(listener);
    let mut client = Client::connect(address);
    client.send(b"before\n");
    assert_eq!(
        client.read_line("the echo before the listener broke"),
        "before"
    );
    net::expect_broken_listener_ends(&handle, &server, "serve()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        let server = start_serving(listener);
        // A client served before the process runs out: its task needs no
        // new descriptor, and must go on being served while the accept
        // loop backs off.
        let mut first = Client::connect(address);
        first.send(b"hello\n");
        assert_eq!(first.read_line("the echo to the first client"), "hello");
        let mut out = run_out_of_descriptors(1);
        let mut waiting = Client::from_connected(out.connect(address));
        // The kernel completed the handshake; accept() has no descriptor to
        // give the new connection and fails with EMFILE.
        out.expect_accept_backoff(&server, "serve()");
        first.send(b"still served?\n");
        let echo = first.read_line(
            "the echo to a client connected before the process ran out of descriptors, while \
             the accept loop backs off. std::thread::sleep in async code stops the runtime's \
             thread and every client's task with it: back off with \
             tokio::time::sleep(ACCEPT_BACKOFF).await",
        );
        assert_eq!(echo, "still served?");
        out.release();
        waiting.send(b"served at last?\n");
        let echo = waiting.read_line(
            "the echo to the client that waited in the accept queue while the process had no \
             file descriptor left, once descriptors came back (the loop must keep retrying)",
        );
        assert_eq!(echo, "served at last?");
    });
}

#[netlings_helpers::test]
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
