//! Demos for lesson 2. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson2-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `listener-and-connections` | one listening socket, and a new connection socket per `accept()` |
//! | `connect-before-accept` | the kernel finishes the handshake and queues the client before `accept()` |
//! | `backlog-burst` | a burst of 200 connects against a backlog of 128, then of 1024 |
//! | `bind-errors` | `AddrInUse` with a live listener, and rebinding a port in TIME_WAIT |
//! | `close-listener` | what closing a listener does to new and to queued clients |
//! | `accept-errors` | `accept()` out of descriptors (EMFILE) and on a broken listener, and what an accept loop does about each |
//! | `one-at-a-time` | a server that serves one client at a time passes a naive test, and fails real clients |
//! | `graceful-stop` | waking a blocked accept loop to stop it, and letting connected clients finish |
//!
//! This file holds the few helpers the programs share. The programs only ever
//! bind loopback addresses, so nothing they open can be reached from another
//! machine.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::thread;

/// Waits for Enter, or carries on at once when stdin is closed
/// (`cargo run ... </dev/null`). It lives once, in `netlings-cli`.
pub use netlings_cli::pause;

/// `127.0.0.1:0`: the loopback address, and a port the OS chooses.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A listening socket built one system call at a time, so that the caller
/// chooses what `TcpListener::bind` chooses for you: the backlog (std always
/// passes 128) and whether SO_REUSEADDR is set (std always sets it on Unix).
///
/// The order matters: socket options that affect `bind` must be set before
/// `bind`, and the backlog is an argument of `listen`.
pub fn listener_with(
    addr: SocketAddr,
    backlog: i32,
    reuse_address: bool,
) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(reuse_address)?;
    socket.bind(&addr.into())?;
    // The kernel silently caps `backlog` at net.core.somaxconn.
    socket.listen(backlog)?;
    Ok(socket.into())
}

/// What the demos' accept loops do after a failed `accept()`, by the
/// accept-loop rule of section 7: `Ok(())` to accept again (after logging
/// the error, and after a pause of `ACCEPT_BACKOFF` when the process ran out
/// of descriptors or memory), or the error back when the listener is broken
/// and the loop must end. `server` names the loop in the log line.
pub fn after_failed_accept(server: &str, error: io::Error) -> io::Result<()> {
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
            thread::sleep(ACCEPT_BACKOFF);
            Ok(())
        }
        // Every later accept() would fail the same way.
        AcceptFailure::ListenerBroken => Err(error),
    }
}

/// `fd 3 (socket:[12345])`: the file descriptor, and what Linux's /proc says
/// it points to. The bracketed number is the socket's inode, the same number
/// /proc/net/tcp prints; two sockets never share it.
#[cfg(unix)]
pub fn describe_fd(socket: &impl std::os::fd::AsRawFd) -> String {
    let fd = socket.as_raw_fd();
    match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
        Ok(target) => format!("fd {fd} ({})", target.display()),
        Err(_) => format!("fd {fd}"),
    }
}

/// On Windows a socket is a SOCKET handle rather than a file descriptor.
#[cfg(windows)]
pub fn describe_fd(socket: &impl std::os::windows::io::AsRawSocket) -> String {
    format!("SOCKET handle {}", socket.as_raw_socket())
}

/// The TCP states of every IPv4 socket whose local port is `port`, as Linux
/// lists them in /proc/net/tcp: `LISTEN`, `ESTABLISHED`, `TIME_WAIT`, ...
///
/// Each line of that file is one socket. The second column is the local
/// address as `IP:PORT` in hex (`0100007F:A5BD`), the fourth the state as a
/// hex code. On a system without /proc (not Linux) this returns an error.
pub fn tcp_states(port: u16) -> io::Result<Vec<&'static str>> {
    let table = std::fs::read_to_string("/proc/net/tcp")?;
    let wanted = format!(":{port:04X}");
    let states = table
        .lines()
        .skip(1) // the header line
        .filter_map(|line| {
            let mut columns = line.split_whitespace();
            let local = columns.nth(1)?;
            let state = columns.nth(1)?;
            local.ends_with(&wanted).then(|| state_name(state))
        })
        .collect();
    Ok(states)
}

/// The name of a TCP state code from /proc/net/tcp (see include/net/tcp_states.h).
fn state_name(code: &str) -> &'static str {
    match code {
        "01" => "ESTABLISHED",
        "02" => "SYN_SENT",
        "03" => "SYN_RECV",
        "04" => "FIN_WAIT1",
        "05" => "FIN_WAIT2",
        "06" => "TIME_WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE_WAIT",
        "09" => "LAST_ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        _ => "UNKNOWN",
    }
}
