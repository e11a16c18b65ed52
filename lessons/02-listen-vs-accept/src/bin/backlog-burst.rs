//! What the backlog limits: a burst of 200 connects against a listener with
//! a backlog of 128, then of 1024.
//!
//! The accept queue is finite. On Linux it holds backlog + 1 finished
//! connections; when it is full, the kernel *drops* a new client's SYN
//! without an answer. The client cannot tell a dropped SYN from a lost one,
//! so it waits and sends the SYN again, the first time after about one
//! second. A client that meets a full queue therefore connects, but a second
//! late.
//!
//! `TcpListener::bind` (std) and `tokio::net::TcpListener::bind` both pass a
//! backlog of 128. A server that expects bursts builds its listener with
//! socket2 and a larger backlog; the kernel caps it at net.core.somaxconn.
//!
//! This program runs two scenarios, each with a backlog of 128 and of 1024:
//!
//! 1. the server accepts as fast as it can while 200 clients connect at once;
//! 2. the server is busy for 100 ms (a slow request, a pause, a restart)
//!    when the 200 clients arrive, and only then starts accepting.
//!
//! For each run it prints the slowest connect, and how many connects took
//! longer than half a second, that is, waited for a SYN retry. Timings
//! depend on the machine and on its load: scenario 1 in particular gives
//! different counts on every run. That is why this is a demo, not a test.
//!
//! Run it with `cargo run -p lesson2-demos --bin backlog-burst`. It takes a
//! few seconds.

use lesson2_demos::{listener_with, loopback, pause};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// How many clients connect at once.
const CLIENTS: usize = 200;

/// A connect slower than this must have waited for a SYN retransmission:
/// on loopback an answered connect takes microseconds, and the first retry
/// comes after about one second.
const RETRIED: Duration = Duration::from_millis(500);

fn main() -> std::io::Result<()> {
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    println!("{CLIENTS} clients connect at once; net.core.somaxconn = {somaxconn}\n");

    for (scenario, busy) in [
        ("1. the server accepts as fast as it can", Duration::ZERO),
        (
            "2. the server is busy for 100 ms when the burst arrives",
            Duration::from_millis(100),
        ),
    ] {
        println!("{scenario}:");
        for backlog in [128, 1024] {
            let connect_times = burst(backlog, busy)?;
            let worst = connect_times.iter().max().copied().unwrap_or_default();
            let retried = connect_times.iter().filter(|&&t| t > RETRIED).count();
            println!(
                "  backlog {backlog:>4}: slowest connect {worst:>9.1?}, \
                 {retried:>3} of {CLIENTS} connects waited for a SYN retry"
            );
        }
    }

    // A backlog above somaxconn is not an error: the kernel quietly uses
    // somaxconn instead. `ss` shows the backlog really in use.
    let capped = listener_with(loopback(), 65_535, true)?;
    println!(
        "\nA listener asked for a backlog of 65535 on {}.",
        capped.local_addr()?
    );
    println!("Its real backlog is the Send-Q column of:");
    println!("  ss -tln 'sport = :{}'", capped.local_addr()?.port());
    pause("Press Enter to exit...");
    Ok(())
}

/// Starts a server with `backlog` that waits `busy` before accepting, fires
/// CLIENTS connects at it at the same instant, and returns how long each
/// connect took.
fn burst(backlog: i32, busy: Duration) -> std::io::Result<Vec<Duration>> {
    let listener = listener_with(loopback(), backlog, true)?;
    let server_addr: SocketAddr = listener.local_addr()?;

    // The server: after its busy spell, accept every client. It keeps the
    // accepted sockets until all are in, so that no connection closes in the
    // middle of the burst.
    let server = thread::spawn(move || -> std::io::Result<()> {
        thread::sleep(busy);
        let mut accepted = Vec::with_capacity(CLIENTS);
        for _ in 0..CLIENTS {
            accepted.push(listener.accept()?);
        }
        Ok(())
    });

    // The clients: one thread each, all released by a barrier at once, so
    // that their SYNs arrive together, as in a real burst.
    let start_line = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let start_line = Arc::clone(&start_line);
            thread::spawn(move || -> std::io::Result<(Duration, TcpStream)> {
                start_line.wait();
                let started = Instant::now();
                let stream = TcpStream::connect(server_addr)?;
                Ok((started.elapsed(), stream))
            })
        })
        .collect();

    let mut connect_times = Vec::with_capacity(CLIENTS);
    let mut streams = Vec::with_capacity(CLIENTS);
    for client in clients {
        let (took, stream) = client.join().expect("a client thread panicked")?;
        connect_times.push(took);
        streams.push(stream);
    }
    server.join().expect("the server thread panicked")?;
    Ok(connect_times)
}
