//! Exercise 7: many clients at once, a request timeout, a connection limit
//! and the accept-loop rule (`src/server.rs`). The tests that use up file
//! descriptors run in a process of their own (Linux).

use lesson7::server::{Limits, serve};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{Client, expect_broken_listener_ends, loopback_listener};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::temp_dir::TempDir;
use netlings_helpers::{STEP, printable};
use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PAGE: &str = "<h1>served</h1>\n";

/// A root with `index.html`.
fn site() -> (TempDir, PathBuf) {
    let dir = TempDir::new("httpd-server");
    fs::write(dir.path().join("index.html"), PAGE).expect("writing index.html");
    let root = dir.path().to_path_buf();
    (dir, root)
}

/// `serve` on a thread of its own, with a clone of the listener kept to
/// break it later.
fn start(root: PathBuf, limits: Limits) -> (Background<io::Result<()>>, SocketAddr, TcpListener) {
    let (listener, address) = loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener");
    let server = run_in_background("serve()", move || serve(listener, root, limits));
    (server, address, handle)
}

fn limits(max_connections: usize, request_timeout: Duration) -> Limits {
    Limits {
        max_connections,
        request_timeout,
    }
}

const GET_AND_CLOSE: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// Sends `GET /` with `Connection: close` and returns the whole answer.
#[track_caller]
fn fetch(client: &mut Client, waiting_for: &str) -> String {
    client.send(GET_AND_CLOSE);
    let answer = client.read_to_end(waiting_for);
    String::from_utf8_lossy(&answer).into_owned()
}

#[track_caller]
fn expect_page(answer: &str) {
    assert!(
        answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with(PAGE),
        "`curl http://ADDR/` must get 200 and the page; it got {}",
        printable(answer.as_bytes())
    );
}

#[netlings_helpers::test]
fn serves_a_client_while_another_is_silent() {
    let (_dir, root) = site();
    let (_server, address, _handle) = start(root, limits(16, Duration::from_secs(60)));
    // The first client connects and sends half a request: its handler
    // waits for the rest.
    let mut silent = Client::connect(address);
    silent.send(b"GET / HTTP/1.1\r\n");
    let mut other = Client::connect(address);
    let answer = fetch(
        &mut other,
        "the answer to a second client while the first one is silent (each connection needs a \
         thread of its own: one that is served in the accept loop makes everyone wait)",
    );
    expect_page(&answer);
}

#[netlings_helpers::test]
fn closes_a_connection_that_stays_silent() {
    let (_dir, root) = site();
    let timeout = Duration::from_millis(300);
    let (_server, address, _handle) = start(root, limits(16, timeout));
    let started = Instant::now();
    let mut idle = Client::connect(address);
    let answer = idle.read_to_end(
        "the server to close a connection that sent nothing for request_timeout (300 ms)",
    );
    assert!(
        started.elapsed() >= timeout - Duration::from_millis(50),
        "the server closed a silent connection after {:?}, before request_timeout ({timeout:?})",
        started.elapsed()
    );
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        printable(&answer)
    );
    // Kept alive after an answer, then silent: closed the same way.
    let mut kept = Client::connect(address);
    kept.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = kept.read_to_end(
        "the server to close a kept-alive connection that sent nothing after its first answer \
         for request_timeout (300 ms)",
    );
    expect_page(&String::from_utf8_lossy(&answer));
}

#[netlings_helpers::test]
fn cuts_off_a_client_that_sends_its_head_byte_by_byte() {
    let (_dir, root) = site();
    let timeout = Duration::from_millis(500);
    let (_server, address, _handle) = start(root, limits(16, timeout));
    let mut slow = TcpStream::connect(address).expect("connecting the slow client");
    slow.write_all(b"GET / HTTP/1.1\r\nX-Slow: ")
        .expect("sending the start of a head");
    // One byte every 50 ms: far faster than a per-read timeout of 500 ms,
    // far slower than a whole head should take. The read that paces the
    // bytes is also how the test sees the server close.
    slow.set_read_timeout(Some(Duration::from_millis(50)))
        .expect("setting a read timeout");
    let started = Instant::now();
    let limit = Duration::from_secs(4);
    loop {
        if started.elapsed() > limit {
            panic!(
                "a client sending its head one byte every 50 ms was still connected after \
                 {limit:?}; with request_timeout = {timeout:?} the server should cut it off \
                 after about {timeout:?}. A read timeout of the whole request_timeout on every \
                 read restarts with each byte and never fires: set the time *left* until the \
                 deadline"
            );
        }
        if slow.write_all(b"a").is_err() {
            break;
        }
        let mut buffer = [0; 1024];
        match slow.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    // Meanwhile and afterwards, other clients are served.
    expect_page(&fetch(
        &mut Client::connect(address),
        "the answer to a normal client",
    ));
}

#[netlings_helpers::test]
fn answers_503_past_the_connection_limit() {
    let (_dir, root) = site();
    let (_server, address, _handle) = start(root, limits(2, Duration::from_secs(60)));
    // Two clients take the two places; each is answered, so each has been
    // accepted and counted.
    let mut holders: Vec<Client> = (0..2)
        .map(|index| {
            let mut client = Client::connect(address);
            client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            let status = client.read_line(&format!("the status line of client {index}'s answer"));
            assert_eq!(
                status, "HTTP/1.1 200 OK\r",
                "client {index} is within the limit"
            );
            client
        })
        .collect();
    let mut third = Client::connect(address);
    let answer = third.read_to_end(
        "a 503 answer and the end of the connection for a third client, with max_connections = 2",
    );
    assert!(
        answer.starts_with(b"HTTP/1.1 503 "),
        "with max_connections = 2 and two connections open, a third client gets 503 Service \
         Unavailable at once; it got {}",
        printable(&answer)
    );
    // One place comes back when its connection ends: a new client gets in.
    // Its thread ends just after the close the test sees, so a client may
    // still meet a 503 for a moment; try again until served.
    drop(holders.remove(0));
    let started = Instant::now();
    loop {
        let mut client = Client::connect(address);
        let answer = fetch(&mut client, "an answer to a client after a place came back");
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            started.elapsed() < STEP,
            "a connection closed {STEP:?} ago, and new clients still get {}: the place of a \
             connection must come back when its thread ends",
            printable(answer.as_bytes())
        );
    }
}

#[netlings_helpers::test]
fn ends_with_the_error_of_a_broken_listener() {
    let (_dir, root) = site();
    let (server, address, handle) = start(root, Limits::default());
    expect_page(&fetch(
        &mut Client::connect(address),
        "the answer before the listener broke",
    ));
    expect_broken_listener_ends(&handle, &server, "serve()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (_dir, root) = site();
        let (listener, address) = loopback_listener();
        // A blocking server: run out before it starts (see
        // run_out_of_descriptors).
        let mut out = run_out_of_descriptors(1);
        let server = run_in_background("serve()", move || serve(listener, root, Limits::default()));
        let mut waiting = Client::from_connected(out.connect(address));
        out.expect_accept_backoff(&server, "serve()");
        out.release();
        let answer = fetch(
            &mut waiting,
            "the answer to the client that waited in the accept queue while the process had no \
             file descriptor left, once descriptors came back",
        );
        expect_page(&answer);
    });
}
