//! The client side of the benchmark, the same for both servers: open many
//! idle connections and check that each one still answers, or keep a few
//! connections busy with round trips and count them.
//!
//! The client uses tokio, whichever server it measures: it must hold 10,000
//! connections itself, and it must not be the bottleneck that makes the two
//! servers look alike.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::timeout;

/// How many connects (or echo checks) are under way at once. Firing 10,000
/// connects at once would only measure how the kernel copes with a SYN
/// flood; a window of 256 keeps the accept queue (1024 long, see the server)
/// from ever overflowing, while still opening thousands of connections per
/// second. It is larger than the default backlog of 128 on purpose: with
/// `TcpListener::bind`'s backlog, this window would meet dropped SYNs.
const IN_FLIGHT: usize = 256;

/// The most one connect plus its one-byte echo, or one echo check, may take.
/// On loopback it takes well under a millisecond; a slow one means a dropped
/// SYN (about 1 s until the retry) or a server that stopped answering.
const PER_CONNECTION: Duration = Duration::from_secs(5);

/// After this many failed connections a phase stops trying. A server that
/// cannot start threads any more fails every further connection in the same
/// way, and trying the remaining thousands would only make the log longer.
const GIVE_UP_AFTER_FAILURES: usize = 200;

/// The busy phase's clients send messages of this size and wait for each
/// echo before sending the next: one round trip at a time per client.
const MESSAGE_SIZE: usize = 64;

/// The busy phase runs this long before it starts counting, so that the
/// first moments (threads being created, caches warming) are not measured.
const WARM_UP: Duration = Duration::from_millis(500);

/// How long the busy phase waits for its clients to finish their last round
/// trip after the stop signal, before it aborts them.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What a batch of connection jobs achieved.
pub struct Outcome<T> {
    /// The jobs that succeeded, in the order they finished.
    pub succeeded: Vec<T>,
    /// How many jobs failed or timed out.
    pub failed: usize,
    /// The first failure's message: the likeliest hint at the cause.
    pub first_failure: Option<String>,
    /// Why the batch stopped before trying every job, if it did.
    pub gave_up: Option<String>,
}

/// Opens `count` connections to `server` and proves each one is served: a
/// connection counts only once the server echoed one byte on it. That byte
/// matters: `connect` succeeds as soon as the kernel has finished the
/// handshake and queued the connection, before the server called `accept`,
/// let alone started a thread or task for it. The echo proves the server's
/// per-connection thread or task exists, and has touched its buffer, when
/// the memory is measured.
pub async fn open_idle(server: SocketAddr, count: usize) -> Outcome<TcpStream> {
    in_window((0..count).map(move |_| connect_and_echo(server)), count).await
}

/// Echoes one byte on every connection again, now that all of them are open
/// at the same time: the ones that answer are the connections the server
/// *holds* concurrently. Those that fail are dropped.
pub async fn echo_on_each(streams: Vec<TcpStream>) -> Outcome<TcpStream> {
    let count = streams.len();
    let jobs = streams.into_iter().map(|mut stream| async move {
        echo_one_byte(&mut stream).await?;
        Ok(stream)
    });
    in_window(jobs, count).await
}

/// Runs connection jobs with at most [`IN_FLIGHT`] of them at a time: start
/// jobs until the window is full, wait for any one to finish, start the
/// next. Each job has [`PER_CONNECTION`] to finish, and the whole batch stops
/// starting new jobs after [`GIVE_UP_AFTER_FAILURES`] failures or when its
/// time is up, so the batch can never hang.
async fn in_window<T, Job>(mut jobs: impl Iterator<Item = Job>, count: usize) -> Outcome<T>
where
    Job: Future<Output = Result<T, String>> + Send + 'static,
    T: Send + 'static,
{
    // 20 s, plus 10 ms per job: 2 minutes for 10,000 connections, about a
    // hundred times what a healthy server needs.
    let deadline = Instant::now()
        + Duration::from_secs(20)
        + Duration::from_millis(10).saturating_mul(u32::try_from(count).unwrap_or(u32::MAX));
    let mut running = JoinSet::new();
    let mut outcome = Outcome {
        succeeded: Vec::with_capacity(count),
        failed: 0,
        first_failure: None,
        gave_up: None,
    };
    loop {
        // Top the window up, unless the batch has given up.
        while outcome.gave_up.is_none() && running.len() < IN_FLIGHT {
            let Some(job) = jobs.next() else { break };
            running.spawn(timeout(PER_CONNECTION, job));
        }
        // Wait for any one job; `None` means none is left.
        let Some(finished) = running.join_next().await else {
            break;
        };
        let result = match finished {
            Ok(Ok(result)) => result,
            Ok(Err(_elapsed)) => Err(format!("no answer within {PER_CONNECTION:?}")),
            Err(join_error) => Err(format!("a client task failed: {join_error}")),
        };
        match result {
            Ok(value) => outcome.succeeded.push(value),
            Err(error) => {
                outcome.failed += 1;
                if outcome.first_failure.is_none() {
                    outcome.first_failure = Some(error);
                }
            }
        }
        if outcome.gave_up.is_none() {
            if outcome.failed >= GIVE_UP_AFTER_FAILURES {
                outcome.gave_up = Some(format!("stopped after {} failures", outcome.failed));
            } else if Instant::now() >= deadline {
                outcome.gave_up = Some("stopped: the phase ran out of time".to_string());
            }
        }
    }
    outcome
}

/// One new connection, ready to be measured.
async fn connect_and_echo(server: SocketAddr) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect(server)
        .await
        .map_err(|error| format!("connect: {error}"))?;
    // Nagle's algorithm holds back a small write while an earlier one is
    // unacknowledged; combined with delayed ACKs it can add tens of
    // milliseconds to a request/response exchange. Both ends turn it off, so
    // the round-trip numbers measure the servers, not the TCP timers.
    stream
        .set_nodelay(true)
        .map_err(|error| format!("setting TCP_NODELAY: {error}"))?;
    // Close with a reset instead of a FIN (SO_LINGER with a zero timeout).
    // A normal close leaves the closing side's socket in TIME_WAIT for a
    // minute; a full run closes over 20,000 connections, and would leave
    // that many TIME_WAIT entries on a shared machine for no benefit: the
    // benchmark does not care how its connections end.
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .map_err(|error| format!("setting SO_LINGER: {error}"))?;
    echo_one_byte(&mut stream).await?;
    Ok(stream)
}

/// Sends one byte and waits for it to come back.
async fn echo_one_byte(stream: &mut TcpStream) -> Result<(), String> {
    stream
        .write_all(b"?")
        .await
        .map_err(|error| format!("write: {error}"))?;
    let mut reply = [0u8; 1];
    match stream.read(&mut reply).await {
        // End of stream: the server closed the connection, which the thread
        // server does when it cannot start a thread for it.
        Ok(0) => Err("the server closed the connection".to_string()),
        Ok(_) => Ok(()),
        Err(error) => Err(format!("read: {error}")),
    }
}

/// What the busy phase measured.
pub struct RoundTrips {
    /// Completed round trips per second, all clients together.
    pub per_second: f64,
    /// Clients that failed during the run (a healthy server has none).
    pub failed_clients: usize,
    pub first_failure: Option<String>,
}

/// Connects `clients` clients, lets each do 64-byte round trips as fast as
/// the server answers, and counts the round trips completed during
/// `measure`, after a [`WARM_UP`].
///
/// Every client waits for its echo before it sends again, so there are
/// always `clients` requests in flight: the number measures how fast the
/// server turns a ready socket into an answer, with 100 sockets ready at any
/// moment. Each round trip costs both sides a read and a write system call;
/// the thread server adds a thread switch per request (the kernel wakes the
/// connection's thread), the tokio server polls ready tasks on its workers.
pub async fn round_trips(
    server: SocketAddr,
    clients: usize,
    measure: Duration,
) -> Result<RoundTrips, String> {
    let connected = open_idle(server, clients).await;
    if connected.failed > 0 {
        return Err(format!(
            "only {} of {clients} clients connected; first failure: {}",
            connected.succeeded.len(),
            connected.first_failure.unwrap_or_default()
        ));
    }

    // Each client counts its own round trips in its own counter, and the
    // measuring task reads them all at the start and at the end of the
    // window. Reading counters, rather than waiting for the clients to
    // return totals, keeps a slow last round trip out of the measurement.
    let stop = Arc::new(AtomicBool::new(false));
    let counters: Arc<[AtomicU64]> = (0..clients).map(|_| AtomicU64::new(0)).collect();
    let mut running = JoinSet::new();
    for (index, stream) in connected.succeeded.into_iter().enumerate() {
        let stop = Arc::clone(&stop);
        let counters = Arc::clone(&counters);
        running.spawn(async move { echo_loop(stream, &stop, &counters[index]).await });
    }

    tokio::time::sleep(WARM_UP).await;
    let counted_before = total(&counters);
    let started = Instant::now();
    tokio::time::sleep(measure).await;
    let counted = total(&counters) - counted_before;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);

    // Collect the clients. A client stuck on a server that stopped
    // answering would wait forever, so the wait has a limit, after which
    // the remaining clients are aborted (and their sockets closed).
    let mut failed_clients = 0;
    let mut first_failure = None;
    let collected = timeout(STOP_GRACE, async {
        while let Some(finished) = running.join_next().await {
            let error = match finished {
                Ok(Ok(())) => continue,
                Ok(Err(error)) => error,
                Err(join_error) => format!("a client task failed: {join_error}"),
            };
            failed_clients += 1;
            first_failure.get_or_insert(error);
        }
    })
    .await;
    if collected.is_err() {
        failed_clients += running.len();
        first_failure.get_or_insert(format!(
            "{} clients got no answer within {STOP_GRACE:?} of the stop",
            running.len()
        ));
        running.abort_all();
    }

    Ok(RoundTrips {
        per_second: counted as f64 / elapsed.as_secs_f64(),
        failed_clients,
        first_failure,
    })
}

/// One busy client: send 64 bytes, read the 64-byte echo, count, repeat,
/// until told to stop.
async fn echo_loop(
    mut stream: TcpStream,
    stop: &AtomicBool,
    round_trips: &AtomicU64,
) -> Result<(), String> {
    let message = [b'e'; MESSAGE_SIZE];
    let mut reply = [0u8; MESSAGE_SIZE];
    while !stop.load(Ordering::Relaxed) {
        stream
            .write_all(&message)
            .await
            .map_err(|error| format!("write: {error}"))?;
        // TCP keeps no message boundaries: the echo may arrive in pieces,
        // so read exactly 64 bytes, however many reads that takes.
        stream
            .read_exact(&mut reply)
            .await
            .map_err(|error| format!("read: {error}"))?;
        if reply != message {
            return Err("the echo differs from the message".to_string());
        }
        round_trips.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

fn total(counters: &[AtomicU64]) -> u64 {
    counters
        .iter()
        .map(|counter| counter.load(Ordering::Relaxed))
        .sum()
}
