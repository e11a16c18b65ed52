//! Exercise 8: graceful shutdown.
//!
//! Stopping a web server well means, in this order (lesson 4 did it with
//! tokio; here it is with threads and plain sockets):
//!
//! 1. **refuse new connections at once**: the listener stops listening, so
//!    a client is told "refused" instead of waiting in a queue nobody reads;
//! 2. **finish the requests in flight**: a client whose request has started
//!    to arrive gets its answer, and then the connection closes;
//! 3. **close the idle connections now**: a keep-alive connection waiting
//!    for a next request that may never come is closed at once, instead of
//!    holding the shutdown up for a whole request timeout;
//! 4. **return** once every connection's thread has ended.
//!
//! The pieces that need care are given: [`Shutdown`] holds the request to
//! stop, a handle on the listener and one on every connection;
//! [`Connection`] knows whether its connection is idle. You write what
//! happens when the stop is asked for ([`Shutdown::trigger`]), how a
//! connection notices it ([`GracefulStream`]'s `read`), and the accept loop
//! that ends cleanly ([`serve_until`]).
//!
//! One race no server can close: a client that sends a request at the very
//! moment the server closes its idle connection sees the connection end
//! without an answer. HTTP clients know this race from every keep-alive
//! connection a server closes, and retry idempotent requests.

use crate::http::RequestLog;
use crate::keep_alive::serve_connection;
use crate::server::{Limits, OpenConnection, TimedStream, turn_away};
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread;

/// A handle that asks a server running [`serve_until`] to stop. Clones
/// share the one request.
#[derive(Clone)]
pub struct Shutdown {
    shared: Arc<Shared>,
}

struct Shared {
    /// Set once, by `trigger`; never cleared.
    requested: AtomicBool,
    /// A second handle on the server's listening socket, so that `trigger`
    /// can stop it from another thread while `accept()` blocks on it.
    listener: TcpListener,
    /// Every connection registered so far. Weak: a connection that ended is
    /// dropped by its thread, and skipped here.
    connections: Mutex<Vec<Weak<Connection>>>,
}

/// One connection, as the shutdown sees it.
pub struct Connection {
    /// A second handle on the connection's socket, to `shutdown(Read)` it
    /// from the thread that triggers the stop.
    socket: TcpStream,
    /// True while no byte of a next request has been read: after the
    /// connection opened, and after each response.
    idle: Mutex<bool>,
}

impl Connection {
    /// Whether no byte of a next request has been read yet.
    pub fn is_idle(&self) -> bool {
        *self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks the connection idle (a response went out) or busy (bytes of a
    /// request came in).
    pub fn set_idle(&self, idle: bool) {
        *self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = idle;
    }

    /// Ends the connection's reading side: a `read` blocked on it returns 0
    /// (end of stream) at once, and so does every later one once the bytes
    /// already received are read. Writing still works.
    pub fn stop_reading(&self) {
        // NotConnected when the client is gone already: nothing to stop.
        let _ = self.socket.shutdown(std::net::Shutdown::Read);
    }
}

impl Shutdown {
    /// A shutdown handle for a server that will run on `listener`.
    ///
    /// # Errors
    ///
    /// Cloning the listener's handle failed (out of descriptors).
    pub fn new(listener: &TcpListener) -> io::Result<Shutdown> {
        Ok(Shutdown {
            shared: Arc::new(Shared {
                requested: AtomicBool::new(false),
                listener: listener.try_clone()?,
                connections: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Whether the stop has been asked for.
    pub fn is_requested(&self) -> bool {
        self.shared.requested.load(Ordering::SeqCst)
    }

    /// Registers a new connection (idle, until its first bytes come), and
    /// returns it for its [`GracefulStream`].
    ///
    /// # Errors
    ///
    /// Cloning the socket's handle failed (out of descriptors).
    pub fn register(&self, socket: &TcpStream) -> io::Result<Arc<Connection>> {
        let connection = Arc::new(Connection {
            socket: socket.try_clone()?,
            idle: Mutex::new(true),
        });
        let mut connections = self.connections();
        connections.retain(|weak| weak.strong_count() > 0);
        connections.push(Arc::downgrade(&connection));
        Ok(connection)
    }

    /// Every connection still open.
    pub fn open_connections(&self) -> Vec<Arc<Connection>> {
        self.connections()
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Stops the listener's accepting: `shutdown(Read)` on a listening
    /// socket (Linux) makes the `accept()` blocked on it fail at once with
    /// `EINVAL`, and the kernel refuses new connections from then on.
    pub fn stop_listening(&self) {
        let _ = socket2::SockRef::from(&self.shared.listener).shutdown(std::net::Shutdown::Read);
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Connection>>> {
        self.shared
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks the server to stop, and returns at once (without waiting for the
    /// server to finish).
    ///
    /// In this order: record the request (so that everyone who looks from
    /// now on sees it), stop listening ([`Shutdown::stop_listening`]: the
    /// accept loop wakes up, and new clients are refused), then stop the
    /// reading side of every open connection that is idle
    /// ([`Connection::stop_reading`]). A connection that is busy with a
    /// request is left alone: its [`GracefulStream`] ends it after the
    /// answer.
    pub fn trigger(&self) {
        self.shared.requested.store(true, Ordering::SeqCst);
        self.stop_listening();
        for connection in self.open_connections() {
            if connection.is_idle() {
                connection.stop_reading();
            }
        }
    }
}

/// A connection that ends gracefully: it reads as a [`TimedStream`] does,
/// until the stop is asked for while no request is under way.
pub struct GracefulStream {
    /// The connection, with its request deadline.
    pub inner: TimedStream,
    /// Whether it is idle, for `trigger` to see.
    pub connection: Arc<Connection>,
    /// Whether the stop was asked for.
    pub shutdown: Shutdown,
}

impl GracefulStream {
    /// Wraps `inner`, registered as `connection` with `shutdown`.
    pub fn new(inner: TimedStream, connection: Arc<Connection>, shutdown: Shutdown) -> Self {
        GracefulStream {
            inner,
            connection,
            shutdown,
        }
    }
}

impl Read for GracefulStream {
    /// If the stop was asked for and the connection is idle, returns
    /// `Ok(0)`, the end of the stream: `serve_connection` then ends the
    /// connection as if the client had closed it. Otherwise reads from
    /// `inner`, and once bytes came, marks the connection busy.
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        // Checked before the read: `trigger` cannot wake a read that has not
        // started yet, so a read that starts after it must look for itself.
        if self.shutdown.is_requested() && self.connection.is_idle() {
            return Ok(0);
        }
        let read = self.inner.read(buffer)?;
        if read > 0 {
            self.connection.set_idle(false);
        }
        Ok(read)
    }
}

impl Write for GracefulStream {
    /// Writes to `inner`; a response going out makes the connection idle
    /// again (no byte of a next request has been read).
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.connection.set_idle(true);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Serves the files under `root` to every client of `listener`, each on a
/// thread of its own running `serve_connection` over a [`GracefulStream`]
/// (over a [`TimedStream`] with `limits.request_timeout`), until `shutdown`
/// is triggered. It keeps exercise 7's connection limit the same way
/// (`turn_away` past `limits.max_connections`, an `OpenConnection` moved
/// into each thread) and logs one line per request with `RequestLog::print`, as
/// exercise 7's `serve` does.
///
/// Each accepted connection is registered with [`Shutdown::register`]
/// before its thread starts. Once the stop is asked for, the loop ends
/// (accept fails, because `trigger` stopped the listener: that error is the
/// signal, not a failure), the listener is closed, and `serve_until` waits
/// for every connection's thread to end (`JoinHandle::join`) before it
/// returns `Ok(())`.
///
/// # Errors
///
/// Without a stop asked for, `accept()` failures follow the accept-loop rule
/// of lesson 2 (`netlings_cli::accept::accept_failure`), as in exercise 7: a
/// broken listener ends the server with its error.
pub fn serve_until(
    listener: TcpListener,
    root: PathBuf,
    limits: Limits,
    shutdown: Shutdown,
) -> io::Result<()> {
    let root = Arc::new(root);
    let open = Arc::new(AtomicUsize::new(0));
    let mut threads: Vec<thread::JoinHandle<()>> = Vec::new();
    loop {
        let accepted = listener.accept();
        // Looked at before the error: the accept that `trigger` broke fails
        // like a broken listener, and means "stop", not "fail".
        if shutdown.is_requested() {
            break;
        }
        let (stream, peer) = match accepted {
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
        // The connection limit of exercise 7, the same way.
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            turn_away(stream, peer);
            continue;
        }
        let connection = match shutdown.register(&stream) {
            Ok(connection) => connection,
            Err(error) => {
                eprintln!("httpd: {peer}: cannot watch the connection: {error}");
                continue;
            }
        };
        let timed = match TimedStream::new(stream, limits.request_timeout) {
            Ok(timed) => timed,
            Err(error) => {
                eprintln!("httpd: {peer}: {error}");
                continue;
            }
        };
        let stream = GracefulStream::new(timed, connection, shutdown.clone());
        open.fetch_add(1, Ordering::SeqCst);
        let place = OpenConnection(Arc::clone(&open));
        let root = Arc::clone(&root);
        // Threads that ended are joined as we go, so the list stays short.
        threads.retain(|thread| !thread.is_finished());
        let spawned = thread::Builder::new()
            .name(format!("httpd {peer}"))
            .spawn(move || {
                let _place = place;
                let log = |entry: RequestLog| entry.print(peer);
                if let Err(error) = serve_connection(stream, &root, log) {
                    eprintln!("httpd: {peer}: {error}");
                }
            });
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(error) => eprintln!("httpd: no thread for {peer}: {error}"),
        }
    }
    // Step 1 is done (trigger stopped the listener); close it for good.
    drop(listener);
    // Steps 2 and 3 happen in the connections' threads; step 4 waits.
    for thread in threads {
        if thread.join().is_err() {
            eprintln!("httpd: a connection's thread panicked");
        }
    }
    Ok(())
}
