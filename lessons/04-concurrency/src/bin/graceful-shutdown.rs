//! Graceful shutdown with a CancellationToken and a TaskTracker.
//!
//! Go passes a `context.Context` down to every goroutine it starts, and
//! cancelling it tells them all to stop. tokio-util's two types split that
//! job:
//!
//! - a `CancellationToken` is the signal. `cancel()` it once, and every
//!   clone's `cancelled()` future completes, so each task can `select!` on
//!   it next to its real work. (`child_token()` makes tokens that a parent
//!   cancels, like a derived Context.)
//! - a `TaskTracker` counts the tasks spawned through it. `close()` then
//!   `wait()` completes when all of them have ended: the WaitGroup.
//!
//! A clean stop has three steps: stop accepting (close the listener, so new
//! clients are refused instead of queued for nobody), let the clients
//! already accepted finish, and bound that wait, so that one stuck client
//! cannot keep the server from ever stopping.
//!
//! In the demo, client A asks for a job of 300 ms, client D for one of 3 s,
//! and client B is connected and idle. Shutdown is requested; client C, who
//! comes after, is refused; B is told goodbye at once; A gets its answer;
//! the server gives D 1 s of grace, then cuts it off with a second token.
//!
//! Run it with `cargo run -p lesson4-demos --bin graceful-shutdown`.

use lesson4_demos::{Timeline, after_failed_accept, loopback};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long, after shutdown is requested, the server waits for its clients.
const GRACE: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> io::Result<()> {
    let timeline = Timeline::start();
    let listener = TcpListener::bind(loopback()).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(run(listener, shutdown.clone(), timeline));

    let mut a = Client::connect(addr).await?;
    let mut b = Client::connect(addr).await?;
    let mut d = Client::connect(addr).await?;
    a.send("job 300").await?;
    d.send("job 3000").await?;
    // Wait until the server has taken each client: its "accepted" line.
    // Only then is the client the server's to finish (lesson 2, section 6).
    for (name, client) in [("A", &mut a), ("B", &mut b), ("D", &mut d)] {
        let line = client.line().await?;
        timeline.say(&format!("client {name}: {line}"));
    }

    timeline.say("shutdown requested");
    shutdown.cancel();
    // Each client waits for its next line on a task of its own, so that
    // each line is printed when it arrives.
    let mut readers = Vec::new();
    for (name, mut client) in [("A", a), ("B", b), ("D", d)] {
        readers.push(tokio::spawn(async move {
            let line = client.line().await.unwrap_or_else(|e| e.to_string());
            timeline.say(&format!("client {name}: {line}"));
        }));
    }
    // Give the server a moment to see the signal and close its listener.
    // (A demo may wait to set the stage; a test waits for an event.)
    sleep(Duration::from_millis(20)).await;
    match TcpStream::connect(addr).await {
        Ok(_) => timeline.say("client C: connected (the listener is still open)"),
        Err(error) => timeline.say(&format!("client C: connect -> {:?}", error.kind())),
    }
    server.await.expect("the server does not panic")?;
    for reader in readers {
        reader.await.expect("a client does not panic");
    }
    Ok(())
}

/// The server: accepts until `shutdown` is cancelled, then waits up to
/// GRACE for its clients, and returns.
async fn run(
    listener: TcpListener,
    shutdown: CancellationToken,
    timeline: Timeline,
) -> io::Result<()> {
    let tracker = TaskTracker::new();
    // A second token, for the end of the grace period: "stop working too".
    // The tasks get their own; the caller's token only asks for a clean stop.
    let force = CancellationToken::new();
    loop {
        // Wait for whichever comes first: a new client, or the signal.
        // Both are cancel-safe: when one wins, dropping the other loses
        // nothing (a client not yet accepted stays in the queue).
        tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    tracker.spawn(serve(stream, shutdown.clone(), force.clone()));
                }
                // Lesson 2's accept-loop rule.
                Err(error) => after_failed_accept("graceful-shutdown", error).await?,
            },
        }
    }
    // Step 1: stop accepting. Dropping the listener closes it; from now on
    // a connect is refused.
    drop(listener);
    timeline.say("server: listener closed, waiting for clients");
    // Step 2 and 3: close the tracker (no more tasks will be added, so
    // `wait` can complete) and wait for the tasks, at most GRACE.
    tracker.close();
    match timeout(GRACE, tracker.wait()).await {
        Ok(()) => timeline.say("server: every client finished"),
        Err(_) => {
            timeline.say(&format!(
                "server: {} client(s) still busy after {GRACE:?}; cutting them off",
                tracker.len()
            ));
            // The second signal: stop work too. Each task returns, which
            // drops its connection; the tracker sees them end.
            force.cancel();
            tracker.wait().await;
        }
    }
    timeline.say("server: returned");
    Ok(())
}

/// Serves one client: "job MS" is answered after MS milliseconds; an idle
/// client is told goodbye when shutdown begins. A job in progress is left to
/// finish (`shutdown` interrupts waiting, not work) unless `force` is
/// cancelled too.
async fn serve(stream: TcpStream, shutdown: CancellationToken, force: CancellationToken) {
    let (read_half, mut write_half) = stream.into_split();
    let mut lines = BufReader::new(read_half).lines();
    if write_half.write_all(b"accepted\n").await.is_err() {
        return;
    }
    loop {
        let line = tokio::select! {
            // `next_line` is cancel-safe, so losing this race loses nothing.
            line = lines.next_line() => line,
            _ = shutdown.cancelled() => {
                let _ = write_half.write_all(b"goodbye, the server is shutting down\n").await;
                return;
            }
        };
        let Ok(Some(line)) = line else { return };
        let millis = line
            .strip_prefix("job ")
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0);
        tokio::select! {
            _ = sleep(Duration::from_millis(millis)) => {}
            // Returning drops the connection: the client reads end-of-file.
            _ = force.cancelled() => return,
        }
        let answer = format!("job done after {millis} ms\n");
        if write_half.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A line-based client for the demo.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> io::Result<Client> {
        Ok(Client {
            reader: BufReader::new(TcpStream::connect(addr).await?),
        })
    }

    async fn send(&mut self, line: &str) -> io::Result<()> {
        self.reader
            .get_mut()
            .write_all(format!("{line}\n").as_bytes())
            .await
    }

    /// The next line, or a description of why there is none.
    async fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).await? == 0 {
            return Ok("end of stream, no answer".to_string());
        }
        Ok(line.trim_end().to_string())
    }
}
