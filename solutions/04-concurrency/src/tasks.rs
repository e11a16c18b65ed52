//! Exercise 2: the same echo server on tokio, a task per client.
//!
//! A tokio task is a future that the runtime polls: when it waits for a
//! socket, it returns `Pending`, and the runtime's thread goes on with other
//! tasks. The runtime asks the kernel (epoll on Linux) which sockets are
//! ready, and polls the tasks waiting on them. So a few threads serve
//! thousands of connections, and an idle client costs a few KiB, not a
//! thread.
//!
//! The rule that comes with it: a task must never *block*. A std socket read,
//! `std::thread::sleep` or a long computation inside a task keeps the
//! runtime's thread busy, and every other task on that thread waits. Use the
//! tokio version of each call, and `.await` it.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use tokio::net::{TcpListener, TcpStream};

/// Sends every byte the client sends straight back until the client closes
/// its side; then returns, which closes the connection.
///
/// # Errors
///
/// The first failed read or write, for example `ConnectionReset`.
pub async fn echo(mut stream: TcpStream) -> io::Result<()> {
    // split() borrows the stream as a read half and a write half, so that
    // tokio::io::copy can read from one and write to the other. Each read
    // that finds no data makes this task return Pending until epoll says the
    // socket is readable again; meanwhile the thread serves other tasks.
    let (mut reader, mut writer) = stream.split();
    tokio::io::copy(&mut reader, &mut writer).await?;
    // copy() returned because a read gave 0 bytes: the client's FIN. The
    // stream is dropped here and the client sees our FIN.
    Ok(())
}

/// Accepts clients on `listener` forever and runs [`echo`] for each in a
/// task of its own (`tokio::spawn`), so that the loop is back in `accept()`
/// at once and an idle client never keeps another one waiting.
///
/// # Errors
///
/// A client's failure is printed to stderr by its task and never stops the
/// server. A failed `accept()` follows the accept-loop rule of lesson 2, as in
/// exercise 1: a failure of one connection is printed and the loop goes on;
/// running out of descriptors or memory is printed, error included, and the
/// loop waits [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) with
/// `tokio::time::sleep` (never `std::thread::sleep`, which would stop every
/// client's task too) before it accepts again; only a broken listener ends
/// `serve`, with that error.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // The accept-loop rule of lesson 2, as in exercise 1.
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("serve: a client was lost before accept: {error}");
                    continue;
                }
                // tokio's sleep parks this task and gives the thread back to
                // the runtime, so the clients already connected are served
                // meanwhile. std::thread::sleep would stop all of them.
                AcceptFailure::OutOfResources => {
                    eprintln!("serve: accept failed, retrying soon: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // spawn() hands the future to the runtime and returns at once; the
        // task runs concurrently with this loop. Awaiting `echo(stream)` here
        // instead would serve one client at a time. The JoinHandle is
        // dropped: the task is detached and ends when its client leaves.
        tokio::spawn(async move {
            if let Err(error) = echo(stream).await {
                eprintln!("serve: client {peer}: {error}");
            }
        });
    }
}
