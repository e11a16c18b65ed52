//! Exercise 5: a connection limit, so that a crowd cannot take the server
//! down.
//!
//! Every connection costs memory and a file descriptor, and a process has a
//! limited number of those. A server that accepts everybody runs out at the
//! worst moment; a server with a limit serves some clients well and makes the
//! others wait.
//!
//! A `tokio::sync::Semaphore` holds the free slots, as permits.
//! `acquire_owned()` waits until a permit is free and takes it; the
//! `OwnedSemaphorePermit` it returns gives the slot back when it is dropped.
//! Move the permit into the client's task, and the slot comes back exactly
//! when that task ends, however it ends.
//!
//! The protocol: once admitted, a client gets `serving N of MAX`, where `N`
//! is how many clients are being served now, itself included; then every
//! line it sends comes back.

use std::io;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Greets an admitted client with `serving {serving} of {max_clients}`, then
/// echoes its lines, newline included, until it closes its side.
///
/// # Errors
///
/// The first failed read or write.
pub async fn greet_and_echo(
    mut stream: TcpStream,
    serving: usize,
    max_clients: usize,
) -> io::Result<()> {
    let (reader, mut writer) = stream.split();
    writer
        .write_all(format!("serving {serving} of {max_clients}\n").as_bytes())
        .await?;
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        writer.write_all(&line).await?;
    }
}

/// Accepts clients forever, but never serves more than `max_clients` at
/// once: when they are all taken, it waits for a client to leave *before* it
/// accepts the next one, so that the clients past the limit wait in the
/// kernel's accept queue, where they cost the server nothing. Each admitted
/// client runs [`greet_and_echo`] in a task of its own, which holds the
/// client's slot until it ends, however it ends.
///
/// # Errors
///
/// A failed `accept()` follows the accept-loop rule of lesson 2, as in
/// exercise 2: a failure of one connection is printed and the loop goes on;
/// running out of descriptors or memory is printed and the loop waits
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) (with
/// `tokio::time::sleep`) before it accepts again; only a broken listener ends
/// the server, with that error.
pub async fn serve_limited(listener: TcpListener, max_clients: usize) -> io::Result<()> {
    todo!(
        "make an Arc<Semaphore> with max_clients permits; in the loop acquire_owned a permit, then accept (sorting a failed accept with accept_failure), compute how many are served, and move the permit into the client's task"
    )
}
