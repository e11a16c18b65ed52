//! Exercise 1: ask the kernel what state a connection is in.
//!
//! The kernel keeps a record for every TCP socket: its state in the TCP
//! state machine (LISTEN, ESTABLISHED, CLOSE_WAIT, ...), its measured round
//! trip time, how many segments it had to send again. A program can read the
//! record of its own sockets with one system call, `getsockopt(fd,
//! IPPROTO_TCP, TCP_INFO, ...)`, which fills a `struct tcp_info`. This is
//! Linux-specific: macOS has `TCP_CONNECTION_INFO` with other fields, and
//! Windows has `SIO_TCP_INFO`.
//!
//! State changes happen in the kernel, when segments arrive, not when your
//! program looks. So a program (or a test) that wants to see a state must
//! *wait* for it: ask again and again, with a pause between the questions
//! and a deadline, and say which state it saw last when the deadline passes.
//!
//! Edit `TcpState::from_code`, `summarize` and `wait_for_state`;
//! `raw_tcp_info` and `tcp_info` are given.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::thread;
use std::time::{Duration, Instant};

/// The states of a TCP socket, as Linux numbers them in
/// `include/net/tcp_states.h` (and prints them, in hex, in `/proc/net/tcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpState {
    /// 1: the handshake is done; data flows both ways.
    Established,
    /// 2: a client sent its SYN and waits for the SYN-ACK.
    SynSent,
    /// 3: a server answered a SYN and waits for the last ACK.
    SynRecv,
    /// 4: this side closed (sent its FIN) and waits for it to be acknowledged.
    FinWait1,
    /// 5: this side's FIN was acknowledged; it waits for the peer's FIN.
    FinWait2,
    /// 6: both sides closed, this side first; the connection lingers for
    /// 2 × MSL so that old duplicate segments die out.
    TimeWait,
    /// 7: no connection: a fresh socket, or one whose connection ended.
    Close,
    /// 8: the peer closed (its FIN arrived); this side has not closed yet.
    CloseWait,
    /// 9: the peer closed first, then this side; it waits for the last ACK.
    LastAck,
    /// 10: a listening socket.
    Listen,
    /// 11: both sides sent a FIN at the same time.
    Closing,
    /// 12: a handshake in progress on a listener (Linux keeps these as
    /// light "request sockets"; `ss` shows them as SYN-RECV).
    NewSynRecv,
}

impl TcpState {
    /// The state whose Linux number is `code` (1 for ESTABLISHED up to 12
    /// for NEW_SYN_RECV, in the order of the variants above), or `None` for
    /// a number Linux does not use.
    pub fn from_code(code: u8) -> Option<TcpState> {
        // The numbering starts at 1, not 0: TCP_ESTABLISHED = 1 in the
        // kernel's enum, so a table indexed from 0 would be off by one.
        let state = match code {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynRecv,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Close,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            12 => TcpState::NewSynRecv,
            _ => return None,
        };
        Some(state)
    }

    /// The name the kernel's sources (and `netstat`) use: `ESTABLISHED`,
    /// `FIN_WAIT2`, `TIME_WAIT`, ...
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT1",
            TcpState::FinWait2 => "FIN_WAIT2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::NewSynRecv => "NEW_SYN_RECV",
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The part of the kernel's `struct tcp_info` this lesson reads, in Rust
/// units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpInfo {
    /// Where the socket is in the state machine.
    pub state: TcpState,
    /// The smoothed round-trip time the kernel measured (`tcpi_rtt`).
    pub rtt: Duration,
    /// Every segment sent again over the connection's whole life
    /// (`tcpi_total_retrans`).
    pub retransmits: u32,
    /// Segments sent and not yet acknowledged (`tcpi_unacked`).
    pub unacked: u32,
}

/// Reads `getsockopt(TCP_INFO)` for `socket`, as the kernel fills it.
/// Given: the one `unsafe` call of the lesson.
///
/// # Errors
///
/// The kernel's error: `EBADF` for a closed descriptor, `ENOPROTOOPT` for a
/// socket that is not TCP (a UDP socket, say).
pub fn raw_tcp_info(socket: &impl AsFd) -> io::Result<libc::tcp_info> {
    // SAFETY: tcp_info is plain old data (integers only), so all zeros is a
    // valid value; getsockopt writes at most `length` bytes into it.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut length = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the descriptor is open (we borrow it), and `info` and
    // `length` are valid for writes of the sizes given.
    let outcome = unsafe {
        libc::getsockopt(
            socket.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut length,
        )
    };
    if outcome == 0 {
        Ok(info)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Turns the kernel's `struct tcp_info` into a [`TcpInfo`].
///
/// The kernel's units: `tcpi_state` is a state number (see
/// [`TcpState::from_code`]); `tcpi_rtt` is in **microseconds**;
/// `tcpi_total_retrans` counts every retransmission of the connection's life
/// (`tcpi_retransmits`, without "total", only those of the segment being
/// retried right now); `tcpi_unacked` counts segments.
///
/// # Errors
///
/// `InvalidData` when `tcpi_state` is no state Linux uses: say which
/// number it was.
pub fn summarize(raw: &libc::tcp_info) -> io::Result<TcpInfo> {
    let state = TcpState::from_code(raw.tcpi_state).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "TCP_INFO reported state {}, which Linux does not use",
                raw.tcpi_state
            ),
        )
    })?;
    Ok(TcpInfo {
        state,
        // tcp_info counts time in microseconds; from_millis would make a
        // 40 µs loopback round trip look like 40 ms.
        rtt: Duration::from_micros(u64::from(raw.tcpi_rtt)),
        retransmits: raw.tcpi_total_retrans,
        unacked: raw.tcpi_unacked,
    })
}

/// What the kernel knows about `socket` now: [`raw_tcp_info`], then
/// [`summarize`]. Given.
pub fn tcp_info(socket: &impl AsFd) -> io::Result<TcpInfo> {
    summarize(&raw_tcp_info(socket)?)
}

/// How long [`wait_for_state`] pauses between two questions.
pub const POLL_PAUSE: Duration = Duration::from_millis(1);

/// Why [`wait_for_state`] gave up.
#[derive(Debug)]
pub enum WaitError {
    /// The deadline passed and `wanted` never appeared; `last_seen` is the
    /// state the last question returned.
    TimedOut {
        /// The state waited for.
        wanted: TcpState,
        /// The state the socket was in when the deadline passed.
        last_seen: TcpState,
        /// How long it waited.
        waited: Duration,
    },
    /// Asking for the state failed.
    Io(io::Error),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                wanted,
                last_seen,
                waited,
            } => write!(
                f,
                "waited {waited:?} for {wanted}, and the socket was still in {last_seen}"
            ),
            WaitError::Io(error) => write!(f, "could not read the socket's TCP state: {error}"),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::TimedOut { .. } => None,
            WaitError::Io(error) => Some(error),
        }
    }
}

/// Waits until `current_state` returns `wanted`, asking it again every
/// [`POLL_PAUSE`], for at most `timeout` in all.
///
/// `current_state` is how to ask: for a socket of your own,
/// `|| tcp_info(&socket).map(|info| info.state)`; a test can hand in a
/// scripted sequence instead.
///
/// Behaviour: ask at once; if the answer is `wanted`, return `Ok(())`.
/// Otherwise pause [`POLL_PAUSE`] (never spin without a pause: a loop that
/// asks millions of times a second burns a core that the very kernel work
/// you are waiting for needs) and ask again, until `timeout` has passed
/// since the start.
///
/// # Errors
///
/// [`WaitError::TimedOut`] naming the state seen *last* (not the first), so
/// that the message tells how far the connection got; [`WaitError::Io`]
/// with the error of a failed question, at once.
pub fn wait_for_state(
    mut current_state: impl FnMut() -> io::Result<TcpState>,
    wanted: TcpState,
    timeout: Duration,
) -> Result<(), WaitError> {
    let started = Instant::now();
    loop {
        let seen = current_state().map_err(WaitError::Io)?;
        if seen == wanted {
            return Ok(());
        }
        // The deadline is for the whole wait, measured from the start, so
        // that the caller's timeout means what it says however many times
        // we ask.
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(WaitError::TimedOut {
                wanted,
                last_seen: seen,
                waited,
            });
        }
        thread::sleep(POLL_PAUSE);
    }
}
