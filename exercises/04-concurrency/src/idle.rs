//! Exercise 4: an idle timeout, so that silent clients do not pile up.
//!
//! A task per client is cheap, but not free, and a client that connects and
//! never says anything keeps its task, its buffers and its socket forever.
//! Real servers close such connections after a while. The clock must restart
//! whenever the client sends something: a client that keeps talking is never
//! "idle", however long it stays.
//!
//! `tokio::time::timeout(limit, future)` runs `future` and gives up after
//! `limit` with `Err(Elapsed)`, dropping (cancelling) the future. Wrapping
//! each *read* in it, rather than the whole conversation, measures the time
//! since the client last sent something.

use std::io;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Echoes the client's lines, newline included, until it closes its side, or
/// until it has sent nothing at all for `idle`; then returns, which closes
/// the connection. A line that is still arriving counts as activity only once
/// it is complete.
///
/// # Errors
///
/// The first failed read or write. Running out of time is not an error: the
/// server chose to hang up.
pub async fn echo_until_idle(stream: TcpStream, idle: Duration) -> io::Result<()> {
    todo!(
        "echo lines in a loop, wrapping each read in tokio::time::timeout(idle, ...) and returning when it runs out or the client closes"
    )
}

/// Accepts clients forever and runs [`echo_until_idle`] for each in a task
/// of its own, with the same `idle` limit for every client.
///
/// # Errors
///
/// Only a failure of the listener ends the server.
pub async fn serve_with_idle_timeout(listener: TcpListener, idle: Duration) -> io::Result<()> {
    todo!("accept clients forever and tokio::spawn echo_until_idle(stream, idle) for each")
}
