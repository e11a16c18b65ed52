//! Exercise 1: an echo server with a thread per client (`src/threads.rs`).
//!
//! A server that serves one client at a time passes a test whose clients take
//! turns: the others wait in the accept queue without an error. So these
//! tests keep clients connected and silent while another one asks, and ask in
//! the reverse order of connecting. The last two break the listener and run
//! the process out of file descriptors, to check the accept-loop rule of
//! lesson 2.

use lesson4::threads::serve_threads;
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::printable;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener};

fn start_serving(listener: TcpListener) -> Background<io::Result<()>> {
    run_in_background("serve_threads()", move || serve_threads(listener))
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
                "the echo of {}, with the connection still open. echo_bytes must write back what \
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
        "the echo of 256 KiB, then the server's FIN (echo_bytes must copy until a read returns \
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
         that serves a client on the accepting thread (or joins its thread) is still blocked in \
         the first client's read, and the second waits in the accept queue",
    );
    assert_eq!(echo, "anyone there?");
}

#[netlings_helpers::test]
fn serves_fifty_clients_at_once_each_with_its_own_echo() {
    let address = serving();
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

#[netlings_helpers::test]
fn keeps_serving_after_a_client_resets() {
    let address = serving();
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
    net::expect_broken_listener_ends(&handle, &server, "serve_threads()");
    // The clients' threads carry on: the listener broke, not the connections.
    client.send(b"after\n");
    assert_eq!(
        client.read_line("the echo to a client accepted before the listener broke"),
        "after"
    );
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        // Out of descriptors *before* the server starts: a blocking accept()
        // sets aside a descriptor for the next connection before it goes to
        // sleep, so a server already waiting in accept() would get one more
        // client through. A std server needs no descriptor of its own to
        // start, and its first accept() fails with EMFILE at once.
        let mut out = run_out_of_descriptors(1);
        let server = start_serving(listener);
        let mut waiting = Client::from_connected(out.connect(address));
        // The kernel completed the handshake; accept() has no descriptor to
        // give the new connection and fails with EMFILE.
        out.expect_accept_backoff(&server, "serve_threads()");
        out.release();
        waiting.send(b"served at last?\n");
        let echo = waiting.read_line(
            "the echo to the client that waited in the accept queue while the process had no \
             file descriptor left, once descriptors came back (the loop must keep retrying)",
        );
        assert_eq!(echo, "served at last?");
    });
}
