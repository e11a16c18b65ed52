//! The two echo servers the benchmark compares. Each runs in its own
//! process, started by the benchmark as `echo-bench --serve threads` or
//! `echo-bench --serve tokio`; each prints `listening on ADDR` and serves
//! until it is killed.
//!
//! They do the same job with the same buffer size, so that the only
//! difference left is the one the lesson is about: what the server spends per
//! connection while it waits.
//!
//! - `threads`: blocking std sockets and one OS thread per connection. A
//!   thread that waits in `read` is parked in the kernel; the kernel wakes it
//!   when bytes arrive. Each thread has a user-space stack (in the process's
//!   memory) and a kernel stack (in the kernel's memory, which the process's
//!   RSS does not show).
//! - `tokio`: one tokio task per connection on a multi-threaded runtime
//!   with one worker thread per core. A waiting task is a small heap object;
//!   the runtime asks the kernel (epoll) which sockets are ready and polls
//!   only their tasks.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::system;

/// Which of the two servers to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    Threads,
    Tokio,
}

impl ServerKind {
    /// Both kinds, in the order the benchmark runs and prints them.
    pub const BOTH: [ServerKind; 2] = [ServerKind::Threads, ServerKind::Tokio];

    /// The name used on the command line (`--serve NAME`) and in the output.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Threads => "threads",
            ServerKind::Tokio => "tokio",
        }
    }

    fn from_name(name: &str) -> Option<ServerKind> {
        ServerKind::BOTH
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The user-space stack of each connection thread. Rust's default is 2 MiB;
/// an echo loop needs a few KiB. The size reserves *virtual* memory only:
/// the kernel backs a stack page with RAM when the thread first touches it,
/// so RSS grows by the pages actually used, whatever this number says. A
/// small stack keeps 10,000 threads from reserving 20 GiB of address space,
/// which is harmless on 64-bit Linux but alarming in `top`.
pub const THREAD_STACK_SIZE: usize = 64 * 1024;

/// Each connection's echo buffer, the same for both servers: 4 KiB, one
/// page. The thread server keeps it on its stack, the tokio server on the
/// heap; either way it is one page of RSS once written.
const BUFFER_SIZE: usize = 4096;

/// The accept queue's length. `TcpListener::bind` (std and tokio) asks for
/// 128. The benchmark's client keeps up to 256 connects in flight, and when
/// the queue is full Linux drops the next SYN without an answer: that client
/// then waits about a second for its SYN retry, and the benchmark would
/// measure the retry timer instead of the server. With 1024 the queue never
/// fills. (The kernel caps the number at net.core.somaxconn.)
const BACKLOG: i32 = 1024;

/// The server process's `main`: `kind` is the word after `--serve`.
pub fn serve(kind: Option<&str>) -> ExitCode {
    let Some(kind) = kind.and_then(ServerKind::from_name) else {
        eprintln!("echo-bench: --serve needs `threads` or `tokio`");
        return ExitCode::from(2);
    };

    // The benchmark kills this process when it is done. If the benchmark
    // itself dies first (a panic, a SIGKILL), this asks the kernel to kill
    // us too, so that no server is left holding a port and 10,000 threads.
    system::die_with_parent();

    // One process holds at most "open-file limit" sockets; the default soft
    // limit (often 1024) would stop the server long before 10,000
    // connections. Raising the soft limit up to the hard one needs no
    // privilege. (The benchmark already raised its own limit, which we
    // inherit, but a server run by hand should work too.)
    if let Err(error) = system::raise_open_file_limit() {
        eprintln!("echo-bench server: could not raise the open-file limit: {error}");
    }

    let listener = match loopback_listener() {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("echo-bench server: cannot listen on 127.0.0.1: {error}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(address) => netlings_cli::announce(address),
        Err(error) => {
            eprintln!("echo-bench server: cannot read the listening address: {error}");
            return ExitCode::FAILURE;
        }
    }

    // Both servers serve until killed; they return only if they could not
    // start at all.
    let served = match kind {
        ServerKind::Threads => serve_with_threads(listener),
        ServerKind::Tokio => serve_with_tasks(listener),
    };
    if let Err(error) = served {
        eprintln!("echo-bench server ({kind}): {error}");
    }
    ExitCode::FAILURE
}

/// A listener on the loopback interface, on a port the OS chooses, with the
/// long accept queue explained at [`BACKLOG`]. std has no way to pass a
/// backlog, so the socket is built step by step with socket2, one call per
/// system call: socket, setsockopt(SO_REUSEADDR), bind, listen.
fn loopback_listener() -> io::Result<TcpListener> {
    let address = SocketAddr::from(([127, 0, 0, 1], 0));
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Thread per connection: the accept loop runs on the main thread and starts
/// one thread for every connection it accepts.
fn serve_with_threads(listener: TcpListener) -> io::Result<()> {
    let mut accept_failures = FailureLog::new("accept");
    let mut spawn_failures = FailureLog::new("starting a connection thread");
    loop {
        // Lesson 2's accept-loop rule. The failure to expect here is EMFILE,
        // "too many open files": the pending connection stays in the queue,
        // so an accept loop that retried at once would spin at 100% CPU.
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    accept_failures.record(&error);
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    accept_failures.record(&error);
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // The clients send small messages and wait for each answer; see
        // `set_nodelay` in the client for why Nagle's algorithm is off on
        // both ends. It cannot fail on a connected socket, and an echo would
        // still work with Nagle on, so a failure is not worth a message.
        let _ = stream.set_nodelay(true);

        // pthread_create happens here. It fails with EAGAIN when the machine
        // runs out of threads (kernel.threads-max, kernel.pid_max, the
        // per-user process limit) or of memory for the stack. The closure,
        // and with it the stream, is then dropped: the connection closes and
        // the client sees the server hang up, which is how the benchmark
        // learns that the server could not hold it.
        //
        // On success the `JoinHandle` is dropped at once: the thread is
        // detached, nobody joins it, and it ends when its client hangs up.
        let spawned = thread::Builder::new()
            .stack_size(THREAD_STACK_SIZE)
            .spawn(move || echo_blocking(stream));
        if let Err(error) = spawned {
            spawn_failures.record(&error);
        }
    }
}

/// One connection of the thread server: read whatever arrived, write it
/// back, until the client hangs up. While the client is idle, the thread
/// sleeps inside `read` (the recvfrom system call) and costs no CPU, only
/// memory: its stacks.
fn echo_blocking(mut stream: TcpStream) {
    // The buffer lives on this thread's stack; writing into it is what makes
    // that stack page resident.
    let mut buffer = [0u8; BUFFER_SIZE];
    loop {
        let received = match stream.read(&mut buffer) {
            // 0 bytes: the client closed its end. An error (a reset, usually)
            // ends the connection the same way: there is nobody to tell.
            Ok(0) | Err(_) => return,
            Ok(received) => received,
        };
        if stream.write_all(&buffer[..received]).is_err() {
            return;
        }
    }
}

/// Task per connection: the same accept loop, but each connection becomes a
/// tokio task instead of a thread. The runtime has one worker thread per
/// core, whatever the number of connections.
fn serve_with_tasks(listener: TcpListener) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // tokio takes over a std listener only in non-blocking mode, and only
    // inside a runtime, whose reactor (epoll) it registers the socket with.
    listener.set_nonblocking(true)?;
    let listener = {
        let _inside_runtime = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    runtime.block_on(accept_tasks(listener))
}

/// The tokio server's accept loop; it ends only if the listener breaks.
async fn accept_tasks(listener: tokio::net::TcpListener) -> io::Result<()> {
    let mut accept_failures = FailureLog::new("accept");
    loop {
        // The same rule as the thread server's loop, with tokio's sleep.
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    accept_failures.record(&error);
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    accept_failures.record(&error);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        let _ = stream.set_nodelay(true);
        // A task is a heap allocation holding the state of `echo_async`,
        // about a few hundred bytes plus the buffer below. Spawning cannot
        // run out of threads. Dropping the `JoinHandle` detaches the task,
        // as for the threads above.
        tokio::spawn(echo_async(stream));
    }
}

/// One connection of the tokio server, the same loop as [`echo_blocking`].
/// At `.await` on a read with nothing to read, the task returns to the
/// runtime, which polls it again when epoll reports the socket readable.
async fn echo_async(mut stream: tokio::net::TcpStream) {
    // On the heap, so that the task's own allocation stays small; its page
    // becomes resident when the first bytes are read into it.
    let mut buffer = vec![0u8; BUFFER_SIZE];
    loop {
        let received = match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(received) => received,
        };
        if stream.write_all(&buffer[..received]).await.is_err() {
            return;
        }
    }
}

/// Counts the failures of one step and prints the first one, then every
/// 1,000th: a server that cannot start threads fails once per connection,
/// and 10,000 identical lines would bury the benchmark's own log.
struct FailureLog {
    what: &'static str,
    count: u64,
}

impl FailureLog {
    fn new(what: &'static str) -> FailureLog {
        FailureLog { what, count: 0 }
    }

    fn record(&mut self, error: &io::Error) {
        self.count += 1;
        if self.count == 1 || self.count.is_multiple_of(1000) {
            eprintln!("{} failed ({} so far): {error}", self.what, self.count);
        }
    }
}
