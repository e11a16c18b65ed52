//! Exercise 3: a chat server, where every line goes to everybody else.
//!
//! Each client gets a task, as in exercise 2, but now the tasks must talk to
//! each other: a line read by one client's task has to be written by every
//! other client's task. A `tokio::sync::broadcast` channel does exactly that.
//! Every task holds a `Sender` and its own `Receiver` (from `subscribe()`);
//! every message sent is delivered to every receiver.
//!
//! ```text
//!   client A ──line──▶ task A ──send──▶ ┌───────────┐ ──▶ task B ──write──▶ client B
//!                                       │ broadcast │ ──▶ task C ──write──▶ client C
//!                                       └───────────┘ ──▶ task A (skips its own line)
//! ```
//!
//! Each task therefore waits for two things at once: a line from its client,
//! and a message from the channel. That is what `tokio::select!` is for.
//!
//! The protocol, one line each way:
//!
//! - on joining, a client gets `welcome`;
//! - a line `TEXT` from client `ADDR` reaches every *other* client as
//!   `ADDR: TEXT`;
//! - when a client leaves (it closes, or its connection fails), every other
//!   client gets `ADDR left`.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::{self, error::RecvError};

/// How many messages the channel keeps for a receiver that falls behind.
/// A client that reads slower than the others talk loses the oldest ones
/// (and is told so), instead of making everyone wait for it.
pub const BACKLOG: usize = 256;

/// One message on the chat's broadcast channel.
#[derive(Clone, Debug)]
pub struct Message {
    /// The client the message is about: its sender, or the client that left.
    /// Each task compares it with its own client's address to skip its own
    /// messages.
    pub from: SocketAddr,
    /// The line to deliver, without its newline: `ADDR: TEXT` or `ADDR left`.
    pub line: String,
}

/// Accepts clients forever and runs [`chat_client`] for each in a task of
/// its own, all sharing one broadcast channel of capacity [`BACKLOG`].
///
/// # Errors
///
/// A client's failure is printed to stderr and affects nobody else. A failed
/// `accept()` follows the accept-loop rule of lesson 2, as in exercise 2: a
/// failure of one connection is printed and the loop goes on; running out of
/// descriptors or memory is printed and the loop waits
/// [`ACCEPT_BACKOFF`](netlings_cli::accept::ACCEPT_BACKOFF) (with
/// `tokio::time::sleep`) before it accepts again; only a broken listener ends
/// the server, with that error.
pub async fn serve_chat(listener: TcpListener) -> io::Result<()> {
    // The server keeps one Sender for itself, so the channel is never closed
    // while the server runs, even when nobody is connected. Its first
    // Receiver is dropped: every client subscribes on its own.
    let (messages, _) = broadcast::channel(BACKLOG);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // The accept-loop rule of lesson 2, as in exercise 2.
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("chat: a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("chat: accept failed, retrying soon: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        let messages = messages.clone();
        tokio::spawn(async move {
            if let Err(error) = chat_client(stream, peer, messages).await {
                eprintln!("chat: client {peer}: {error}");
            }
        });
    }
}

/// Serves one chat client: subscribes to `messages`, sends `welcome`, then at
/// the same time reads the client's lines (sending each on the channel as
/// `PEER: TEXT`) and writes it every message from the channel that is not
/// its own. When the client leaves, sends `PEER left` on the channel.
///
/// A client that reads so slowly that more than [`BACKLOG`] messages pile up
/// for it loses the oldest ones: its receiver reports
/// `RecvError::Lagged(N)`. It then gets the line `(N messages missed)` and
/// stays in the chat.
///
/// # Errors
///
/// The failed read or write that ended the conversation (after `PEER left`
/// was sent all the same).
pub async fn chat_client(
    stream: TcpStream,
    peer: SocketAddr,
    messages: broadcast::Sender<Message>,
) -> io::Result<()> {
    let outcome = converse(stream, peer, &messages).await;
    // Whether the client closed politely or its connection failed, it is
    // gone: tell the others. send() fails only when there are no receivers
    // left, and then there is nobody to tell.
    let _ = messages.send(Message {
        from: peer,
        line: format!("{peer} left"),
    });
    outcome
}

/// The conversation with one client, until it leaves.
async fn converse(
    mut stream: TcpStream,
    peer: SocketAddr,
    messages: &broadcast::Sender<Message>,
) -> io::Result<()> {
    // Subscribe *before* saying welcome: a client that has read `welcome`
    // can count on getting every message sent from then on.
    let mut inbox = messages.subscribe();
    let (reader, mut writer) = stream.split();
    // Lines::next_line() keeps a partly received line inside `lines`, so it
    // is safe to use in select! (exercise 7 shows what happens otherwise).
    let mut lines = BufReader::new(reader).lines();
    writer.write_all(b"welcome\n").await?;
    loop {
        // select! polls both futures and runs the branch of whichever is
        // ready first; the other future is dropped (cancelled). Both
        // next_line() and recv() lose nothing when cancelled, so the next
        // turn of the loop simply asks again.
        tokio::select! {
            line = lines.next_line() => {
                // None is end-of-file: the client closed its side (a read of
                // 0 bytes). An Err (say, ConnectionReset) ends it too, via `?`.
                let Some(text) = line? else {
                    return Ok(());
                };
                // send() fails only if nobody subscribes, which cannot happen
                // while this task's own receiver is alive.
                let _ = messages.send(Message {
                    from: peer,
                    line: format!("{peer}: {text}"),
                });
            }
            received = inbox.recv() => match received {
                // Our own line came back through the channel: skip it.
                Ok(message) if message.from == peer => {}
                Ok(message) => {
                    writer.write_all(format!("{}\n", message.line).as_bytes()).await?;
                }
                // This client read too slowly: more than BACKLOG messages
                // piled up for it, and the channel dropped the oldest. The
                // receiver is still subscribed and its next recv() gives the
                // oldest message kept, so say what was lost and carry on.
                // Ending here would throw a slow client out of the chat
                // without a word.
                Err(RecvError::Lagged(missed)) => {
                    writer
                        .write_all(format!("({missed} messages missed)\n").as_bytes())
                        .await?;
                }
                // Every Sender is gone: the server has stopped.
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}
