//! Deadlines: a server does not wait forever for a client.
//!
//! Every task that waits on a client is memory, a file descriptor and maybe a
//! permit (see `connection-limit`) held on that client's behalf. A client
//! that connects and says nothing, or sends one byte now and then, holds
//! them for as long as it likes, unless the server puts a deadline on the
//! wait. `tokio::time::timeout(duration, future)` does: it returns
//! `Err(Elapsed)` if the future has not finished in time, and drops it.
//!
//! Where the deadline goes decides what it catches. This server wraps the
//! read of each whole line: a client must finish a line within 300 ms of
//! the previous one. That cuts off a silent client, and also one that
//! trickles a byte every 100 ms and never finishes a line, which a deadline
//! per `read` (an idle timeout in the narrow sense) would let through. The
//! timeout wraps `Lines::next_line`, which is cancel-safe: dropping it on
//! the deadline loses nothing that a later read would need.
//!
//! Run it with `cargo run -p lesson4-demos --bin idle-timeout`.

use lesson4_demos::{Timeline, after_failed_accept, loopback};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};

/// How long the server waits for the next whole line.
const LINE_DEADLINE: Duration = Duration::from_millis(300);

#[tokio::main]
async fn main() -> io::Result<()> {
    let timeline = Timeline::start();
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(accept_loop(listener, timeline));
    timeline.say(&format!(
        "server on {addr}: each line must come within {LINE_DEADLINE:?}"
    ));

    // Three clients at once, each on a task of its own.
    let chatty = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await?;
        for number in 1..=5 {
            stream
                .write_all(format!("line {number}\n").as_bytes())
                .await?;
            sleep(Duration::from_millis(100)).await;
        }
        stream.shutdown().await?;
        finish("chatty client (a line every 100 ms)", stream, timeline).await
    });
    let silent = tokio::spawn(async move {
        let stream = TcpStream::connect(addr).await?;
        finish("silent client", stream, timeline).await
    });
    let trickle = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await?;
        // One byte every 100 ms, never a newline, until the server hangs up.
        for byte in b"GET /aaaaaaaaaaaaaaaaaaaa".iter() {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            sleep(Duration::from_millis(100)).await;
        }
        finish("trickling client (a byte every 100 ms)", stream, timeline).await
    });
    for client in [chatty, silent, trickle] {
        client.await.expect("a client does not panic")?;
    }
    Ok(())
}

/// Reads whatever the server sends until it closes, and says when.
async fn finish(who: &str, mut stream: TcpStream, timeline: Timeline) -> io::Result<()> {
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let lines = answer.lines().count();
    timeline.say(&format!(
        "{who}: the server closed the connection after {lines} answers"
    ));
    Ok(())
}

/// Accepts and spawns a task per client, until the listener breaks, and
/// returns its error then. A failed accept follows lesson 2's accept-loop
/// rule (see `after_failed_accept`).
async fn accept_loop(listener: TcpListener, timeline: Timeline) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                after_failed_accept("idle-timeout", error).await?;
                continue;
            }
        };
        tokio::spawn(async move {
            if let Err(error) = serve(stream).await {
                timeline.say(&format!("server: client {peer}: {error}"));
            }
        });
    }
}

/// Answers each line with "ok", and gives up on a client whose next line
/// takes longer than LINE_DEADLINE.
async fn serve(stream: TcpStream) -> io::Result<()> {
    let (read_half, mut write_half) = stream.into_split();
    let mut lines = BufReader::new(read_half).lines();
    loop {
        let line = match timeout(LINE_DEADLINE, lines.next_line()).await {
            Ok(line) => line?,
            // The deadline passed. Returning drops both halves, which closes
            // the connection: the client reads end-of-file.
            Err(_elapsed) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no whole line within {LINE_DEADLINE:?}; closing"),
                ));
            }
        };
        let Some(line) = line else { return Ok(()) };
        write_half
            .write_all(format!("ok {line}\n").as_bytes())
            .await?;
    }
}
