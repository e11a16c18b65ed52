//! Exercise 6: stop accepting on request, and let connected clients finish.
//!
//! A server that is told to stop has two kinds of clients: those it has
//! already accepted, in the middle of their exchange, and those that have
//! not arrived yet. A clean stop treats them differently:
//!
//! ```text
//! 1. stop accepting        close the listener: new clients are refused (RST),
//!                          and nobody is left waiting in a queue nobody reads
//! 2. let the rest finish   wait for every connection already accepted to end
//! 3. return
//! ```
//!
//! A thread blocked in `accept()` does not look at anything else until a
//! client arrives. So a stop request sets a flag *and* wakes the accept loop
//! up, by connecting to the listener itself: `accept()` returns that
//! connection, the loop checks the flag, sees the request, and stops.
//! [`Shutdown`] does both. (Another way is a non-blocking listener that the
//! loop polls; the wake-up connection works with either.)
//!
//! Edit `serve_until_shutdown`; `Shutdown` is given, and each client is
//! served with exercise 5's [`echo_lines`](crate::threaded::echo_lines).

use crate::threaded::echo_lines;
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// A request to stop one accept loop, which any thread can make. Clones
/// share the request.
#[derive(Debug, Clone)]
pub struct Shutdown {
    /// Set once by [`Shutdown::request`]; the accept loop reads it after
    /// every `accept()`.
    requested: Arc<AtomicBool>,
    /// Where `request` connects to wake up an `accept()` that is blocked
    /// waiting for a client: the listener's own address.
    wake_address: SocketAddr,
}

impl Shutdown {
    /// A shutdown for the accept loop that will run on `listener`.
    ///
    /// # Errors
    ///
    /// The listener's address cannot be read.
    pub fn new(listener: &TcpListener) -> io::Result<Shutdown> {
        let mut wake_address = listener.local_addr()?;
        // A listener on 0.0.0.0 or [::] is reached through loopback.
        if wake_address.ip().is_unspecified() {
            wake_address.set_ip(match wake_address.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        Ok(Shutdown {
            requested: Arc::new(AtomicBool::new(false)),
            wake_address,
        })
    }

    /// Asks the accept loop to stop, and returns at once; the loop stops
    /// when it next checks [`Shutdown::is_requested`].
    ///
    /// Sets the flag, then connects to the listener once and closes that
    /// connection, so that an accept loop blocked in `accept()` wakes up and
    /// checks the flag. If the listener is already closed, the connect is
    /// refused, and that is fine: there is nobody left to wake.
    pub fn request(&self) {
        // The flag first: whoever accepts the wake-up connection must find it set.
        self.requested.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.wake_address, Duration::from_secs(1));
    }

    /// Whether a stop has been requested.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// Accepts clients on `listener` and serves each with
/// [`echo_lines`](crate::threaded::echo_lines) on a thread of its own, as in
/// exercise 5, until `shutdown` is requested. Then, in this order:
///
/// 1. it stops accepting and closes the listener at once: from then on, new
///    clients are refused;
/// 2. it waits until every client it accepted has finished (closed its
///    connection), however long that takes, without cutting any of them off;
/// 3. it returns the number of clients it served.
///
/// Check the request after every `accept()`: the connection that arrives
/// after a request is [`Shutdown::request`]'s wake-up call (or a client too
/// late to be served), so it is closed, not served, and not counted.
///
/// # Errors
///
/// A failure with one client is printed to stderr and does not stop the
/// server. A failed `accept()` follows the accept-loop rule of lesson 2, as
/// in exercises 1 and 5: a failure of one connection is printed and the loop
/// goes on; running out of descriptors or memory is printed, error included,
/// and the loop sleeps
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) before it accepts
/// again (or stops, if a shutdown was requested meanwhile). A broken
/// listener ends the accept loop: the listener is closed, the clients
/// already accepted still finish, and then that error is returned.
pub fn serve_until_shutdown(listener: TcpListener, shutdown: Shutdown) -> io::Result<usize> {
    // One handle per client thread still running. Joining them is the only
    // way to know that a client has finished.
    let mut clients: Vec<thread::JoinHandle<()>> = Vec::new();
    let mut served = 0;
    let accepting: io::Result<()> = loop {
        let (stream, peer) = match listener.accept() {
            Ok(connection) => connection,
            // The accept-loop rule of exercise 1, with one difference: a
            // broken listener does not return at once but leaves the loop,
            // so that the clients already accepted still finish.
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!(
                        "serve_until_shutdown: one connection failed before it was accepted: {error}"
                    );
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!(
                        "serve_until_shutdown: accept failed, trying again in {ACCEPT_BACKOFF:?}: {error}"
                    );
                    thread::sleep(ACCEPT_BACKOFF);
                    // The wake-up connection of a stop request may be stuck
                    // in the queue behind the same shortage: look at the flag
                    // here too, or a server out of descriptors could never stop.
                    if shutdown.is_requested() {
                        break Ok(());
                    }
                    continue;
                }
                AcceptFailure::ListenerBroken => break Err(error),
            },
        };
        // accept(2) returned, so whatever the loop was waiting for has
        // happened. If a stop was requested meanwhile, this connection is
        // the wake-up call: leaving the loop drops it, which closes it.
        if shutdown.is_requested() {
            break Ok(());
        }
        let spawned = thread::Builder::new()
            .name(format!("client {peer}"))
            .spawn(move || {
                if let Err(error) = echo_lines(stream) {
                    eprintln!("serve_until_shutdown: client {peer}: {error}");
                }
            });
        match spawned {
            Ok(client) => {
                served += 1;
                clients.push(client);
            }
            Err(error) => eprintln!("serve_until_shutdown: no thread for client {peer}: {error}"),
        }
        // A long-running server would pile up one handle per client ever
        // served; forget the ones whose thread has already ended.
        clients.retain(|client| !client.is_finished());
    };

    // 1. Stop accepting: close(2) on the listening socket. From now on the
    // kernel answers a SYN to this port with RST, so a new client is refused
    // at once, instead of completing its handshake into a queue that nobody
    // will ever accept from. Connections still in the queue are reset.
    drop(listener);

    // 2. Let the connected clients finish. Their threads own their sockets;
    // each ends when its client closes. join() waits for that, and reports
    // a thread that panicked.
    for client in clients {
        if client.join().is_err() {
            eprintln!("serve_until_shutdown: a client's thread panicked");
        }
    }

    // 3. Only now is the server really stopped.
    accepting.map(|()| served)
}
