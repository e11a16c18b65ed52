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

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    todo!(
        "accept in a loop (sorting a failed accept with accept_failure, as in exercise 1) and serve each client on its own thread, keeping the JoinHandles; after each accept, break if shutdown.is_requested(); then drop the listener, join every thread, and return how many clients were served or the listener's error"
    )
}
