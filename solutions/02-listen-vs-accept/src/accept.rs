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
//! Edit `accept_n` and `serve_accept_log`; `Accepted` is given, and
//! `src/bin/accept-log.rs` is the program around `serve_accept_log`.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

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
/// A failure with one client (it reset the connection before its answer
/// could be sent) is printed to stderr and the next client is served; that
/// client still counts, since it was accepted. A failure to write `log` or a
/// failure of the listener itself ends `serve_accept_log` with that error.
pub fn serve_accept_log(listener: TcpListener, mut log: impl Write) -> io::Result<()> {
    // Only this loop touches the count, so a plain integer does: one thread
    // accepts, and each client's number is known the moment it is accepted.
    let mut accepted: u64 = 0;
    loop {
        let (mut stream, peer) = match listener.accept() {
            Ok(connection) => connection,
            // Some systems report here a client that gave up while it waited
            // in the queue. That is the client's problem, not the listener's.
            Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => {
                eprintln!("accept-log: a client left before it was accepted: {error}");
                continue;
            }
            Err(error) => return Err(error),
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
