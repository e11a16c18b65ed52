//! Exercise 6: stop accepting on request, and let connected clients finish
//! (`src/shutdown.rs`).

use lesson2::shutdown::{Shutdown, serve_until_shutdown};
use netlings_helpers::STEP;
use netlings_helpers::accept_queue::wait_until_refused;
use netlings_helpers::net::{self, Client};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::panic;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// `serve_until_shutdown` running on a thread the test started.
struct Running {
    address: SocketAddr,
    shutdown: Shutdown,
    /// What `serve_until_shutdown` returned, or its panic.
    outcome: mpsc::Receiver<thread::Result<io::Result<usize>>>,
}

fn start_serving(listener: TcpListener) -> Running {
    let address = listener
        .local_addr()
        .expect("a bound listener has a local address");
    let shutdown = Shutdown::new(&listener).expect("making a Shutdown for the listener");
    let for_server = shutdown.clone();
    let (report, outcome) = mpsc::channel();
    thread::Builder::new()
        .name(String::from("serve_until_shutdown()"))
        .spawn(move || {
            let returned = panic::catch_unwind(panic::AssertUnwindSafe(|| {
                serve_until_shutdown(listener, for_server)
            }));
            let _ = report.send(returned);
        })
        .expect("the test could not start a thread for serve_until_shutdown()");
    Running {
        address,
        shutdown,
        outcome,
    }
}

impl Running {
    /// Waits for `serve_until_shutdown` to return, and returns its count.
    fn served(&self, waiting_for: &str) -> usize {
        match self.outcome.recv_timeout(STEP) {
            Ok(Ok(Ok(served))) => served,
            Ok(Ok(Err(error))) => panic!(
                "serve_until_shutdown returned Err({error}); after a shutdown request it returns \
                 Ok(number of clients served)"
            ),
            Ok(Err(panic_payload)) => panic::resume_unwind(panic_payload),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                "deadline: waited {STEP:?} for {waiting_for}, and serve_until_shutdown never \
                 returned"
            ),
        }
    }

    /// After a shutdown request, waits until the listener refuses new
    /// clients: the accept loop has ended and the listener is closed.
    fn expect_refused(&self, while_what: &str) {
        if let Err(not_refused) = wait_until_refused(self.address, STEP) {
            panic!(
                "{STEP:?} after shutdown.request(), {while_what}, {not_refused} new connects to \
                 {} were still not refused: the listener stayed open. Close it (drop it) as \
                 soon as the accept loop ends, before waiting for the connected clients; \
                 otherwise new clients complete their handshakes into a queue that nobody will \
                 ever accept from",
                self.address
            );
        }
    }
}

/// Sends one line and expects it back.
fn expect_echo(client: &mut Client, line: &str, waiting_for: &str) {
    client.send(format!("{line}\n").as_bytes());
    assert_eq!(
        client.read_line(waiting_for),
        line,
        "the client sent {line:?} and expected the same line back"
    );
}

#[test]
fn stops_when_asked_before_any_client_came() {
    let (listener, _address) = net::loopback_listener();
    let running = start_serving(listener);
    running.shutdown.request();
    let served = running.served(
        "serve_until_shutdown to return after shutdown.request(), with no client ever \
         connected. request() sets the flag and connects once to wake a blocked accept(): check \
         shutdown.is_requested() after every accept, and leave the loop",
    );
    assert_eq!(
        served, 0,
        "no client connected; the one connection after the request was request()'s wake-up \
         call, which is closed, not served or counted"
    );
}

#[test]
fn counts_the_clients_it_served() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    for number in 1..=2 {
        let mut client = Client::connect(address);
        expect_echo(
            &mut client,
            &format!("client {number}"),
            &format!("the echo to client {number} of 2"),
        );
        // The client leaves: its thread ends.
    }
    running.shutdown.request();
    let served = running.served("serve_until_shutdown to return after both clients left");
    assert_eq!(
        served, 2,
        "two clients were served before the request; the connection accepted after it is \
         request()'s wake-up call, which must be closed, not served or counted"
    );
}

#[test]
fn refuses_new_clients_once_asked_to_stop() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    let mut connected = Client::connect(address);
    expect_echo(
        &mut connected,
        "before the request",
        "the echo to the connected client",
    );
    running.shutdown.request();
    running.expect_refused("while one client was still connected");
    // The connected client is still served after the request...
    expect_echo(
        &mut connected,
        "still here",
        "the echo to the client that was connected before the request",
    );
    // ...and serve_until_shutdown has not returned. The one bounded wait:
    // 100 ms in which it must *not* return, on top of the round trip above,
    // because a client is still connected.
    match running.outcome.recv_timeout(Duration::from_millis(100)) {
        Err(RecvTimeoutError::Timeout) => {}
        Ok(Ok(returned)) => panic!(
            "serve_until_shutdown returned {returned:?} while a client it accepted was still \
             connected: after the accept loop ends, wait for every client's thread (keep the \
             JoinHandles and join() them) before returning"
        ),
        Ok(Err(panic_payload)) => panic::resume_unwind(panic_payload),
        Err(RecvTimeoutError::Disconnected) => panic!("serve_until_shutdown's thread vanished"),
    }
    drop(connected);
    assert_eq!(
        running.served("serve_until_shutdown to return after its last client left"),
        1
    );
}

#[test]
fn a_connected_client_finishes_before_serve_returns() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    let mut connected = Client::connect(address);
    expect_echo(
        &mut connected,
        "before the request",
        "the echo to the connected client",
    );
    running.shutdown.request();
    // The accept loop has ended once new clients are refused.
    running.expect_refused("while one client was still connected");
    // The one bounded wait: 50 ms in which serve_until_shutdown must *not*
    // return, because a client is still connected.
    match running.outcome.recv_timeout(Duration::from_millis(50)) {
        Err(RecvTimeoutError::Timeout) => {}
        Ok(Ok(returned)) => panic!(
            "serve_until_shutdown returned {returned:?} while a client it accepted was still \
             connected: after the accept loop ends, wait for every client's thread (keep the \
             JoinHandles and join() them) before returning"
        ),
        Ok(Err(panic_payload)) => panic::resume_unwind(panic_payload),
        Err(RecvTimeoutError::Disconnected) => panic!("serve_until_shutdown's thread vanished"),
    }
    expect_echo(
        &mut connected,
        "still here",
        "the echo to the client that was connected before the request",
    );
    drop(connected);
    assert_eq!(
        running.served(
            "serve_until_shutdown to return once its last client left (join every client's \
             thread, then return)"
        ),
        1,
        "one client was served"
    );
}
