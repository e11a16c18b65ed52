//! `select!` with a read that is not cancel-safe loses bytes.
//!
//! A chat server's connection task waits for two things at once: the next
//! line from its client, and the next message broadcast by the other
//! clients. `tokio::select!` polls both futures, runs the branch of the
//! first that finishes, and **drops the other**. Dropping a future cancels
//! it, in the middle of whatever it was doing.
//!
//! That is harmless for a cancel-safe operation, one that has done nothing
//! it cannot undo until it completes (`read`, `accept`, `recv` on a channel,
//! `Lines::next_line`). `read_line` is not cancel-safe: it moves the bytes it
//! has read so far out of the socket's buffer into its own, and when it is
//! dropped those bytes are gone. (So is `read_exact`'s partial data.)
//!
//! The demo runs the same connection task twice, once with
//! `reader.read_line(&mut line)` in the `select!` and once with
//! `lines.next_line()`. Each time the client sends "hel", a broadcast
//! arrives, and the client sends "lo\n".
//!
//! Run it with `cargo run -p lesson4-demos --bin select-lost-bytes`.

use lesson4_demos::loopback;
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

#[tokio::main]
async fn main() -> io::Result<()> {
    for cancel_safe in [false, true] {
        let name = if cancel_safe {
            "lines.next_line() (cancel-safe)"
        } else {
            "reader.read_line(&mut line) (not cancel-safe)"
        };
        println!("select! on the client's next line and the broadcast, with {name}:");

        let listener = TcpListener::bind(loopback()).await?;
        let mut client = TcpStream::connect(listener.local_addr()?).await?;
        let (server_side, _) = listener.accept().await?;
        let (news, news_receiver) = broadcast::channel(16);
        let (read_half, write_half) = server_side.into_split();
        let task = tokio::spawn(async move {
            if cancel_safe {
                serve_with_next_line(read_half, write_half, news_receiver).await
            } else {
                serve_with_read_line(read_half, write_half, news_receiver).await
            }
        });

        client.write_all(b"hel").await?;
        println!("  client sends \"hel\"");
        // Let the server's read take "hel" off the socket. (A demo may wait
        // a moment to set the stage; a test must wait for an event.)
        tokio::time::sleep(Duration::from_millis(100)).await;
        news.send("someone joined".to_string())
            .expect("the connection task is subscribed");
        println!("  a broadcast arrives: \"someone joined\"");
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.write_all(b"lo\n").await?;
        println!("  client sends \"lo\\n\", then closes its side");
        client.shutdown().await?;

        let mut lines = BufReader::new(client).lines();
        while let Some(line) = lines.next_line().await? {
            println!("  client reads {line:?}");
        }
        task.await.expect("the connection task does not panic")?;
        println!();
    }
    Ok(())
}

/// The buggy loop: a fresh `read_line` future in every round of `select!`.
async fn serve_with_read_line(
    read_half: OwnedReadHalf,
    mut write_half: OwnedWriteHalf,
    mut news: broadcast::Receiver<String>,
) -> io::Result<()> {
    let mut reader = BufReader::new(read_half);
    loop {
        let mut line = String::new();
        tokio::select! {
            // When the broadcast branch wins, this read_line future is
            // dropped. The bytes it had taken ("hel") were in its own
            // buffer, and are lost with it.
            read = reader.read_line(&mut line) => {
                if read? == 0 {
                    return Ok(());
                }
                write_half.write_all(format!("you said {:?}\n", line.trim_end()).as_bytes()).await?;
            }
            Ok(message) = news.recv() => {
                write_half.write_all(format!("news: {message}\n").as_bytes()).await?;
            }
        }
    }
}

/// The fixed loop: `Lines` keeps a partial line in its own state, outside
/// the future, so dropping a `next_line` future loses nothing.
async fn serve_with_next_line(
    read_half: OwnedReadHalf,
    mut write_half: OwnedWriteHalf,
    mut news: broadcast::Receiver<String>,
) -> io::Result<()> {
    let mut lines = BufReader::new(read_half).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Some(line) = line? else { return Ok(()) };
                write_half.write_all(format!("you said {line:?}\n").as_bytes()).await?;
            }
            Ok(message) = news.recv() => {
                write_half.write_all(format!("news: {message}\n").as_bytes()).await?;
            }
        }
    }
}
