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

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

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
    // One permit per slot. The Arc lets every task own a handle on it, so a
    // permit can outlive this loop's iteration and travel into the task.
    let slots = Arc::new(Semaphore::new(max_clients));
    loop {
        // Take a slot *before* accepting: while all slots are busy, this
        // waits, and new clients wait in the kernel's accept queue, where
        // they cost the server nothing. (Their connect() has already
        // completed: the kernel did the handshake.) acquire_owned() fails
        // only if the semaphore is closed, which this server never does.
        let permit = Arc::clone(&slots)
            .acquire_owned()
            .await
            .map_err(|closed| io::Error::other(closed.to_string()))?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // The accept-loop rule of lesson 2, as in exercise 2. At each
            // `continue` the permit is dropped, and the next turn takes it
            // again.
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("limit: a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("limit: accept failed, retrying soon: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // Every permit not available is held by a client being served,
        // this one included.
        let serving = max_clients - slots.available_permits();
        tokio::spawn(async move {
            if let Err(error) = greet_and_echo(stream, serving, max_clients).await {
                eprintln!("limit: client {peer}: {error}");
            }
            // Here the permit goes back: the task owns it, and drops it when
            // the client is done, whether it left politely or its connection
            // failed. The waiting acquire_owned() in the loop wakes up.
            drop(permit);
        });
    }
}
