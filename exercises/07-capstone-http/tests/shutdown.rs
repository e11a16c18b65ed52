//! Exercise 8: graceful shutdown (`src/shutdown.rs`). The request timeout
//! is a minute in these tests, so a connection that ends within seconds was
//! ended by the shutdown, not by the timeout.

use lesson7::server::Limits;
use lesson7::shutdown::{Shutdown, serve_until};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::kernel_table::wait_until_peer_has_read;
use netlings_helpers::net::{Client, expect_broken_listener_ends, loopback_listener};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::temp_dir::TempDir;
use netlings_helpers::{STEP, printable};
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

/// `serve_until` on a thread of its own, over a root with `index.html`.
fn start() -> Running {
    let dir = TempDir::new("httpd-shutdown");
    fs::write(dir.path().join("index.html"), PAGE).expect("writing index.html");
    let root: PathBuf = dir.path().to_path_buf();
    let (listener, address) = loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener");
    let shutdown = Shutdown::new(&listener).expect("making the shutdown handle");
    let limits = Limits {
        max_connections: 64,
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
