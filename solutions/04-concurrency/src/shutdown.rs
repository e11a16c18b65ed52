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

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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
    let clients = TaskTracker::new();
    loop {
        // select! waits on both futures; whichever is ready first wins and
        // the other is dropped. Both are cancel-safe: a dropped accept()
        // leaves the next client in the kernel's queue, and a dropped
        // cancelled() just stops waiting. Without the second branch, a
        // cancel would go unnoticed until the next client happened to
        // connect.
        tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    // The accept-loop rule of lesson 2, as in exercise 2.
                    Err(error) => match accept_failure(&error) {
                        AcceptFailure::OneConnection => {
                            eprintln!("shutdown: a client was lost before accept: {error}");
                            continue;
                        }
                        AcceptFailure::OutOfResources => {
                            eprintln!("shutdown: accept failed, retrying soon: {error}");
                            tokio::time::sleep(ACCEPT_BACKOFF).await;
                            continue;
                        }
                        AcceptFailure::ListenerBroken => return Err(error),
                    },
                };
                // The tracker counts this task until it ends. The task does
                // not watch the token: a client already accepted gets its
                // answer, cancel or not.
                clients.spawn(async move {
                    if let Err(error) = answer_one_request(stream).await {
                        eprintln!("shutdown: client {peer}: {error}");
                    }
                });
            }
        }
    }
    // Step 1: close the listening socket now. From here on the kernel
    // answers new connects with a reset (the client sees "connection
    // refused"); keeping it open while we wait would queue clients that
    // nobody will ever accept.
    drop(listener);
    // Step 2: no new tasks will come (close), then wait for the running ones.
    // wait() completes only when the tracker is closed *and* empty: without
    // close(), it would wait for ever, even with no client left. A client
    // that never sends its line would hold this up forever too; a real
    // server pairs this with exercise 4's deadline, or bounds the wait
    // (the chapter's section 7).
    clients.close();
    clients.wait().await;
    // Step 3.
    Ok(())
}
