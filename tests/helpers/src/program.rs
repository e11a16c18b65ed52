//! Starting a lesson's runnable program the way a learner would, and waiting
//! for the line that says where it listens.
//!
//! Every server program of the course follows one contract: `--listen ADDR`
//! chooses the address, and the first line on stdout is `listening on ADDR`
//! with the address the OS actually bound, flushed at once. Tests start the
//! program on `127.0.0.1:0` and read that line instead of guessing a port or
//! sleeping.

use crate::deadline::STEP;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// A running program. Dropping it kills the program.
pub struct Program {
    child: Child,
    name: String,
    address: SocketAddr,
    stderr: Arc<Stderr>,
}

/// What the program wrote to stderr so far, and a way to wait for more.
#[derive(Default)]
struct Stderr {
    bytes: Mutex<Vec<u8>>,
    more: Condvar,
}

impl Program {
    /// Starts `executable` with `args` and waits (up to [`STEP`]) for its
    /// `listening on ADDR` line. In a test, pass `env!("CARGO_BIN_EXE_name")`
    /// and `["--listen", "127.0.0.1:0"]`.
    #[track_caller]
    pub fn start(executable: &str, args: &[&str]) -> Program {
        let name = executable
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(executable)
            .to_owned();
        let spawned = Command::new(executable)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) => panic!("the test could not start {executable}: {error}"),
        };

        let stderr = Arc::new(Stderr::default());
        let mut child_stderr = child.stderr.take().expect("stderr is piped");
        let stderr_sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut chunk = [0; 1024];
            while let Ok(read @ 1..) = child_stderr.read(&mut chunk) {
                stderr_sink
                    .bytes
                    .lock()
                    .unwrap()
                    .extend_from_slice(&chunk[..read]);
                stderr_sink.more.notify_all();
            }
        });

        // The first stdout line goes to the test; the rest is drained so that
        // the program never blocks on a full pipe.
        let (first_line_tx, first_line) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        thread::spawn(move || {
            let mut lines = stdout.lines();
            let _ = first_line_tx.send(lines.next());
            lines.for_each(drop);
        });

        let mut program = Program {
            child,
            name,
            address: SocketAddr::from(([0, 0, 0, 0], 0)),
            stderr,
        };
        let line = match first_line.recv_timeout(STEP) {
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(error))) => panic!("reading {}'s stdout failed: {error}", program.name),
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = program.child.wait().expect("waiting for the program");
                panic!(
                    "{} exited ({status}) before printing `listening on ADDR`.{}",
                    program.name,
                    program.stderr_report()
                )
            }
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "waited {STEP:?} for {}'s first line, `listening on ADDR`, and none came. Does it \
                 print the line right after binding, before it starts serving?{}",
                program.name,
                program.stderr_report()
            ),
        };
        program.address = program.parse_listening_line(&line);
        program
    }

    /// The address the program said it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    #[track_caller]
    fn parse_listening_line(&self, line: &str) -> SocketAddr {
        let Some(address) = line.strip_prefix("listening on ") else {
            panic!(
                "{}'s first line on stdout must be `listening on ADDR`; it printed {line:?}",
                self.name
            )
        };
        let address: SocketAddr = match address.trim().parse() {
            Ok(address) => address,
            Err(error) => panic!(
                "{} printed {line:?}, but {address:?} is not an IP:port address: {error}",
                self.name
            ),
        };
        assert_ne!(
            address.port(),
            0,
            "{} printed {line:?}: port 0 only asks the OS to choose; print the address the \
             listener really got (`listener.local_addr()`)",
            self.name
        );
        address
    }

    /// Waits (up to [`STEP`]) until the program has written `count` whole
    /// lines to stderr that contain `needle`, and returns them, in order.
    /// `waiting_for` says what the test waits for, in the failure message.
    #[track_caller]
    pub fn stderr_lines(&self, needle: &str, count: usize, waiting_for: &str) -> Vec<String> {
        let deadline = Instant::now() + STEP;
        let mut bytes = self.stderr.bytes.lock().unwrap();
        loop {
            let text = String::from_utf8_lossy(&bytes);
            // Only whole lines: the last one may still be on its way.
            let complete = text.rsplit_once('\n').map_or("", |(complete, _)| complete);
            let lines: Vec<String> = complete
                .lines()
                .filter(|line| line.contains(needle))
                .map(str::to_owned)
                .collect();
            if lines.len() >= count {
                return lines;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(bytes);
                panic!(
                    "deadline: waited {STEP:?} for {waiting_for}: {} wrote {} of the {count} \
                     lines on stderr that contain {needle:?}.{}",
                    self.name,
                    lines.len(),
                    self.stderr_report()
                );
            }
            bytes = self.stderr.more.wait_timeout(bytes, left).unwrap().0;
        }
    }

    /// Sends the program SIGTERM, what `kill PID` and a service manager's
    /// stop send.
    pub fn terminate(&self) {
        // SAFETY: kill only sends a signal to our own child's pid.
        let sent = unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(sent, 0, "sending SIGTERM to {} failed", self.name);
    }

    /// Waits (up to [`STEP`]) for the program to exit, and returns how it
    /// ended. `waiting_for` says why it should, in the failure message.
    #[track_caller]
    pub fn wait_for_exit(&mut self, waiting_for: &str) -> ExitStatus {
        let deadline = Instant::now() + STEP;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) => {}
                Err(error) => panic!("waiting for {} failed: {error}", self.name),
            }
            assert!(
                Instant::now() < deadline,
                "deadline: waited {STEP:?} for {waiting_for}: {} is still running.{}",
                self.name,
                self.stderr_report()
            );
            // No event to wait on for a child's exit in std; poll it.
            thread::sleep(Duration::from_millis(1));
        }
    }

    fn stderr_report(&self) -> String {
        let stderr = self.stderr.bytes.lock().unwrap();
        if stderr.is_empty() {
            String::new()
        } else {
            format!(" Its stderr:\n{}", String::from_utf8_lossy(&stderr))
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
