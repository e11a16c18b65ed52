//! Exercise 7: many clients at once, and the ones that must not get in the
//! way of the others.
//!
//! The server so far serves one connection. A real one accepts in a loop and
//! serves each connection on a thread of its own (lesson 4), so that one
//! slow client never makes the others wait. Then it protects itself:
//!
//! - a **request timeout**: each request must arrive whole within
//!   `request_timeout` of the start of the connection or of the previous
//!   response. That closes idle keep-alive connections, and it cuts off a
//!   *slowloris* client, which keeps a connection busy by sending its head
//!   one byte at a time, each just before a per-read timeout would fire;
//! - a **connection limit**: past `max_connections` open connections, a new
//!   client gets 503 Service Unavailable at once instead of a thread;
//! - the **accept-loop rule** of lesson 2, as every accept loop of the
//!   course follows it.
//!
//! Memory stays bounded too: the head is capped (exercise 2), the body is
//! capped (exercise 3), and a client that does not read its responses
//! blocks its own thread's `write`, which times out, never the others.

use crate::http::{HttpError, Response};
use crate::keep_alive::serve_connection;
use crate::response::write_response;
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// What the server allows each client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many connections may be open at once; the next one gets 503.
    pub max_connections: usize,
    /// How long a client may take to send a whole request, counted from the
    /// start of the connection or the end of the previous response; and how
    /// long a write of a response may wait for the client to read.
    pub request_timeout: Duration,
}

impl Default for Limits {
    /// 256 connections, 10 seconds per request.
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A connection whose reads must finish by a deadline, which moves on each
/// time the server writes (a response went out: the next request may take
/// `timeout` again).
pub struct TimedStream {
    /// The connection itself.
    stream: TcpStream,
    /// How long each request may take.
    timeout: Duration,
    /// When the request being read must be complete.
    deadline: Instant,
}

impl TimedStream {
    /// Wraps `stream`: the first request must be complete within `timeout`
    /// from now, and each write may wait `timeout` for the client to make
    /// room (`SO_SNDTIMEO`). Nagle's algorithm is turned off
    /// (`TCP_NODELAY`, lesson 6).
    ///
    /// # Errors
    ///
    /// Setting the write timeout or `TCP_NODELAY` failed.
    pub fn new(stream: TcpStream, timeout: Duration) -> io::Result<TimedStream> {
        stream.set_write_timeout(Some(timeout))?;
        // With Nagle on, a small write waits while an earlier one is not yet
        // acknowledged, and a client on a kept-alive connection delays its
        // ACK by up to 40 ms: a response written in two pieces (head, then
        // body), or the short tail of a long body, would wait 40 ms each
        // time (lesson 7's benchmark measured 184 requests/s that way).
        stream.set_nodelay(true)?;
        Ok(TimedStream {
            stream,
            timeout,
            deadline: Instant::now() + timeout,
        })
    }
}

impl Read for TimedStream {
    /// Reads from the connection, waiting at most until the deadline.
    ///
    /// Sets the socket's read timeout (`set_read_timeout`, `SO_RCVTIMEO`) to
    /// the time *left* until the deadline before each read. A timeout of the
    /// full `timeout` on every read would restart with each byte, and a
    /// client sending one byte per second would never be cut off.
    ///
    /// # Errors
    ///
    /// `TimedOut` when the deadline has passed before the read starts; the
    /// read's own error otherwise (`WouldBlock` when the read timeout fires).
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        // set_read_timeout(Some(ZERO)) is an error, and would mean "forever"
        // to the kernel: a deadline that has passed is reported here.
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took too long to send its request",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buffer)
    }
}

impl Write for TimedStream {
    /// Writes to the connection (waiting at most `timeout` for room), and
    /// gives the next request a new deadline.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.stream.write(bytes)?;
        self.deadline = Instant::now() + self.timeout;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Counts one open connection for as long as it lives: dropping it (when
/// the connection's thread ends, however it ends) gives the place back.
/// Add one to the count when you make it.
pub struct OpenConnection(pub Arc<AtomicUsize>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves the files under `root` to every client of `listener`, each
/// connection on a thread of its own running exercise 6's
/// `serve_connection` over a [`TimedStream`] with `limits.request_timeout`.
///
/// When `limits.max_connections` connections are already open, a new client
/// gets a 503 response with `Connection: close` from the accept loop itself
/// and is closed; its place is not taken. A connection's place comes back
/// when its thread ends.
///
/// Each request answered is logged to stderr, one line per request with
/// the client's address in front (`RequestLog::print`: `httpd:
/// 127.0.0.1:50070 GET / 200 331 bytes 212.4µs`).
/// Errors of one connection are printed to stderr with the client's
/// address (`httpd: 127.0.0.1:50070: ...`), and never end the server.
///
/// # Errors
///
/// `accept()` failures follow the accept-loop rule of lesson 2
/// (`netlings_cli::accept::accept_failure`): one lost connection is printed
/// and the loop goes on; running out of descriptors or memory is printed,
/// and the loop sleeps `ACCEPT_BACKOFF` before accepting again; a broken
/// listener ends the server with its error.
pub fn serve(listener: TcpListener, root: PathBuf, limits: Limits) -> io::Result<()> {
    let root = Arc::new(root);
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("httpd: a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("httpd: accept failed, retrying soon: {error}");
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                AcceptFailure::ListenerBroken => {
                    eprintln!("httpd: the listener is broken: {error}");
                    return Err(error);
                }
            },
        };
        // Only this loop adds to the count, so checking and then adding
        // cannot race with another accept; threads only take away.
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            turn_away(stream, peer);
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let place = OpenConnection(Arc::clone(&open));
        let root = Arc::clone(&root);
        let spawned = thread::Builder::new()
            .name(format!("httpd {peer}"))
            .spawn(move || {
                // Moved in: dropped when this thread ends, however it ends.
                let _place = place;
                let outcome = TimedStream::new(stream, limits.request_timeout)
                    .and_then(|stream| serve_connection(stream, &root, |entry| entry.print(peer)));
                if let Err(error) = outcome {
                    eprintln!("httpd: {peer}: {error}");
                }
            });
        // No thread: the closure, and with it the place, is dropped here.
        if let Err(error) = spawned {
            eprintln!("httpd: no thread for {peer}: {error}");
        }
    }
}

/// Answers 503 from the accept loop and closes, without a thread.
pub fn turn_away(mut stream: TcpStream, peer: SocketAddr) {
    let mut response =
        Response::refusal(&HttpError::new(503, "too many connections; try again soon"));
    response
        .headers
        .push(("Connection".to_string(), "close".to_string()));
    // A fresh socket's send buffer takes this small response at once, so the
    // accept loop does not wait on the client.
    if let Err(error) = write_response(&mut stream, &response, false) {
        eprintln!("httpd: {peer}: {error}");
    }
    // Half-close, then drop what the client already sent: closing a socket
    // with unread bytes sends a reset, which can destroy the 503 before the
    // client reads it (the "lingering close" of the chapter).
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_nonblocking(true);
    let mut discard = [0; 4096];
    while let Ok(1..) = stream.read(&mut discard) {}
}
