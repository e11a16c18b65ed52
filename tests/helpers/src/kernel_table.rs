//! What the kernel's table of TCP sockets says about a connection the test
//! cannot hold: the code under test's end of it. Linux-specific: it reads
//! `/proc/net/tcp`, IPv4 only.
//!
//! A test uses it to wait for a fact instead of guessing how long it takes:
//! "the server has read everything the test sent" is "the server's receive
//! queue is empty", which the test can see here.

use crate::deadline::STEP;
use std::fmt;
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

/// One socket's line of `/proc/net/tcp`, the parts a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLine {
    /// The state number, as in `include/net/tcp_states.h` (1 ESTABLISHED,
    /// 6 TIME_WAIT, 8 CLOSE_WAIT, 10 LISTEN, ...).
    pub state: u8,
    /// Bytes written and not yet acknowledged.
    pub send_queue: u32,
    /// Bytes received and not yet read by the program.
    pub recv_queue: u32,
}

impl fmt::Display for SocketLine {
    /// `ESTABLISHED send-Q 0 recv-Q 6`: the state by name, then the queues,
    /// as `ss -tan` shows them.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} send-Q {} recv-Q {}",
            state_name(self.state),
            self.send_queue,
            self.recv_queue
        )
    }
}

/// Linux's name for TCP state number `code` (`include/net/tcp_states.h`),
/// or `"?"` for a number Linux does not use.
pub fn state_name(code: u8) -> &'static str {
    match code {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        12 => "NEW_SYN_RECV",
        _ => "?",
    }
}

/// The line of the IPv4 socket whose local address is `local` and remote
/// address `remote`, or `None` when there is none (any more).
pub fn socket_line(local: SocketAddr, remote: SocketAddr) -> Option<SocketLine> {
    let wanted = format!("{} {}", hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp")
        .expect("reading /proc/net/tcp (this test needs Linux)");
    table.lines().find_map(|line| {
        let mut fields = line.split_whitespace().skip(1);
        let addresses = format!("{} {}", fields.next()?, fields.next()?);
        if addresses != wanted {
            return None;
        }
        let state = u8::from_str_radix(fields.next()?, 16).ok()?;
        let (send, recv) = fields.next()?.split_once(':')?;
        Some(SocketLine {
            state,
            send_queue: u32::from_str_radix(send, 16).ok()?,
            recv_queue: u32::from_str_radix(recv, 16).ok()?,
        })
    })
}

/// `127.0.0.1:8080` as `/proc/net/tcp` prints it: `0100007F:1F90`.
fn hex(address: SocketAddr) -> String {
    let SocketAddr::V4(address) = address else {
        panic!("kernel_table reads /proc/net/tcp, IPv4 only; {address} is IPv6")
    };
    let ip = u32::from_ne_bytes(address.ip().octets());
    format!("{ip:08X}:{:04X}", address.port())
}

/// Waits up to [`STEP`] until the socket `local` → `remote` exists and
/// `ready` accepts its line, and returns the line; fails the test naming
/// `waiting_for` and the line seen last.
#[track_caller]
pub fn wait_for_line(
    local: SocketAddr,
    remote: SocketAddr,
    waiting_for: &str,
    ready: impl Fn(&SocketLine) -> bool,
) -> SocketLine {
    let deadline = Instant::now() + STEP;
    loop {
        let line = socket_line(local, remote);
        match line {
            Some(line) if ready(&line) => return line,
            _ if Instant::now() > deadline => panic!(
                "deadline: waited {STEP:?} for {waiting_for} (the socket {local} -> {remote} in \
                 /proc/net/tcp); last seen: {}",
                line.map_or_else(|| String::from("not listed"), |line| line.to_string())
            ),
            _ => thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// Waits until the code under test has read every byte the test sent it:
/// the test's end `client` → `server` has nothing unacknowledged, and the
/// other end's receive queue is empty.
#[track_caller]
pub fn wait_until_peer_has_read(client: SocketAddr, server: SocketAddr, waiting_for: &str) {
    wait_for_line(client, server, waiting_for, |line| line.send_queue == 0);
    wait_for_line(server, client, waiting_for, |line| line.recv_queue == 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Client, accept, loopback_listener};
    use std::io::Read;

    #[test]
    fn sees_unread_bytes_and_their_reading() {
        let (listener, address) = loopback_listener();
        let mut client = Client::connect(address);
        let (mut server_side, peer) = accept(&listener, "the test's own client");
        client.send(b"four");
        let line = wait_for_line(address, peer, "4 unread bytes", |line| line.recv_queue == 4);
        assert_eq!(line.to_string(), "ESTABLISHED send-Q 0 recv-Q 4");
        server_side.read_exact(&mut [0; 4]).unwrap();
        wait_until_peer_has_read(peer, address, "the bytes to be read");
    }
}
