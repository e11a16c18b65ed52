//! Exercise 4: a deadline for each line, so that silent and trickling
//! clients do not pile up.
//!
//! A task per client is cheap, but not free, and a client that connects and
//! never finishes a request keeps its task, its buffers and its socket for as
//! long as it likes. Real servers hang up on such clients. Where the deadline
//! goes decides which ones it catches (section 5 of the chapter):
//!
//! - a deadline on each `read` ("no byte for `idle`") catches a silent
//!   client, but not one that sends a byte now and then and never finishes a
//!   line: every byte restarts the clock. That trick is called slowloris;
//! - a deadline on the whole conversation cuts off a client that keeps
//!   talking, however well it behaves;
//! - a deadline on each whole line catches both the silent and the trickling
//!   client, and never a client that sends a line in time. This exercise
//!   uses that one.
//!
//! `tokio::time::timeout(limit, future)` runs `future` and gives up after
//! `limit` with `Err(Elapsed)`, dropping (cancelling) the future. Wrap the
//! read of one *whole line* in it, a call that may read many times, and the
//! clock restarts only when a line is complete.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::time::timeout;

/// Echoes the client's lines back, byte for byte and newline included, until
/// the client closes its side, or until a line has not arrived *whole* within
/// `idle`; then returns, which closes the connection.
///
/// The deadline is for each whole line: it starts when the server is ready
/// for the next line (at the start, and after each echo), and the line must
/// be complete, `\n` included, before it runs out. A client that sends a line
/// at least every `idle` is served as long as it likes; a client that sends
/// nothing, or a byte now and then without finishing a line, is cut off
/// after `idle`. A line is bytes, not text: it need not be UTF-8, and a `\r`
/// before the `\n` is echoed too. A last line without a newline, cut short by
/// the client closing, is echoed as it is.
///
/// `stream` is any byte stream: a `TcpStream` in the server, an in-memory
/// `tokio::io::duplex` in the tests, which run it on tokio's paused clock.
///
/// # Errors
///
/// The first failed read or write. Running out of time is not an error: the
/// server chose to hang up, and returns `Ok(())`.
pub async fn echo_until_idle<S>(stream: S, idle: Duration) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // Two halves, so that the reading side can be buffered (read_until
    // needs a BufReader) while the echo goes straight to the writing side.
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        // One deadline for one whole line. read_until() calls read() as many
        // times as it takes to see a newline, and timeout() bounds all of
        // them together: a byte that trickles in does not restart the clock,
        // only a finished line does (the next turn of the loop starts a new
        // timeout). If it runs out, timeout() drops the read_until future;
        // the bytes of the unfinished line are lost, which does not matter,
        // because this connection is closed right after.
        let read = match timeout(idle, reader.read_until(b'\n', &mut line)).await {
            Ok(read) => read?,
            Err(_elapsed) => return Ok(()),
        };
        if read == 0 {
            // End-of-file: the client closed its side.
            return Ok(());
        }
        // The line as it came, bytes and newline: no String in between, so
        // nothing is changed or refused.
        writer.write_all(&line).await?;
    }
}

/// Accepts clients forever and runs [`echo_until_idle`] for each in a task
/// of its own, with the same `idle` limit for every client.
///
/// # Errors
///
/// A failed `accept()` follows the accept-loop rule of lesson 2, as in
/// exercise 2: a failure of one connection is printed and the loop goes on;
/// running out of descriptors or memory is printed and the loop waits
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) (with
/// `tokio::time::sleep`) before it accepts again; only a broken listener ends
/// the server, with that error.
pub async fn serve_with_idle_timeout(listener: TcpListener, idle: Duration) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // The accept-loop rule of lesson 2, as in exercise 2.
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("idle: a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("idle: accept failed, retrying soon: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        tokio::spawn(async move {
            // Returning drops the stream: close(2) sends the FIN, and an
            // idle client's next read returns 0 bytes.
            if let Err(error) = echo_until_idle(stream, idle).await {
                eprintln!("idle: client {peer}: {error}");
            }
        });
    }
}
