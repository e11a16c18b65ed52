//! A connection limit with a Semaphore.
//!
//! Spawning a task per client has no natural limit: a flood of clients makes
//! a flood of tasks, each holding memory and a file descriptor, until the
//! process runs out of one or the other. A `Semaphore` with N permits caps
//! the clients served at once. The accept loop takes a permit *before* it
//! accepts, so that when all N are taken it stops accepting: new clients
//! wait in the kernel's accept queue, costing the process nothing.
//!
//! The permit is an `OwnedSemaphorePermit`, moved into the client's task.
//! When the task ends, however it ends (the client left, an error, a panic),
//! the permit is dropped with it, and dropping it returns it to the
//! semaphore. No code path can forget to give it back.
//!
//! The demo allows 2 clients. A and B are greeted; C connects (the kernel
//! queues it) but is not greeted until A leaves.
//!
//! Run it with `cargo run -p lesson4-demos --bin connection-limit`.

use lesson4_demos::{Timeline, after_failed_accept, loopback};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;

/// How many clients the server serves at once.
const MAX_CLIENTS: usize = 2;

#[tokio::main]
async fn main() -> io::Result<()> {
    let timeline = Timeline::start();
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let limit = Arc::new(Semaphore::new(MAX_CLIENTS));
    tokio::spawn(accept_loop(listener, limit.clone()));
    timeline.say(&format!(
        "server on {addr}, at most {MAX_CLIENTS} clients at once"
    ));

    let mut clients = Vec::new();
    for name in ["A", "B", "C"] {
        let stream = TcpStream::connect(addr).await?;
        let mut reader = BufReader::new(stream);
        let mut greeting = String::new();
        match timeout(Duration::from_millis(300), reader.read_line(&mut greeting)).await {
            Ok(read) => {
                read?;
                timeline.say(&format!(
                    "client {name} connected, got {:?}",
                    greeting.trim_end()
                ));
            }
            Err(_) => timeline.say(&format!(
                "client {name} connected, no greeting within 300 ms: it waits in the accept queue"
            )),
        }
        clients.push((name, reader));
    }
    timeline.say(&format!("permits left: {}", limit.available_permits()));

    // Client A leaves. Its task sees end-of-file and ends; its permit
    // returns; the accept loop, waiting for a permit, accepts C.
    let (name, client_a) = clients.remove(0);
    drop(client_a);
    timeline.say(&format!("client {name} leaves"));
    let (name, client_c) = clients.last_mut().expect("C is still here");
    let mut greeting = String::new();
    client_c.read_line(&mut greeting).await?;
    timeline.say(&format!("client {name} got {:?}", greeting.trim_end()));
    Ok(())
}

/// Accepts up to the limit's permits of clients at once, a task each, until
/// the listener breaks, and returns its error then.
async fn accept_loop(listener: TcpListener, limit: Arc<Semaphore>) -> io::Result<()> {
    let mut served = 0;
    loop {
        // Wait for a free slot first. `acquire_owned` needs an Arc of the
        // semaphore, so that the permit can outlive this loop's borrow and
        // move into the task.
        let permit = limit
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // A failed accept follows lesson 2's accept-loop rule; at each
        // `continue` the permit is dropped, and returns.
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                after_failed_accept("connection-limit", error).await?;
                continue;
            }
        };
        served += 1;
        let number = served;
        tokio::spawn(async move {
            // The permit lives as long as this task: it is released when
            // the task ends and `permit` is dropped.
            let _permit = permit;
            if let Err(error) = greet_and_wait(stream, number).await {
                eprintln!("client {number}: {error}");
            }
        });
    }
}

/// Greets the client, then waits for it to leave.
async fn greet_and_wait(mut stream: TcpStream, number: usize) -> io::Result<()> {
    stream
        .write_all(format!("welcome, client {number}\n").as_bytes())
        .await?;
    let mut sink = [0u8; 64];
    while stream.read(&mut sink).await? > 0 {}
    Ok(())
}
