//! Backpressure: a peer that does not read makes `write().await` wait.
//!
//! TCP has flow control. The receiver's kernel advertises how much room its
//! receive buffer has; when the program on that side stops reading, the
//! buffer fills, the window closes, the sender's send buffer fills in turn,
//! and then the sender's writes wait. With tokio, `write().await` parks the
//! task (its thread serves others), and wakes it when there is room again.
//!
//! This is a good thing: a fast writer cannot flood a slow reader. It is also
//! a way to tie up a server: a client that asks for a lot and never reads
//! keeps the server's task waiting in a write forever. A write deadline
//! (`timeout` around `write_all`) is what frees it.
//!
//! The demo writes 16 KiB chunks to a client that does not read, until a
//! write has waited 200 ms; prints how much the kernels took on the way;
//! then the client reads, and the writer carries on.
//!
//! Run it with `cargo run -p lesson4-demos --bin backpressure`.

use lesson4_demos::{Timeline, loopback, pause};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const CHUNK: usize = 16 * 1024;

#[tokio::main]
async fn main() -> io::Result<()> {
    let timeline = Timeline::start();
    let listener = TcpListener::bind(loopback()).await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (mut server_side, _) = listener.accept().await?;
    let port = listener.local_addr()?.port();

    let chunk = vec![b'x'; CHUNK];
    let mut written = 0;
    // A write deadline: give up once a write has waited 200 ms for room.
    while let Ok(result) = timeout(Duration::from_millis(200), server_side.write_all(&chunk)).await
    {
        result?;
        written += CHUNK;
    }
    // `write_all` is not cancel-safe: the timed-out one may have written
    // part of its chunk. Fine here; in a real server, close the connection.
    timeline.say(&format!(
        "the server wrote {written} bytes ({} KiB); then a write waited 200 ms for room",
        written / 1024
    ));
    println!("\nThe bytes sit in the two kernels' buffers. In another terminal:");
    println!("  ss -tnm '( sport = :{port} or dport = :{port} )'");
    println!("The server side's Send-Q and the client side's Recv-Q hold them.");
    // Waiting for Enter blocks a thread, so it goes to the blocking pool
    // (see `blocking-in-async`).
    tokio::task::spawn_blocking(|| pause("Press Enter to let the client read..."))
        .await
        .expect("pause does not panic");

    // Now the client reads everything; the writer sends one more chunk,
    // which goes through at once since there is room again.
    let writer = tokio::spawn(async move {
        server_side.write_all(&vec![b'y'; CHUNK]).await?;
        server_side.shutdown().await
    });
    let mut received = Vec::new();
    client.read_to_end(&mut received).await?;
    writer.await.expect("the writer does not panic")?;
    timeline.say(&format!(
        "the client read {} bytes, and the writer's last chunk went through",
        received.len()
    ));
    Ok(())
}
