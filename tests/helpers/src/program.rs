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
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

/// A running program. Dropping it kills the program.
pub struct Program {
    child: Child,
    name: String,
    address: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
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

        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut child_stderr = child.stderr.take().expect("stderr is piped");
        let stderr_sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut chunk = [0; 1024];
            while let Ok(read @ 1..) = child_stderr.read(&mut chunk) {
                stderr_sink
                    .lock()
                    .unwrap()
                    .extend_from_slice(&chunk[..read]);
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

    fn stderr_report(&self) -> String {
        let stderr = self.stderr.lock().unwrap();
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
