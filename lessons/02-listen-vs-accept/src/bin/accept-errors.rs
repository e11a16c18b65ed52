//! What a failed `accept()` looks like, and what an accept loop does about
//! it: the accept-loop rule of section 7.
//!
//! 1. Out of descriptors. The demo lowers its own open-file limit (what
//!    `ulimit -n 64` does for a shell), opens files until none is left, and
//!    connects one client. The kernel queues the client, but `accept()` has
//!    no descriptor to give it and fails with `EMFILE`. The demo counts how
//!    often a loop that retries at once fails in 300 ms, against one that
//!    sleeps `ACCEPT_BACKOFF` after each failure. Then it closes one file,
//!    and the next `accept()` takes the client that waited in the queue.
//! 2. A broken listener. `shutdown(Read)` on the listening socket (through
//!    a second handle, as another thread could) makes every `accept()` fail
//!    with `EINVAL`, at once and for ever: retrying cannot help.
//!
//! Linux only (it uses `setrlimit`). Run it with
//! `cargo run -p lesson2-demos --bin accept-errors`.

use lesson2_demos::loopback;
use netlings_cli::accept::{ACCEPT_BACKOFF, accept_failure};
use socket2::{Domain, SockRef, Socket, Type};
use std::fs::File;
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// The open-file limit the demo lowers itself to: a few dozen opens reach it.
const LIMIT: u64 = 64;

/// How long each retry strategy is watched.
const WINDOW: Duration = Duration::from_millis(300);

fn main() -> io::Result<()> {
    let listener = TcpListener::bind(loopback())?;
    let address = listener.local_addr()?;
    println!("listening on {address}\n");

    println!("1. The process runs out of file descriptors");
    lower_open_file_limit(LIMIT)?;
    // The client's socket is made first: connecting it needs no new
    // descriptor, so the client can still arrive once none is left.
    let client = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let mut files = Vec::new();
    // Open until the kernel says EMFILE, "Too many open files".
    while let Ok(file) = File::open("/dev/null") {
        files.push(file);
    }
    println!(
        "  open-file limit lowered to {LIMIT}; {} files opened to use up every descriptor left",
        files.len()
    );
    client.connect(&address.into())?;
    let client = TcpStream::from(client);
    println!(
        "  client {} connected: the kernel finished its handshake and queued it",
        client.local_addr()?
    );
    let error = match listener.accept() {
        Ok((_, peer)) => panic!("accept() found a spare descriptor for {peer}"),
        Err(error) => error,
    };
    describe("  accept()", &error);

    let at_once = failed_accepts_during(&listener, Duration::ZERO);
    let backing_off = failed_accepts_during(&listener, ACCEPT_BACKOFF);
    println!("  in {WINDOW:?}, a loop that retries at once failed {at_once} times;");
    println!("  one that sleeps {ACCEPT_BACKOFF:?} after each failure, {backing_off} times");

    drop(files.pop());
    let (_, peer) = listener.accept()?;
    println!("  one file closed: accept() -> the client {peer}, which waited in the queue\n");
    drop(files);

    println!("2. The listener breaks");
    let handle = listener.try_clone()?;
    SockRef::from(&handle).shutdown(Shutdown::Read)?;
    println!("  shutdown(Read) on the listening socket, through a second handle");
    for attempt in 1..=2 {
        let error = match listener.accept() {
            Ok((_, peer)) => panic!("a broken listener accepted {peer}"),
            Err(error) => error,
        };
        describe(&format!("  accept() #{attempt}"), &error);
    }
    Ok(())
}

/// Prints an accept error the three ways a program can look at it.
fn describe(what: &str, error: &io::Error) {
    println!("{what} -> {error}");
    println!(
        "      raw_os_error {:?}, kind {:?}, accept_failure: {:?}",
        error.raw_os_error(),
        error.kind(),
        accept_failure(error)
    );
}

/// Calls `accept()` for [`WINDOW`], sleeping `pause` after each failure,
/// and counts the failures.
fn failed_accepts_during(listener: &TcpListener, pause: Duration) -> usize {
    let start = Instant::now();
    let mut failures = 0;
    while start.elapsed() < WINDOW {
        match listener.accept() {
            Ok((_, peer)) => panic!("accept() found a spare descriptor for {peer}"),
            Err(_) => failures += 1,
        }
        thread::sleep(pause);
    }
    failures
}

/// Lowers this process's soft limit on open files, as `ulimit -n` does for a
/// shell and the programs it starts.
#[cfg(unix)]
fn lower_open_file_limit(limit: u64) -> io::Result<()> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write `current`.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut current) != 0 {
            return Err(io::Error::last_os_error());
        }
        current.rlim_cur = current.rlim_cur.min(limit as libc::rlim_t);
        if libc::setrlimit(libc::RLIMIT_NOFILE, &current) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Windows has no per-process limit on open files to lower.
#[cfg(not(unix))]
fn lower_open_file_limit(_limit: u64) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "this demo needs Linux",
    ))
}
