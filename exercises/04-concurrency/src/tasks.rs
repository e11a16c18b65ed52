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

use std::io;
use tokio::net::{TcpListener, TcpStream};

/// Sends every byte the client sends straight back until the client closes
/// its side; then returns, which closes the connection.
///
/// # Errors
///
/// The first failed read or write, for example `ConnectionReset`.
pub async fn echo(stream: TcpStream) -> io::Result<()> {
    todo!(
        "split the stream into a read half and a write half and tokio::io::copy from one to the other until end-of-file"
    )
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
    todo!(
        "loop over listener.accept().await and tokio::spawn a task per client that runs echo(stream) and prints its error; sort a failed accept with accept_failure, backing off with tokio::time::sleep"
    )
}
