//! The same echo server with a tokio task per connection.
//!
//! A task is a future that the runtime polls: a state machine that holds the
//! connection, its buffer, and where it stopped. It is not a thread. When a
//! task reaches `stream.read(&mut buffer).await` and the socket has no data,
//! the read returns "not ready" (the socket is non-blocking underneath), the
//! runtime parks the task and registers the socket with epoll, and the
//! worker thread goes on to run other tasks. When data arrives, epoll wakes
//! the runtime, which polls the task again, and the read now returns bytes.
//! So a few worker threads (one per core by default) serve any number of
//! connections, and an idle connection costs only its task's memory.
//!
//! The demo does what `thread-per-client` did, with tasks: 1,000 idle
//! clients, and what changed in /proc.
//!
//! Run it with `cargo run -p lesson4-demos --bin task-per-client`.

use lesson4_demos::{after_failed_accept, loopback, pause, status_field, status_kib, thread_waits};
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How many idle clients to hold, as in `thread-per-client`.
const CLIENTS: usize = 1_000;

// `#[tokio::main]` builds a multi-threaded runtime with one worker thread
// per core, and runs `main` on it.
#[tokio::main]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(accept_loop(listener));
    println!(
        "task-per-client echo server on {addr}, pid {}",
        std::process::id()
    );
    let before_threads = status_field("Threads");
    let before_rss = status_kib("VmRSS");

    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let mut client = TcpStream::connect(addr).await?;
        client.write_all(b"x").await?;
        client.read_exact(&mut [0u8; 1]).await?;
        clients.push(client);
    }
    let rss = status_kib("VmRSS");
    println!("{CLIENTS} idle clients connected and echoed once");
    println!(
        "  Threads  {before_threads:>8} -> {}",
        status_field("Threads")
    );
    println!(
        "  VmRSS    {before_rss:>5} kB -> {rss} kB  ({:.1} KiB per connection)",
        (rss - before_rss) as f64 / CLIENTS as f64
    );
    // Look at the threads from a thread outside the runtime, after the
    // workers have run out of work and gone to sleep. (Asked from a task, the
    // answer would catch a worker awake, busy running that very task.)
    let waits = tokio::task::spawn_blocking(|| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        thread_waits()
    })
    .await
    .expect("reading /proc does not panic");
    println!("  where the threads wait (name in kernel function):");
    for (wait, count) in waits {
        println!("    {count:>5} x {wait}");
    }
    println!("\nIn another terminal:");
    println!("  ss -tan 'sport = :{}' | grep -c ESTAB", addr.port());
    println!("  ls /proc/{}/task | wc -l", std::process::id());
    // `pause` blocks this thread on stdin. Inside async code that would
    // stall a worker (see `blocking-in-async`), so hand it to the blocking
    // pool, which exists for exactly that.
    tokio::task::spawn_blocking(|| pause("Press Enter to disconnect everyone and exit..."))
        .await
        .expect("pause does not panic");
    Ok(())
}

/// Accepts and spawns a task per client, until the listener breaks, and
/// returns its error then. A failed accept follows lesson 2's accept-loop
/// rule (see `after_failed_accept`).
async fn accept_loop(listener: TcpListener) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                after_failed_accept("task-per-client", error).await?;
                continue;
            }
        };
        tokio::spawn(async move {
            if let Err(error) = echo(stream).await {
                eprintln!("a client failed: {error}");
            }
        });
    }
}

/// Sends back whatever the client sends, until end-of-file. The buffer is
/// part of the task's state, so it lives on the heap with the task.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buffer = vec![0u8; 4096];
    loop {
        // No data yet: the task is parked here, and its thread runs others.
        let length = stream.read(&mut buffer).await?;
        if length == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..length]).await?;
    }
}
