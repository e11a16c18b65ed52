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

use std::io;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

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
    todo!(
        "make one broadcast channel of capacity BACKLOG, then accept clients forever (sorting a failed accept with accept_failure) and tokio::spawn chat_client for each with a clone of the Sender"
    )
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
    todo!(
        "subscribe, send welcome, then select! between the client's next line (send it on the channel) and the channel's next message (write it unless it is your own); announce PEER left at the end"
    )
}
