//! Exercise 6: graceful shutdown with a cancellation token.
//!
//! Stopping a server well takes three steps, in this order:
//!
//! 1. stop accepting at once: close the listener, so that new clients are
//!    refused instead of queued and forgotten;
//! 2. let every client already accepted finish what it is doing;
//! 3. return, so that the program can exit.
//!
//! `tokio_util::sync::CancellationToken` is the signal: whoever wants the
//! server to stop calls `cancel()`, and `cancelled().await` wakes every task
//! that waits on it (it works like Go's `ctx.Done()`). The accept loop waits
//! on `accept()` and `cancelled()` together, with `tokio::select!`.
//!
//! `tokio_util::task::TaskTracker` counts the client tasks: `spawn` them on
//! it, then `close()` it (no more tasks will come) and `wait()` until every
//! one has ended.
//!
//! The protocol: a client gets `ready` once it is accepted, sends one line
//! (its request), gets `done: LINE`, and the server closes the connection.

use std::io;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Serves one client: sends `ready`, reads one line, answers `done: LINE`.
/// A client that closes before sending a whole line gets no answer.
///
/// # Errors
///
/// The first failed read or write.
pub async fn answer_one_request(mut stream: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = stream.split();
    writer.write_all(b"ready\n").await?;
    let mut request = String::new();
    BufReader::new(reader).read_line(&mut request).await?;
    if let Some(request) = request.strip_suffix('\n') {
        writer
            .write_all(format!("done: {request}\n").as_bytes())
            .await?;
    }
    Ok(())
}

/// Accepts clients and runs [`answer_one_request`] for each in a task of its
/// own, until `shutdown` is cancelled. Then it stops accepting at once
/// (closing the listener, so that new clients are refused), waits for every
/// client it has accepted to get its answer, and returns.
///
/// # Errors
///
/// A failed `accept()` follows the accept-loop rule of lesson 2, as in
/// exercise 2: a failure of one connection is printed and the loop goes on;
/// running out of descriptors or memory is printed and the loop waits
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) (with
/// `tokio::time::sleep`) before it accepts again; only a broken listener ends
/// the server early, with that error.
pub async fn serve_until_cancelled(
    listener: TcpListener,
    shutdown: CancellationToken,
) -> io::Result<()> {
    todo!(
        "select! between shutdown.cancelled() and listener.accept() (sorting a failed accept with accept_failure); spawn clients on a TaskTracker; after the loop drop the listener, close the tracker and wait for it"
    )
}
