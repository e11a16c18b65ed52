//! Exercise 6: stop accepting on request, and let connected clients finish
//! (`src/shutdown.rs`).

use lesson2::shutdown::{Shutdown, serve_until_shutdown};
use netlings_helpers::STEP;
use netlings_helpers::accept_queue::wait_until_refused;
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client, break_listener};
use netlings_helpers::own_process::in_own_process;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

/// `serve_until_shutdown` running in the background.
struct Running {
    address: SocketAddr,
    shutdown: Shutdown,
    server: Background<io::Result<usize>>,
}

fn start_serving(listener: TcpListener) -> Running {
    let address = listener
        .local_addr()
        .expect("a bound listener has a local address");
    let shutdown = Shutdown::new(&listener).expect("making a Shutdown for the listener");
    let for_server = shutdown.clone();
    let server = run_in_background("serve_until_shutdown()", move || {
        serve_until_shutdown(listener, for_server)
    });
    Running {
        address,
        shutdown,
        server,
    }
}

impl Running {
    /// Waits for `serve_until_shutdown` to return, and returns its count.
    fn served(self, waiting_for: &str) -> usize {
        match self.server.returned(waiting_for) {
            Ok(served) => served,
            Err(error) => panic!(
                "serve_until_shutdown returned Err({error}); after a shutdown request it returns \
                 Ok(number of clients served)"
            ),
        }
    }

    /// The one bounded wait: `window` in which serve_until_shutdown must
    /// *not* return, because a client it accepted is still connected.
    fn expect_still_waiting_for_a_client(&self, window: Duration) {
        thread::sleep(window);
        self.server.expect_running(
            "a client it accepted is still connected: after the accept loop ends, wait for every \
             client's thread (keep the JoinHandles and join() them) before returning",
        );
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

#[netlings_helpers::test]
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

#[netlings_helpers::test]
fn counts_the_clients_it_served() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    for number in 1..=2 {
        let mut client = Client::connect(address);
        client.expect_line_echoed(
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

#[netlings_helpers::test]
fn refuses_new_clients_once_asked_to_stop() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    let mut connected = Client::connect(address);
    connected.expect_line_echoed("before the request", "the echo to the connected client");
    running.shutdown.request();
    running.expect_refused("while one client was still connected");
    // The connected client is still served after the request...
    connected.expect_line_echoed(
        "still here",
        "the echo to the client that was connected before the request",
    );
    // ...and serve_until_shutdown has not returned, on top of the round trip
    // above, because a client is still connected.
    running.expect_still_waiting_for_a_client(Duration::from_millis(100));
    drop(connected);
    assert_eq!(
        running.served("serve_until_shutdown to return after its last client left"),
        1
    );
}

#[netlings_helpers::test]
fn a_connected_client_finishes_before_serve_returns() {
    let (listener, address) = net::loopback_listener();
    let running = start_serving(listener);
    let mut connected = Client::connect(address);
    connected.expect_line_echoed("before the request", "the echo to the connected client");
    running.shutdown.request();
    // The accept loop has ended once new clients are refused.
    running.expect_refused("while one client was still connected");
    running.expect_still_waiting_for_a_client(Duration::from_millis(50));
    connected.expect_line_echoed(
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

#[netlings_helpers::test]
fn a_broken_listener_ends_the_loop_and_the_clients_still_finish() {
    let (listener, address) = net::loopback_listener();
    let handle = listener
        .try_clone()
        .expect("the test could not clone the listener");
    let running = start_serving(listener);
    let mut connected = Client::connect(address);
    connected.expect_line_echoed("before", "the echo to the connected client");

    break_listener(&handle);
    // The loop has ended (accept fails with EINVAL), but a client is still
    // connected: serve_until_shutdown waits for it before it returns.
    running.expect_still_waiting_for_a_client(Duration::from_millis(50));
    connected.expect_line_echoed(
        "still here",
        "the echo to a client accepted before the listener broke: it still finishes",
    );
    drop(connected);
    // accept_failure says ListenerBroken: leave the loop, join the clients,
    // then return the error (nobody asked the server to stop).
    net::expect_ends_with_the_broken_listeners_error(
        &running.server,
        "serve_until_shutdown()",
        "once its listener broke and its last client left",
    );
}

#[netlings_helpers::test]
fn running_out_of_descriptors_is_logged_backed_off_and_survived() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        // The server starts only once the descriptors are gone: a thread
        // blocked in accept(2) has already reserved the descriptor for its
        // next connection, and would get it.
        let mut out = run_out_of_descriptors(1);
        let client = out.connect(address);
        let running = start_serving(listener);
        out.expect_accept_backoff(&running.server, "serve_until_shutdown()");
        out.release();
        let mut client = Client::from_connected(client);
        client.expect_line_echoed(
            "served at last",
            "the echo to the client that waited in the queue while the server had no descriptor \
             for it: once descriptors are free again, the next accept() takes it",
        );
        running.shutdown.request();
        drop(client);
        assert_eq!(
            running.served("serve_until_shutdown to return after the request and its client left"),
            1,
            "one client was served, once descriptors were free again"
        );
    });
}

#[netlings_helpers::test]
fn a_stop_requested_while_out_of_descriptors_is_heeded() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        let mut out = run_out_of_descriptors(1);
        let _waiting = out.connect(address);
        let running = start_serving(listener);
        out.wait_for_stderr(
            "Too many open files",
            "serve_until_shutdown to print the failed accept() to stderr with its error",
        );
        // request() sets the flag, but its wake-up connect fails: the process
        // has no descriptor for a socket. The loop is not blocked in accept()
        // though; it wakes up after every pause, and can look at the flag.
        running.shutdown.request();
        let served = running.served(
            "serve_until_shutdown to stop after shutdown.request(), made while the process had \
             no descriptor left: the wake-up connection cannot be made, so check \
             shutdown.is_requested() after each pause of the back-off too",
        );
        assert_eq!(served, 0, "no client was ever accepted");
    });
}
