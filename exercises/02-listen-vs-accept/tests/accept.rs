//! Exercise 1: accept clients, one socket each (`src/accept.rs`).

use lesson2::accept::{Accepted, accept_n, serve_accept_log};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client, break_listener};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{Program, STEP, likely_cause, printable, within};
use std::collections::HashSet;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

/// Runs `accept_n(&listener, n)` with a deadline, and hands the listener
/// back so that the test can go on using it.
fn accepting(listener: TcpListener, n: usize, waiting_for: &str) -> (TcpListener, Vec<Accepted>) {
    let (listener, outcome) = within(STEP, waiting_for, move || {
        let outcome = accept_n(&listener, n);
        (listener, outcome)
    });
    let accepted = outcome.unwrap_or_else(|error| {
        panic!(
            "accept_n(listener, {n}) failed: {error}. Likely cause: {}",
            likely_cause(&error)
        )
    });
    assert_eq!(
        accepted.len(),
        n,
        "accept_n(listener, {n}) returned {} connections; expected one per client, {n} in all",
        accepted.len()
    );
    (listener, accepted)
}

/// Connects `count` clients, one after another, while nobody accepts: the
/// kernel completes each handshake and queues the connection.
fn connect_clients(address: SocketAddr, count: usize) -> Vec<Client> {
    (0..count).map(|_| Client::connect(address)).collect()
}

#[netlings_helpers::test]
fn accepts_one_client_and_reports_both_ends() {
    let (listener, address) = net::loopback_listener();
    let client = Client::connect(address);
    let (_listener, accepted) = accepting(
        listener,
        1,
        "accept_n(listener, 1) to accept the one client that connected",
    );
    let own = client.local_addr();
    assert_eq!(
        accepted[0].peer, own,
        "the client connected from {own}, so that is the peer of the accepted socket; accept_n \
         reported {}. The peer is the address accept() returns next to the stream (the \
         stream's local_addr() is the server's own end)",
        accepted[0].peer
    );
    assert_eq!(
        accepted[0].local, address,
        "the client connected to the listener at {address}, so that is the accepted socket's \
         local address too; accept_n reported {}. Ask the accepted stream: local_addr()",
        accepted[0].local
    );
}

#[netlings_helpers::test]
fn reports_clients_in_order_each_with_the_listeners_port_and_its_own_peer() {
    let (listener, address) = net::loopback_listener();
    let clients = connect_clients(address, 4);
    let (_listener, accepted) = accepting(
        listener,
        4,
        "accept_n(listener, 4) to accept the four clients waiting in the queue",
    );
    let expected: Vec<SocketAddr> = clients.iter().map(Client::local_addr).collect();
    let reported: Vec<SocketAddr> = accepted.iter().map(|accepted| accepted.peer).collect();
    assert_eq!(
        reported, expected,
        "four clients connected one after another, from {expected:?}; the kernel queues \
         finished handshakes in that order and accept() takes the oldest first, so accept_n \
         must report the peers in that order (push each one as it is accepted)"
    );
    for (index, connection) in accepted.iter().enumerate() {
        assert_eq!(
            connection.local,
            address,
            "connection {} was accepted from the listener on {address}, so its local address is \
             {address} as well (one port serves every client); accept_n reported {}",
            index + 1,
            connection.local
        );
    }
    let peers: HashSet<SocketAddr> = reported.iter().copied().collect();
    assert_eq!(
        peers.len(),
        4,
        "four clients connected from four different ports, so the four connections have four \
         different peers; accept_n reported {reported:?}. The kernel tells connections apart by \
         the whole 4-tuple, and only the peer half differs here"
    );
}

#[netlings_helpers::test]
fn each_accepted_socket_talks_to_its_own_client() {
    let (listener, address) = net::loopback_listener();
    let mut clients = connect_clients(address, 3);
    let (listener, accepted) = accepting(
        listener,
        3,
        "accept_n(listener, 3) to accept the three clients waiting in the queue",
    );
    for mut connection in accepted {
        let line = format!("you are {}\n", connection.peer);
        connection
            .stream
            .write_all(line.as_bytes())
            .unwrap_or_else(|error| {
                panic!(
                    "writing to the socket accepted from {} failed: {error}. Likely cause: {}",
                    connection.peer,
                    likely_cause(&error)
                )
            });
        // Dropping the stream closes this one connection, not the listener.
    }
    for client in &mut clients {
        let own = client.local_addr();
        let line = client.read_line("the line written to this client's accepted socket");
        assert_eq!(
            line,
            format!("you are {own}"),
            "the test wrote to each accepted socket a line naming its peer; the client at {own} \
             must receive the line written to its own socket: each accept() returns a socket \
             for one client"
        );
    }
    // The listener is untouched: it still accepts new clients.
    let late = Client::connect(address);
    let (_, peer) = net::accept(&listener, "a fourth client, after accept_n returned");
    assert_eq!(peer, late.local_addr());
}

#[netlings_helpers::test]
fn accept_n_of_zero_returns_at_once_and_a_broken_listener_fails() {
    let (listener, _address) = net::loopback_listener();
    let (listener, accepted) = accepting(
        listener,
        0,
        "accept_n(listener, 0) to return at once: no client is asked for, so accept() must not \
         be called at all (check the count before each accept, as a `for _ in 0..n` loop does)",
    );
    assert!(accepted.is_empty());

    // A listener that is shut down fails every accept() from now on.
    break_listener(&listener);
    let outcome = within(
        STEP,
        "accept_n(broken listener, 2) to return the first failure of accept(): every later \
         accept() fails the same way, so a loop that skips failures never ends",
        move || accept_n(&listener, 2).map(|accepted| accepted.len()),
    );
    assert!(
        outcome.is_err(),
        "accept_n(broken listener, 2) returned Ok({:?}), but every accept() on that listener \
         failed (EINVAL): return the first failure, with `?`",
        outcome.ok()
    );
}

/// A log that the test can read while `serve_accept_log` writes to it on
/// another thread. Like a file or a pipe behind a buffer, it shows the test
/// only what was flushed.
#[derive(Clone, Default)]
struct SharedLog {
    written: Vec<u8>,
    flushed: Arc<Mutex<Vec<u8>>>,
}

impl Write for SharedLog {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushed.lock().unwrap().append(&mut self.written);
        Ok(())
    }
}

impl SharedLog {
    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.flushed.lock().unwrap())
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// Starts `serve_accept_log(listener, log)` in the background, and returns
/// the log the test reads.
fn start_serving(listener: TcpListener) -> (Background<io::Result<()>>, SharedLog) {
    let log = SharedLog::default();
    let server_log = log.clone();
    let server = run_in_background("serve_accept_log()", move || {
        serve_accept_log(listener, server_log)
    });
    (server, log)
}

#[netlings_helpers::test]
fn serve_accept_log_numbers_and_logs_each_client() {
    let (listener, address) = net::loopback_listener();
    let (_server, log) = start_serving(listener);

    let mut expected_log = Vec::new();
    for number in 1..=3 {
        let mut client = Client::connect(address);
        let answer = client.read_line(&format!(
            "the answer to client {number}: the number of clients accepted so far \
             (serve_accept_log must loop: accept, log, answer, repeat)"
        ));
        assert_eq!(
            answer,
            number.to_string(),
            "client {number} was the {number}. client accepted, so its answer is {number}: \
             count every accepted client, starting from 1"
        );
        let rest = client.read_to_end("serve_accept_log to close the connection after the answer");
        assert!(
            rest.is_empty(),
            "after the answer the server sent {}; expected it to close the connection",
            printable(&rest)
        );
        expected_log.push(format!("client {number} from {}", client.local_addr()));
    }
    assert_eq!(
        log.lines(),
        expected_log,
        "serve_accept_log writes one line per accepted client to its log, `client N from PEER`, \
         and flushes it, before it answers; PEER is the client's address as accept() returns it. \
         (The test's log shows only what was flushed: is log.flush() called?)"
    );

    // A log that cannot be written (stdout piped into a program that quit)
    // is the server's own failure, not one client's: it ends the loop.
    let (listener, address) = net::loopback_listener();
    let server = run_in_background("serve_accept_log() with a broken log", move || {
        serve_accept_log(listener, BrokenLog)
    });
    let _client = Client::connect(address);
    let returned = server.returned(
        "serve_accept_log() to return once writing its log failed (the log's reader is gone: a \
         failure to write the log ends serve_accept_log with that error, it is not one client's \
         problem)",
    );
    match returned {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::BrokenPipe,
            "serve_accept_log returned {error}; writing the log failed with BrokenPipe, and that \
             is the error to return (`writeln!(log, ...)?`)"
        ),
        Ok(()) => panic!(
            "serve_accept_log returned Ok(()) after writing its log failed: return that error"
        ),
    }
}

/// A log whose reader has gone away: every write fails with `BrokenPipe`.
struct BrokenLog;

impl Write for BrokenLog {
    fn write(&mut self, _bytes: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "the test's log: nobody reads it any more",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "the test's log: nobody reads it any more",
        ))
    }
}

#[netlings_helpers::test]
fn a_failed_client_never_ends_the_server_but_a_broken_listener_does() {
    let (listener, address) = net::loopback_listener();
    let handle = listener
        .try_clone()
        .expect("the test could not clone the listener");
    // Before the server runs, a client connects and aborts (RST) while it
    // waits in the queue. Linux still hands it to accept(), and the answer to
    // it fails: ConnectionReset.
    let gone = Client::connect(address);
    let gone_peer = gone.local_addr();
    gone.reset();
    let (server, log) = start_serving(listener);

    let mut next = Client::connect(address);
    let answer = next.read_line(
        "the answer to the client after one that reset its connection (a failed answer is \
         printed to stderr, and the loop goes on to the next client)",
    );
    assert_eq!(
        answer, "2",
        "the client before this one was accepted too, though it reset its connection before its \
         answer: it counts. This client is the 2nd accepted"
    );
    let _ = next.read_to_end("serve_accept_log to close the connection after the answer");
    assert_eq!(
        log.lines(),
        vec![
            format!("client 1 from {gone_peer}"),
            format!("client 2 from {}", next.local_addr())
        ],
        "both clients were accepted, so both are logged, in order"
    );
    server.expect_running("a client that resets its connection is that client's problem");

    net::expect_broken_listener_ends(&handle, &server, "serve_accept_log()");
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
        let (server, _log) = start_serving(listener);
        out.expect_accept_backoff(&server, "serve_accept_log()");
        out.release();
        let mut client = Client::from_connected(client);
        let answer = client.read_line(
            "the answer to the client that waited in the queue while the server had no \
             descriptor for it: once descriptors are free again, the next accept() takes it",
        );
        assert_eq!(answer, "1", "it is the first client accepted");
    });
}

#[netlings_helpers::test]
fn the_accept_log_program_answers_with_the_count() {
    let program = Program::start(
        env!("CARGO_BIN_EXE_accept-log"),
        &["--listen", "127.0.0.1:0"],
    );
    for number in 1..=2 {
        let mut client = Client::connect(program.address());
        let answer = client.read_line(&format!("accept-log's answer to client {number}"));
        assert_eq!(
            answer,
            number.to_string(),
            "accept-log answers each client with the number of clients accepted so far"
        );
    }
}
