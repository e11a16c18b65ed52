//! Run a process out of file descriptors, to see what a server does when
//! `accept()` fails with `EMFILE`.
//!
//! Every socket is a file descriptor, and a process may hold only so many
//! (`ulimit -n`). At the limit, `accept()` fails with "Too many open files"
//! (`EMFILE`) and leaves the client waiting in the accept queue. The rule of
//! lesson 2: log it, wait a moment, and try again; never end the loop.
//!
//! [`run_out_of_descriptors`] changes the whole process, so it runs only in
//! a process of its own ([`crate::own_process::in_own_process`]). It sends
//! the process's stderr through a pipe the test reads, so the test can wait
//! for the server to log the failure instead of guessing how long that takes.

use crate::background::Background;
use crate::deadline::STEP;
use crate::explain::likely_cause;
use crate::own_process::is_own_process;
use netlings_cli::accept::ACCEPT_BACKOFF;
use socket2::{Domain, Socket, Type};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The descriptor limit the test lowers the process to: reaching it takes
/// a few hundred opens, not a million.
const LIMIT: libc::rlim_t = 256;

/// A process that has used up its file descriptors. Made by
/// [`run_out_of_descriptors`]; dropping it gives the descriptors back and
/// puts stderr back where it was.
pub struct OutOfDescriptors {
    /// Sockets made before the limit was reached, one per client the test
    /// will connect: connecting needs no new descriptor.
    reserved: Vec<Socket>,
    /// The open files that use up every descriptor left.
    filler: Vec<File>,
    /// Every line written to stderr since the start, as it was written.
    stderr_lines: mpsc::Receiver<String>,
    /// Where stderr pointed before; restored on drop.
    original_stderr: OwnedFd,
    /// When the process began to run out: no accept() can have failed for
    /// want of a descriptor before then, so the retries a server may have
    /// made since are bounded by the time since, whatever the load.
    running_out_since: Instant,
}

/// Uses up every file descriptor of this process but the sockets for
/// `clients` connections, and captures stderr line by line.
///
/// Must run inside [`crate::own_process::in_own_process`]. When to call it
/// depends on the server under test:
///
/// - a blocking server: *before* starting it. A thread blocked in
///   `accept()` has already taken the descriptor its next connection will
///   get (Linux reserves it before it waits), so that one accept would
///   still succeed;
/// - an async server: *after* starting it. Its runtime needs descriptors of
///   its own (epoll, an eventfd), and it calls `accept()` only once a client
///   is waiting, taking the descriptor then.
pub fn run_out_of_descriptors(clients: usize) -> OutOfDescriptors {
    assert!(
        is_own_process(),
        "run_out_of_descriptors changes the whole process: call it inside in_own_process"
    );
    let (original_stderr, stderr_lines) = capture_stderr();
    let reserved = (0..clients)
        .map(|_| Socket::new(Domain::IPV4, Type::STREAM, None).expect("creating a client socket"))
        .collect();
    let running_out_since = Instant::now();
    lower_descriptor_limit();
    let mut filler = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => filler.push(file),
            Err(error) if error.raw_os_error() == Some(libc::EMFILE) => break,
            Err(error) => panic!("using up file descriptors failed: {error}"),
        }
    }
    OutOfDescriptors {
        reserved,
        filler,
        stderr_lines,
        original_stderr,
        running_out_since,
    }
}

impl OutOfDescriptors {
    /// Connects one of the reserved sockets to `address`. The handshake
    /// completes in the kernel; the server's `accept()` then fails with
    /// `EMFILE` for as long as the process has no descriptor to spare.
    #[track_caller]
    pub fn connect(&mut self, address: SocketAddr) -> TcpStream {
        let socket = self
            .reserved
            .pop()
            .expect("run_out_of_descriptors reserved fewer client sockets than the test connects");
        if let Err(error) = socket.connect_timeout(&address.into(), STEP) {
            panic!(
                "the test could not connect to {address}: {error}. Likely cause: {}",
                likely_cause(&error)
            );
        }
        socket.into()
    }

    /// Waits up to [`STEP`] for a line on stderr that contains `text`, and
    /// returns it. Lines before it are passed over.
    #[track_caller]
    pub fn wait_for_stderr(&self, text: &str, waiting_for: &str) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "deadline: waited {STEP:?} for {waiting_for}: a line on stderr containing \
                     {text:?}; none came"
                ),
            }
        }
    }

    /// Every line written to stderr during the next `window`: a bounded wait
    /// to count what happens meanwhile (how often a failing accept is
    /// retried, say).
    pub fn stderr_lines_during(&self, window: Duration) -> Vec<String> {
        let deadline = Instant::now() + window;
        let mut lines = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        lines
    }

    /// The accept-loop rule, seen from outside while the process is out of
    /// descriptors and a client waits: the server (`name`, running in
    /// `server`) prints the failed accept with its error ("Too many open
    /// files"), backs off [`ACCEPT_BACKOFF`] before each retry instead of
    /// spinning, and keeps running.
    ///
    /// The back-off is checked by counting the failed accepts printed while
    /// the test watches for three pauses: with a pause before each retry,
    /// there can be at most one per [`ACCEPT_BACKOFF`] since the process ran
    /// out, plus the first. The bound grows with the time that really
    /// passed, so a loaded machine that delays the test cannot fail a server
    /// that backs off.
    #[track_caller]
    pub fn expect_accept_backoff<T>(&self, server: &Background<T>, name: &str) {
        const FAILED_ACCEPT: &str = "Too many open files";
        let keep_running = "an accept() that fails with EMFILE (out of file descriptors) is not \
                            the listener's fault: print it, sleep ACCEPT_BACKOFF and accept again";
        let logged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.wait_for_stderr(
                FAILED_ACCEPT,
                &format!(
                    "{name} to print the accept() that failed with EMFILE (print the error \
                     itself: it reads \"Too many open files\"); a server that returned the \
                     error, or retries without a word, prints nothing"
                ),
            )
        }));
        let first = match logged {
            Ok(first) => first,
            Err(panic) => {
                // A server that ended says more than one that printed nothing.
                server.expect_running(keep_running);
                std::panic::resume_unwind(panic);
            }
        };
        let later = self.stderr_lines_during(ACCEPT_BACKOFF * 3);
        let elapsed = self.running_out_since.elapsed();
        let failed_accepts = 1 + later
            .iter()
            .filter(|line| line.contains(FAILED_ACCEPT))
            .count();
        let most = (elapsed.as_millis() / ACCEPT_BACKOFF.as_millis()) as usize + 2;
        assert!(
            failed_accepts <= most,
            "{name} printed {failed_accepts} failed accepts in the {elapsed:?} since the process \
             ran out of descriptors; with a pause of ACCEPT_BACKOFF ({ACCEPT_BACKOFF:?}) before \
             each retry there can be at most {most}. It retries at once, which fails at once and \
             burns a core: after EMFILE, sleep ACCEPT_BACKOFF before accepting again. First \
             lines: {:?}",
            std::iter::once(&first)
                .chain(later.iter())
                .take(3)
                .collect::<Vec<_>>()
        );
        server.expect_running(keep_running);
    }

    /// Gives the descriptors back: the next `accept()` can succeed.
    pub fn release(&mut self) {
        self.filler.clear();
    }
}

impl Drop for OutOfDescriptors {
    fn drop(&mut self) {
        self.filler.clear();
        // SAFETY: both descriptors are open: the saved stderr is owned by
        // `self`, and 2 is this process's stderr.
        unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&self.original_stderr), 2) };
    }
}

/// Points fd 2 at a pipe, and forwards every line written there both to the
/// original stderr (so it still shows) and to the returned channel.
fn capture_stderr() -> (OwnedFd, mpsc::Receiver<String>) {
    let mut ends = [0; 2];
    // SAFETY: `ends` has room for the two descriptors pipe(2) writes.
    let piped = unsafe { libc::pipe(ends.as_mut_ptr()) };
    assert_eq!(piped, 0, "pipe(): {}", io::Error::last_os_error());
    // SAFETY: pipe(2) succeeded, so both descriptors are open and ours.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
    // SAFETY: dup(2) of the open stderr returns a new descriptor we own.
    let saved = unsafe { libc::dup(2) };
    assert!(saved >= 0, "dup(2): {}", io::Error::last_os_error());
    // SAFETY: `saved` is a fresh descriptor nothing else owns.
    let original_stderr = unsafe { OwnedFd::from_raw_fd(saved) };
    // SAFETY: both descriptors are open.
    let redirected = unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&write_end), 2) };
    assert!(redirected >= 0, "dup2(): {}", io::Error::last_os_error());
    drop(write_end);

    let mut forward_to = File::from(original_stderr.try_clone().expect("cloning stderr"));
    let (line_written, stderr_lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(File::from(read_end)).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(forward_to, "{line}");
            let _ = line_written.send(line);
        }
    });
    (original_stderr, stderr_lines)
}

fn lower_descriptor_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write `limit`.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_cur.min(LIMIT);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::loopback_listener;
    use crate::own_process::in_own_process;

    #[crate::test]
    fn accept_fails_with_emfile_until_the_descriptors_come_back() {
        in_own_process(|| {
            let (listener, address) = loopback_listener();
            // A blocking server: run out first (see run_out_of_descriptors).
            let mut out = run_out_of_descriptors(1);
            let server = crate::background::run_in_background("accept loop", move || {
                loop {
                    match listener.accept() {
                        Ok((_, peer)) => break peer,
                        Err(error) => {
                            eprintln!("accept failed: {error}");
                            thread::sleep(Duration::from_millis(100));
                        }
                    }
                }
            });
            let client = out.connect(address);
            out.expect_accept_backoff(&server, "the accept loop");
            out.release();
            let peer = server.returned("the accept after the descriptors came back");
            assert_eq!(peer, client.local_addr().unwrap());
        });
    }
}
