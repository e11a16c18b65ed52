//! Exercise 5: close in order, or abort on purpose.
//!
//! Dropping a `TcpStream` calls `close()`, and what the kernel then sends
//! depends on what is left in the socket:
//!
//! ```text
//! receive queue empty                       FIN: the peer reads EOF; we go through
//!                                           FIN_WAIT1, FIN_WAIT2 and end in TIME_WAIT
//! bytes the program never read              RST: the peer's next read fails with
//!                                           ConnectionReset, and data it had not read yet
//!                                           may be lost
//! SO_LINGER set to 0 seconds                RST, on purpose: an abortive close, no TIME_WAIT
//! ```
//!
//! An orderly close therefore has three steps: say we are done
//! (`shutdown(Write)`, the FIN), read what the peer still sends until its
//! EOF, so that nothing is left unread, and only then close. An abortive
//! close is the way to drop a connection at once (a misbehaving peer, a
//! server at its limit) and leaves no TIME_WAIT behind; its price is that
//! the peer sees an error, not an end.
//!
//! Edit `close_orderly` and `abort`.

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Closes `stream` in order: shuts down the writing side (the peer reads
/// EOF after every byte already written), reads and throws away what the
/// peer still sends until its EOF, then closes the socket. The peer sees a
/// clean end, never a reset.
///
/// Waits at most `within` for the peer's EOF, in all (set the read timeout
/// to the time left before each read).
///
/// # Errors
///
/// `TimedOut` when the peer has not closed its side within `within`; the
/// socket is closed anyway (dropped) before returning. `ConnectionReset`
/// when the peer aborts meanwhile. Any other error of the calls.
pub fn close_orderly(stream: TcpStream, within: Duration) -> io::Result<()> {
    // Step 1, the FIN: everything written so far goes out, then the end of
    // our byte stream. The peer's reads return 0 once they have it all.
    stream.shutdown(Shutdown::Write)?;

    // Step 2, drain: read until the peer's own EOF. Closing while bytes sit
    // unread in our receive queue would make the kernel send an RST instead
    // of our FIN, and the peer could lose data it had not read yet.
    let deadline = Instant::now() + within;
    let mut reader = &stream;
    let mut discarded = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the peer did not close its side within {within:?}"),
            ));
        }
        stream.set_read_timeout(Some(left))?;
        match reader.read(&mut discarded) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(error) => return Err(error),
        }
    }

    // Step 3: both directions are finished; dropping the stream closes the
    // descriptor. We sent our FIN first, so our end waits in TIME_WAIT.
    drop(stream);
    Ok(())
}

/// Aborts the connection: the kernel sends an RST at once, throws away any
/// data not yet sent, and keeps no TIME_WAIT. The peer's next read or
/// write fails with `ConnectionReset`.
///
/// The way to do it: set `SO_LINGER` to on, with a time of zero
/// (socket2's `SockRef::from(&stream).set_linger(Some(Duration::ZERO))`),
/// then close the socket.
///
/// # Errors
///
/// The error of setting the option.
pub fn abort(stream: TcpStream) -> io::Result<()> {
    // SO_LINGER { on, 0 s }: close() must not linger to deliver unsent data
    // and must not go through FIN at all; it resets the connection.
    socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
    // close(2) with that option sends the RST.
    drop(stream);
    Ok(())
}
