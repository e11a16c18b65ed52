//! How a test tells whoever started it that it finished.
//!
//! The code under test runs inside the test's process, so it can print
//! anything, `test result: ok. 1 passed` included, and it can end the process
//! with `std::process::exit(0)`. Neither the text nor the exit status of a
//! test process can therefore say that the test passed. This crate gives the
//! process that starts a test (the course's runner, or the helpers'
//! `in_own_process`) a private channel to it:
//!
//! 1. Before starting the test, the starter makes a connected pair of Unix
//!    sockets ([`Channel::attach`]), writes a fresh random token into its end,
//!    and lets the test process inherit the other end, whose descriptor
//!    number it names in `NETLINGS_VERDICT_FD`.
//! 2. The test function's first statement (written there by
//!    `#[netlings_helpers::test]`) is [`TestBody::start`]: it takes that
//!    descriptor, reads the token, and makes sure no program the test starts
//!    inherits the descriptor. All of this happens before any code under test
//!    runs.
//! 3. When the test body returns without panicking, [`TestBody`]'s drop
//!    writes `finished TOKEN`. A panic, an `exit`, an abort or a kill writes
//!    nothing.
//! 4. After the process ended, the starter reads its end ([`Channel::report`]).
//!    A test passed when, and only when, its process exited with status 0 and
//!    the report with the right token arrived.
//!
//! Run without a starter (`cargo test -p lesson1`), `NETLINGS_VERDICT_FD` is
//! not set and [`TestBody`] does nothing: libtest's own verdict stands.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable that names the test's end of the channel.
pub const CHANNEL_FD: &str = "NETLINGS_VERDICT_FD";

/// The starter's end of a test's verdict channel.
#[derive(Debug)]
pub struct Channel {
    ours: UnixStream,
    /// The test's end, kept open until the process is spawned.
    theirs: Option<UnixStream>,
    token: String,
}

/// What arrived on a channel once the test process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The test body returned without panicking.
    Finished,
    /// Nothing arrived: the process ended before the test body returned (a
    /// panic, an `exit`, an abort, a signal), or the test does not go through
    /// `#[netlings_helpers::test]`.
    Missing,
    /// Something arrived, but not the report with this run's token: code
    /// other than the test wrapper wrote to the channel.
    Forged(String),
}

impl Channel {
    /// Makes a channel and arranges for `command`'s process to inherit the
    /// test's end of it. Call [`Channel::spawned`] once `command` has started.
    pub fn attach(command: &mut Command) -> io::Result<Channel> {
        let (mut ours, theirs) = UnixStream::pair()?;
        let token = random_token()?;
        writeln!(ours, "{token}")?;
        ours.set_nonblocking(true)?;
        let inherited = theirs.as_raw_fd();
        command.env(CHANNEL_FD, inherited.to_string());
        // SAFETY: between fork and exec only async-signal-safe functions may
        // run; fcntl is one, and the closure allocates nothing.
        unsafe {
            command.pre_exec(move || {
                // std opens every descriptor close-on-exec; this one the test
                // process must keep.
                if libc::fcntl(inherited, libc::F_SETFD, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Ok(Channel {
            ours,
            theirs: Some(theirs),
            token,
        })
    }

    /// Closes the starter's copy of the test's end, once the test process
    /// has its own.
    pub fn spawned(&mut self) {
        self.theirs = None;
    }

    /// What the test reported. Call it after the test process ended: what
    /// it wrote before it ended is still in the channel.
    pub fn report(&self) -> Report {
        let mut arrived = Vec::new();
        let mut buffer = [0; 256];
        loop {
            match (&self.ours).read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => arrived.extend_from_slice(&buffer[..n]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let arrived = String::from_utf8_lossy(&arrived).into_owned();
        if arrived.is_empty() {
            Report::Missing
        } else if arrived == finished_line(&self.token) {
            Report::Finished
        } else {
            Report::Forged(arrived)
        }
    }
}

/// Set once a [`TestBody`] took the channel: one test per process.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Guards a test body: started before the body runs, it reports "finished"
/// on the verdict channel when the body returns without panicking.
///
/// `#[netlings_helpers::test]` writes `let _verdict = TestBody::start();` as
/// the test function's first statement.
#[derive(Debug)]
#[must_use = "the test is reported finished when this guard drops at the end of the test body"]
pub struct TestBody {
    channel: Option<(UnixStream, String)>,
}

impl TestBody {
    /// Takes the verdict channel and its token, if a starter gave one.
    ///
    /// # Panics
    ///
    /// When `NETLINGS_VERDICT_FD` is set but does not name a channel with a
    /// token in it: whoever started the test would then wait for a report
    /// that cannot come, so the test fails at once and says why.
    pub fn start() -> TestBody {
        let Some(named) = std::env::var_os(CHANNEL_FD) else {
            return TestBody { channel: None };
        };
        assert!(
            !TAKEN.swap(true, Ordering::SeqCst),
            "two tests ran in one process that reports its verdict on {CHANNEL_FD}: the \
             runner starts one test per process (`--exact NAME`)"
        );
        let channel = take_channel(&named.to_string_lossy()).unwrap_or_else(|error| {
            panic!(
                "{CHANNEL_FD}={} does not name a verdict channel this test can use: {error}",
                named.display()
            )
        });
        TestBody {
            channel: Some(channel),
        }
    }
}

impl Drop for TestBody {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        if let Some((mut stream, token)) = self.channel.take() {
            // If this write fails the starter sees no report and fails the
            // test, which is right: it cannot know that the body finished.
            let _ = stream.write_all(finished_line(&token).as_bytes());
        }
    }
}

/// Takes the inherited descriptor `named`, and reads the token from it.
fn take_channel(named: &str) -> io::Result<(UnixStream, String)> {
    let fd: RawFd = named
        .parse()
        .map_err(|_| io::Error::other(format!("{named:?} is not a descriptor number")))?;
    // Refuse anything that is not an open socket before taking ownership:
    // a stale number could name some other file of this process.
    let probe = std::mem::ManuallyDrop::new(
        // SAFETY: the File is never dropped, so it neither closes nor
        // outlives the descriptor; it only asks fstat about it.
        unsafe { File::from_raw_fd(fd) },
    );
    if !probe.metadata()?.file_type().is_socket() {
        return Err(io::Error::other(format!("descriptor {fd} is not a socket")));
    }
    // SAFETY: the starter made this descriptor for this process alone and
    // named it in the environment; TAKEN makes sure it is taken once.
    let inherited = unsafe { OwnedFd::from_raw_fd(fd) };
    // A clone is made close-on-exec, so programs the test starts (and code
    // under test that starts programs) do not inherit the channel; the
    // original descriptor closes when `inherited` drops.
    let mut stream = UnixStream::from(inherited.try_clone()?);
    drop(inherited);
    stream.set_nonblocking(true)?;
    let token = read_token(&mut stream)?;
    if token.is_empty() {
        return Err(io::Error::other("the channel holds no token"));
    }
    stream.set_nonblocking(false)?;
    Ok((stream, token))
}

/// Reads the token line the starter wrote, byte by byte so that nothing
/// after it is taken from the channel.
fn read_token(stream: &mut UnixStream) -> io::Result<String> {
    let mut token = Vec::new();
    let mut byte = [0; 1];
    while !token.ends_with(b"\n") {
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => token.push(byte[0]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    Ok(String::from_utf8_lossy(&token).trim().to_owned())
}

fn finished_line(token: &str) -> String {
    format!("finished {token}\n")
}

/// 128 bits from the kernel's random source, in hex.
fn random_token() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_without_the_token_is_forged() {
        let mut command = Command::new("true");
        let mut channel = Channel::attach(&mut command).expect("a channel");
        let mut theirs = channel.theirs.take().expect("the test's end");
        assert_eq!(channel.report(), Report::Missing);
        theirs
            .write_all(b"finished 0123\n")
            .expect("writing to the channel");
        assert_eq!(
            channel.report(),
            Report::Forged(String::from("finished 0123\n"))
        );
    }

    #[test]
    fn the_report_with_the_token_is_finished() {
        let mut command = Command::new("true");
        let mut channel = Channel::attach(&mut command).expect("a channel");
        let mut theirs = channel.theirs.take().expect("the test's end");
        let token = read_token(&mut theirs).expect("reading the token");
        theirs
            .write_all(finished_line(&token).as_bytes())
            .expect("writing the report");
        assert_eq!(channel.report(), Report::Finished);
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
