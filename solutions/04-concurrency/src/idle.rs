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
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Echoes the client's lines, newline included, until it closes its side, or
/// until it has sent nothing at all for `idle`; then returns, which closes
/// the connection. A line that is still arriving counts as activity only once
/// it is complete.
///
/// # Errors
///
/// The first failed read or write. Running out of time is not an error: the
/// server chose to hang up.
pub async fn echo_until_idle(mut stream: TcpStream, idle: Duration) -> io::Result<()> {
    let (reader, mut writer) = stream.split();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        // A fresh timeout for every line: the clock starts now, at the last
        // activity. If it runs out, timeout() drops the read_until future;
        // the bytes of a half-sent line are lost, which does not matter,
        // because this connection is closed right after.
        let read = match timeout(idle, reader.read_until(b'\n', &mut line)).await {
            Ok(read) => read?,
            Err(_elapsed) => return Ok(()),
        };
        if read == 0 {
            // End-of-file: the client closed its side.
            return Ok(());
        }
        writer.write_all(&line).await?;
    }
}

/// Accepts clients forever and runs [`echo_until_idle`] for each in a task
/// of its own, with the same `idle` limit for every client.
///
/// # Errors
///
/// Only a failure of the listener ends the server.
pub async fn serve_with_idle_timeout(listener: TcpListener, idle: Duration) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(error) => return Err(error),
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
