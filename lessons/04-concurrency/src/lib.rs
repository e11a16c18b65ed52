//! Demos for lesson 4. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson4-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `blocked-read` | a sequential server stuck in one client's `read`, while another client waits |
//! | `thread-per-client` | a std thread per connection: threads, memory, and where each thread sleeps |
//! | `task-per-client` | the same server with tokio tasks: two worker threads, parked tasks, epoll |
//! | `select-lost-bytes` | `read_line` inside `select!` loses bytes; `Lines::next_line` does not |
//! | `blocking-in-async` | `std::thread::sleep` in a task stalls the runtime, and `timeout` cannot fire |
//! | `idle-timeout` | deadlines per line: a chatty client stays, a silent or trickling one is cut off |
//! | `connection-limit` | a `Semaphore` caps the clients served at once; the permit returns when a task ends |
//! | `backpressure` | a peer that does not read: the send buffer fills and `write().await` waits |
//! | `graceful-shutdown` | `CancellationToken` and `TaskTracker`: stop accepting, let clients finish, bound the wait |
//! | `echo-bench` | threads against tokio tasks, measured: memory per idle connection, round trips per second |
//!
//! This file holds the few helpers the programs share. The programs only ever
//! bind loopback addresses, so nothing they open can be reached from another
//! machine, and each one ends by itself (or at end-of-file on stdin when it
//! pauses for you).

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Waits for Enter, or carries on at once when stdin is closed
/// (`cargo run ... </dev/null`). It lives once, in `netlings-cli`.
pub use netlings_cli::pause;

/// What the async demos' accept loops do after a failed `accept()`, by
/// lesson 2's accept-loop rule (its section 7): `Ok(())` to accept again,
/// after logging the error, and after a pause of `ACCEPT_BACKOFF` when the
/// process ran out of descriptors or memory; or the error back when the
/// listener is broken and the loop must end. `server` names the loop in the
/// log line.
///
/// It is the twin of lesson 2's `after_failed_accept`, with one difference
/// that matters: the pause is tokio's sleep, which gives the worker thread
/// back to the other tasks while it waits. `std::thread::sleep` here would
/// stop every task on that thread for the whole pause (section 5).
pub async fn after_failed_accept(server: &str, error: io::Error) -> io::Result<()> {
    match accept_failure(&error) {
        // One client's connection failed; the next one is fine.
        AcceptFailure::OneConnection => {
            eprintln!("{server}: accept failed: {error}");
            Ok(())
        }
        // EMFILE and friends: the client waits in the queue. Retrying at
        // once would fail at once, so pause before the next accept().
        AcceptFailure::OutOfResources => {
            eprintln!("{server}: accept failed, trying again in {ACCEPT_BACKOFF:?}: {error}");
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            Ok(())
        }
        // Every later accept() would fail the same way.
        AcceptFailure::ListenerBroken => Err(error),
    }
}

/// `127.0.0.1:0`: the loopback address, and a port the OS chooses.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// One field of Linux's `/proc/self/status`, such as `Threads` (how many
/// threads this process has) or `VmRSS` (its resident memory, in kB), as the
/// kernel prints it. Empty when the field or the file (not Linux) is missing.
pub fn status_field(name: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(|value| value.trim().to_string())
        .unwrap_or_default()
}

/// `status_field` for a field counted in kB (`VmRSS`, `VmSize`), as a number.
pub fn status_kib(name: &str) -> u64 {
    status_field(name)
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Where this process's threads are waiting, counted. For each thread in
/// `/proc/self/task/` (a thread is a task to the kernel, hence the name), it
/// reads the thread's name (`comm`) and `wchan`, the kernel function it
/// sleeps in: `wait_woken` for a blocking socket read, `do_epoll_wait` for
/// epoll (how tokio waits for sockets), `futex_do_wait` for a thread parked
/// on a lock or condition variable, `running` when it is not asleep.
pub fn thread_waits() -> BTreeMap<String, usize> {
    let mut waits = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return waits;
    };
    for task in tasks.flatten() {
        let read = |file: &str| std::fs::read_to_string(task.path().join(file)).unwrap_or_default();
        let name = read("comm").trim().to_string();
        let wchan = match read("wchan").as_str() {
            "" | "0" => "running".to_string(),
            wchan => wchan.to_string(),
        };
        *waits.entry(format!("{name} in {wchan}")).or_insert(0) += 1;
    }
    waits
}

/// A stopwatch that prints how long ago it started, for the demos'
/// timelines: `   301.2ms  client A got its answer`.
#[derive(Clone, Copy)]
pub struct Timeline {
    started: Instant,
}

impl Timeline {
    /// Starts the clock now.
    pub fn start() -> Self {
        Timeline {
            started: Instant::now(),
        }
    }

    /// The time since `start`.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Prints `message` after the time since `start`, right-aligned.
    pub fn say(&self, message: &str) {
        println!("{:>10}  {message}", format!("{:.1?}", self.elapsed()));
    }
}
