//! Exercise 8: graceful shutdown (`src/shutdown.rs`), and `httpd`, which
//! serves with `serve_until` and stops on SIGTERM. The request timeout is a
//! minute in these tests, so a connection that ends within seconds was
//! ended by the shutdown, not by the timeout.

use lesson7::server::Limits;
use lesson7::shutdown::{Shutdown, serve_until};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::kernel_table::wait_until_peer_has_read;
use netlings_helpers::net::{Client, expect_broken_listener_ends, loopback_listener};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::temp_dir::TempDir;
use netlings_helpers::{Program, STEP, printable};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const PAGE: &str = "<h1>served</h1>\n";

struct Running {
    server: Background<io::Result<()>>,
    address: SocketAddr,
    shutdown: Shutdown,
    handle: TcpListener,
    _dir: TempDir,
}

/// A root with `index.html`.
fn site() -> TempDir {
    let dir = TempDir::new("httpd-shutdown");
    fs::write(dir.path().join("index.html"), PAGE).expect("writing index.html");
    dir
}

/// `serve_until` on a thread of its own, over a root with `index.html`.
fn start() -> Running {
    start_with_limit(64)
}

/// [`start`] with `max_connections` open connections at most.
fn start_with_limit(max_connections: usize) -> Running {
    let dir = site();
    let root: PathBuf = dir.path().to_path_buf();
    let (listener, address) = loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener");
    let shutdown = Shutdown::new(&listener).expect("making the shutdown handle");
    let limits = Limits {
        max_connections,
        request_timeout: Duration::from_secs(60),
    };
    let signal = shutdown.clone();
    let server = run_in_background("serve_until()", move || {
        serve_until(listener, root, limits, signal)
    });
    Running {
        server,
        address,
        shutdown,
        handle,
        _dir: dir,
    }
}

/// Reads one whole answer to `GET /` (its body is one line) from a
/// connection that stays open.
#[track_caller]
fn read_answer(client: &mut Client, waiting_for: &str) {
    let status = client.read_line(waiting_for);
    assert_eq!(status, "HTTP/1.1 200 OK\r", "the answer's status line");
    while client.read_line("the rest of the answer's head") != "\r" {}
    assert_eq!(client.read_line("the answer's body"), PAGE.trim_end());
}

#[track_caller]
fn expect_refused(address: SocketAddr, when: &str) {
    match TcpStream::connect_timeout(&address, STEP) {
        Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {}
        Err(error) => panic!("connecting {when} failed with {error}; expected \"refused\""),
        Ok(_) => panic!(
            "a new client could connect {when}: once the stop is asked for, the listener must \
             stop listening at once (Shutdown::stop_listening), so that new clients are refused \
             instead of queued where nobody accepts"
        ),
    }
}

#[netlings_helpers::test]
fn stops_and_returns_ok_when_triggered() {
    let running = start();
    let mut client = Client::connect(running.address);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = client.read_to_end("the answer before the shutdown");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        printable(&answer)
    );
    running.shutdown.trigger();
    match running.server.returned(
        "serve_until() to return after trigger() (trigger must stop the listener so that the \
         blocked accept() wakes up, and the loop must see that the stop was asked for)",
    ) {
        Ok(()) => {}
        Err(error) => panic!(
            "serve_until() returned {error} after trigger(); the accept that fails because of \
             the shutdown is the signal to stop, and the stop is a success: Ok(())"
        ),
    }
    expect_refused(running.address, "after serve_until() returned");
}

/// The ids of this process's threads (Linux: `/proc/self/task`).
fn thread_ids() -> HashSet<String> {
    fs::read_dir("/proc/self/task")
        .expect("listing /proc/self/task (Linux)")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Waits until a thread that is not in `before` sleeps in a socket read
/// (its `wchan` is the kernel's `wait_woken`, where a `recv` with no data
/// waits): the server's connection thread has come round to read the next
/// request. Looked up in `/proc/self/task`, so no sleeping is needed.
#[track_caller]
fn wait_for_a_new_thread_blocked_in_a_read(before: &HashSet<String>, waiting_for: &str) {
    let deadline = Instant::now() + STEP;
    loop {
        let blocked = thread_ids().difference(before).any(|id| {
            let wchan =
                fs::read_to_string(format!("/proc/self/task/{id}/wchan")).unwrap_or_default();
            wchan == "wait_woken" || wchan.starts_with("sk_wait")
        });
        if blocked {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "deadline: waited {STEP:?} for {waiting_for}: no new thread of this process sleeps in              a socket read (/proc/self/task/*/wchan)"
        );
        std::thread::yield_now();
    }
}

#[netlings_helpers::test]
fn closes_idle_connections_at_once() {
    // In a process of its own, so that the only connection thread is this
    // test's (see wait_for_a_new_thread_blocked_in_a_read).
    in_own_process(|| {
        let running = start();
        let before = thread_ids();
        let mut idle = Client::connect(running.address);
        idle.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        read_answer(&mut idle, "the answer to a keep-alive request");
        // The connection is idle now: kept alive, its thread blocked in a read
        // that waits for a next request. Only trigger can wake that read.
        wait_for_a_new_thread_blocked_in_a_read(
            &before,
            "the connection's thread to wait for a next request",
        );
        running.shutdown.trigger();
        let rest = idle.read_to_end(
            "the server to close an idle keep-alive connection when the stop is asked for (its \
             request timeout is a minute: trigger must stop_reading every idle connection)",
        );
        assert!(
            rest.is_empty(),
            "nothing more was asked: {}",
            printable(&rest)
        );
        running
            .server
            .returned("serve_until() to return once its only connection closed")
            .expect("a requested stop is Ok(())");
    });
}

#[netlings_helpers::test]
fn finishes_a_request_in_flight_then_closes() {
    let running = start();
    let mut busy = Client::connect(running.address);
    busy.send(b"GET / HTTP/1.1\r\n");
    // The server has read the first line: this connection is busy.
    wait_until_peer_has_read(
        busy.local_addr(),
        running.address,
        "the server to read the first line of the request",
    );
    // Another client comes and goes meanwhile: a server that forgets the
    // threads still running when it tidies its list up must still wait
    // for this one.
    let mut other = Client::connect(running.address);
    other.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = other.read_to_end("the answer to another client");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        printable(&answer)
    );
    running.shutdown.trigger();
    expect_refused(running.address, "while a request was still in flight");
    // A bounded wait to show that nothing happens: serve_until() must not
    // return while this request is unanswered. Its accept loop wakes within
    // microseconds of trigger(), so 200 ms is plenty to see it return early.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        running.server.finished().is_none(),
        "serve_until() returned while a request was still in flight: it must wait for every \
         connection's thread (join them) before it returns"
    );
    busy.send(b"Host: x\r\n\r\n");
    read_answer(
        &mut busy,
        "the answer to a request that had started before the stop (a busy connection is left \
         alone by trigger, and answered)",
    );
    let rest = busy.read_to_end(
        "the end of the connection after its last answer (after the stop, an idle connection's \
         next read must return 0 at once: look at is_requested() before reading)",
    );
    assert!(rest.is_empty(), "{}", printable(&rest));
    running
        .server
        .returned("serve_until() to return once the request in flight was answered")
        .expect("a requested stop is Ok(())");
}

#[netlings_helpers::test]
fn a_broken_listener_is_still_an_error() {
    let running = start();
    let mut client = Client::connect(running.address);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    client.read_to_end("the answer before the listener broke");
    // The same EINVAL as after trigger(), but nobody asked for a stop.
    expect_broken_listener_ends(&running.handle, &running.server, "serve_until()");
}

#[netlings_helpers::test]
fn keeps_the_connection_limit() {
    let running = start_with_limit(1);
    let mut holder = Client::connect(running.address);
    holder.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    read_answer(&mut holder, "the answer to the client within the limit");
    let mut second = Client::connect(running.address);
    let answer = second.read_to_end(
        "a 503 answer and the end of the connection for a second client, with max_connections = 1",
    );
    assert!(
        answer.starts_with(b"HTTP/1.1 503 "),
        "serve_until keeps exercise 7's limit: with max_connections = 1 and one connection \
         open, a second client gets 503 Service Unavailable at once; it got {}",
        printable(&answer)
    );
    // The place comes back when the holder's thread ends (just after the
    // close the test sees): try again until served.
    drop(holder);
    let started = Instant::now();
    loop {
        let mut client = Client::connect(running.address);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let answer = client.read_to_end("an answer to a client after the place came back");
        if answer.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(
            started.elapsed() < STEP,
            "a connection closed {STEP:?} ago, and new clients still get {}: the place of a \
             connection must come back when its thread ends",
            printable(&answer)
        );
    }
}

/// `httpd` on a fresh port, serving `dir`, with a request timeout of a
/// minute.
fn start_httpd(dir: &TempDir) -> Program {
    let root = dir.path().to_str().expect("a UTF-8 temporary path");
    Program::start(
        env!("CARGO_BIN_EXE_httpd"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--root",
            root,
            "--request-timeout-ms",
            "60000",
        ],
    )
}

#[netlings_helpers::test]
fn the_httpd_program_logs_one_line_per_request() {
    let dir = site();
    let program = start_httpd(&dir);
    let mut client = Client::connect(program.address());
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    read_answer(
        &mut client,
        "httpd's answer to `GET /` on a keep-alive connection",
    );
    client.send(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let answer = client.read_to_end("httpd's answer to `GET /nope` on the same connection");
    assert!(
        answer.starts_with(b"HTTP/1.1 404 "),
        "{}",
        printable(&answer)
    );
    let peer = format!("httpd: {} ", client.local_addr());
    let lines = program.stderr_lines(
        &peer,
        2,
        "httpd's log lines for two requests on one connection (one line per request, each \
         starting `httpd: CLIENT_ADDRESS `: the `log` of serve_connection, printed with the peer)",
    );
    let expected = [
        format!("{peer}GET / 200 {} bytes ", PAGE.len()),
        format!("{peer}GET /nope 404 "),
    ];
    for (line, start) in lines.iter().zip(&expected) {
        assert!(
            line.starts_with(start.as_str()),
            "httpd logged {lines:#?}; each line must start with {expected:#?}, then the time"
        );
    }
    assert_eq!(lines.len(), 2, "one log line per request: {lines:#?}");
}

#[netlings_helpers::test]
fn the_httpd_program_stops_gracefully_on_sigterm() {
    let dir = site();
    let mut program = start_httpd(&dir);
    let address = program.address();
    let mut idle = Client::connect(address);
    idle.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    read_answer(&mut idle, "httpd's answer to a keep-alive request");
    let mut busy = Client::connect(address);
    busy.send(b"GET / HTTP/1.1\r\n");
    wait_until_peer_has_read(
        busy.local_addr(),
        address,
        "httpd to read the first line of a request",
    );
    program.terminate();
    let rest = idle.read_to_end(
        "httpd to close an idle keep-alive connection on SIGTERM (httpd turns the signal into \
         Shutdown::trigger)",
    );
    assert!(
        rest.is_empty(),
        "nothing more was asked: {}",
        printable(&rest)
    );
    expect_refused(
        address,
        "to httpd after SIGTERM, while a request was in flight",
    );
    busy.send(b"Host: x\r\n\r\n");
    read_answer(
        &mut busy,
        "httpd's answer to a request that had started before SIGTERM (a signal must stop the \
         server gracefully, not end the process)",
    );
    let rest = busy.read_to_end("the end of the connection after its last answer");
    assert!(rest.is_empty(), "{}", printable(&rest));
    let status = program.wait_for_exit("httpd to exit once its last request was answered");
    assert!(
        status.success(),
        "httpd ended with {status} after SIGTERM; a graceful stop ends with exit code 0"
    );
}
