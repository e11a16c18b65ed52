//! Exercise 1: accept clients, one socket each.
//!
//! A listening socket never carries a byte of data. It waits for handshakes,
//! and every `accept()` hands back a *new* socket for one client:
//!
//! ```text
//!                              listener 127.0.0.1:7878  (LISTEN: it only accepts)
//! client 127.0.0.1:40804 ───▶ accept() → socket 127.0.0.1:7878 ⇄ 127.0.0.1:40804
//! client 127.0.0.1:40810 ───▶ accept() → socket 127.0.0.1:7878 ⇄ 127.0.0.1:40810
//! ```
//!
//! Every connection socket has the listener's address and port as its local
//! address; only the peer tells them apart. `ss -tan` lists the listener
//! once, in state LISTEN, and one ESTAB line per accepted client.
//!
//! `accept-log` is a server built on that: it logs every client it accepts
//! and tells each one how many clients it has accepted so far. Run it with
//! `cargo run -p lesson2 --bin accept-log`, connect a few times with
//! `nc 127.0.0.1 PORT` (the port is on its first line), and watch its log.
//!
//! `serve_accept_log` is the course's first accept loop, so it follows the
//! accept-loop rule of the chapter's section 7 from the start: a failed
//! `accept()` is sorted with `netlings_cli::accept::accept_failure`; an error
//! of one connection is logged and skipped, running out of descriptors is
//! logged and backed off, and only a broken listener ends the loop.
//!
//! Edit `accept_n` and `serve_accept_log`; `Accepted` is given, and
//! `src/bin/accept-log.rs` is the program around `serve_accept_log`.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;

/// One accepted connection, with both ends of its 4-tuple.
#[derive(Debug)]
pub struct Accepted {
    /// The new socket for this one client: reading and writing it talks to
    /// that client only, and dropping it closes that connection, not the
    /// listener.
    pub stream: TcpStream,
    /// This end's address: the listener's IP and port, the same for every
    /// client.
    pub local: SocketAddr,
    /// The client's IP and port, as `accept()` reports them.
    pub peer: SocketAddr,
}

/// Accepts the next `n` clients on `listener`, one after another, and
/// returns them in the order `accept()` handed them out, which is the order
/// in which their handshakes completed.
///
/// For each client: the new connection socket, its local address (ask the
/// new socket, not the listener) and the peer address `accept()` returns.
/// The listener is only borrowed: it keeps listening, and the caller can
/// accept more clients afterwards.
///
/// `n` may be 0: then nothing is accepted and the call returns at once.
///
/// # Errors
///
/// The first failure of `accept()` or `local_addr()` is returned; the
/// connections accepted before it are closed (dropped).
pub fn accept_n(listener: &TcpListener, n: usize) -> io::Result<Vec<Accepted>> {
    let mut accepted = Vec::with_capacity(n);
    // A `for` over 0..n checks the count *before* each accept: with n = 0 it
    // never blocks. A loop that accepts first and counts afterwards would
    // wait for a client nobody asked for.
    for _ in 0..n {
        // accept(2) blocks until the kernel holds a finished handshake in the
        // listener's queue, takes the oldest one off the queue, and returns a
        // new file descriptor for it together with the client's address. The
        // listening socket itself is left exactly as it was.
        let (stream, peer) = listener.accept()?;
        // getsockname(2) on the new socket. The client connected to the
        // listener's port, so that is this socket's local port too: a TCP
        // port is not "used up" by a connection. The kernel tells the
        // connections apart by their whole 4-tuple, and the peer half of it
        // differs from one client to the next.
        let local = stream.local_addr()?;
        accepted.push(Accepted {
            stream,
            local,
            peer,
        });
    }
    Ok(accepted)
}

/// Accepts clients on `listener` forever. For each client, in order:
///
/// 1. counts it: the first client accepted is number 1, the next 2, ...;
/// 2. writes one line to `log`, `client N from PEER`, for example
///    `client 3 from 127.0.0.1:40804`, and flushes `log`;
/// 3. sends the client its number as one line (`3\n`), and closes the
///    connection.
///
/// The listener is bound by the caller, so a test can bind port 0 and the
/// program can bind what `--listen` says; the program passes its stdout as
/// `log`.
///
/// # Errors
///
/// A failed `accept()` follows the accept-loop rule of lesson 2: sort it
/// with [`accept_failure`](netlings_cli::accept::accept_failure) and
///
/// - a failure that belongs to one connection (a client that gave up while
///   it waited in the queue) is printed to stderr, and the loop accepts the
///   next client;
/// - running out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
///   `ENOMEM`) is printed to stderr, error included ("Too many open files"),
///   and the loop sleeps [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF)
///   before it accepts again: the client waits in the queue meanwhile, and is
///   served once a descriptor is free;
/// - a broken listener (closed, shut down) ends `serve_accept_log` with that
///   error: no retry can mend it.
///
/// A failure with one accepted client (it reset the connection before its
/// answer could be sent) is printed to stderr and the next client is served;
/// that client still counts, since it was accepted. A failure to write `log`
/// ends `serve_accept_log` with that error.
pub fn serve_accept_log(listener: TcpListener, mut log: impl Write) -> io::Result<()> {
    // Only this loop touches the count, so a plain integer does: one thread
    // accepts, and each client's number is known the moment it is accepted.
    let mut accepted: u64 = 0;
    loop {
        let (mut stream, peer) = match listener.accept() {
            Ok(connection) => connection,
            // accept(2) failed. What to do depends on *what* failed, and
            // accept_failure sorts the error into one of three answers.
            Err(error) => match accept_failure(&error) {
                // A client gave up while it waited in the queue (or a network
                // error was pending on its connection). That is the client's
                // problem, not the listener's: the next client is fine.
                AcceptFailure::OneConnection => {
                    eprintln!("accept-log: one connection failed before it was accepted: {error}");
                    continue;
                }
                // The process has no descriptor to spare (EMFILE) or the
                // kernel no memory. The client is still in the queue, and the
                // next accept() would fail at once again: without a pause this
                // loop would spin at full CPU and flood the log. Once another
                // connection closes, a descriptor comes back and the waiting
                // client is served.
                AcceptFailure::OutOfResources => {
                    eprintln!(
                        "accept-log: accept failed, trying again in {ACCEPT_BACKOFF:?}: {error}"
                    );
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                // The listener itself is closed or shut down: every later
                // accept() fails the same way, so retrying would spin for
                // ever. The server cannot serve anyone any more; say so.
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        accepted += 1;
        // The log line comes first: whoever reads the log sees every client
        // that was accepted, even one whose answer then fails.
        writeln!(log, "client {accepted} from {peer}")?;
        log.flush()?;
        // One write(2) with the whole line. `stream` is dropped at the end of
        // this iteration: close(2) sends a FIN, and the client reads its line
        // and then end-of-file.
        if let Err(error) = stream.write_all(format!("{accepted}\n").as_bytes()) {
            eprintln!("accept-log: could not answer client {accepted} at {peer}: {error}");
        }
    }
}
