//! Demos for lesson 6. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson6-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `stages` | a server and a client through every stage, with the kernel's state after each |
//! | `wrong-order` | each call made at the wrong stage, and the error the kernel gives |
//! | `closing-kinds` | an orderly close, a close with unread data, and SO_LINGER 0, seen from the peer |
//! | `nagle` | a write-write-read exchange with and without TCP_NODELAY, timed |
//!
//! The programs only ever bind loopback addresses (`127.0.0.1`, `::1`), so
//! nothing they open can be reached from another machine. `TCP_INFO` and
//! `/proc/net/tcp` are Linux-specific, and so are the demos that read them.
//!
//! This library holds the two small readers the demos share: the state of a
//! socket the program holds (`TCP_INFO`), and the line of any socket in
//! `/proc/net/tcp`. Exercises 1 and 2 ask you to write both yourself.

use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};

/// Linux's name for TCP state number `code` (include/net/tcp_states.h).
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

/// The state of a socket this program holds, from `getsockopt(TCP_INFO)`
/// (Linux only), or the error's text.
pub fn own_state(socket: &impl AsFd) -> String {
    // SAFETY: tcp_info is plain integers, so all zeros is a valid value, and
    // getsockopt writes at most `length` bytes into it.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut length = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the descriptor is open while borrowed; both pointers are valid.
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
        state_name(info.tcpi_state).to_string()
    } else {
        format!("({})", std::io::Error::last_os_error())
    }
}

/// What `/proc/net/tcp` lists for the IPv4 socket `local` → `remote`: its
/// state and its send and receive queues, or "(not listed)".
pub fn kernel_line(local: SocketAddr, remote: SocketAddr) -> String {
    let hex = |address: SocketAddr| match address {
        SocketAddr::V4(v4) => format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        ),
        SocketAddr::V6(_) => String::from("(IPv6: see /proc/net/tcp6)"),
    };
    let wanted = format!("{} {}", hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    for line in table.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() > 4 && format!("{} {}", fields[1], fields[2]) == wanted {
            let state = u8::from_str_radix(fields[3], 16).unwrap_or(0);
            let (send, recv) = fields[4].split_once(':').unwrap_or(("?", "?"));
            let send = u32::from_str_radix(send, 16).unwrap_or(0);
            let recv = u32::from_str_radix(recv, 16).unwrap_or(0);
            return format!("{} send-Q {send} recv-Q {recv}", state_name(state));
        }
    }
    String::from("(not listed)")
}

/// Polls `probe` every millisecond for up to two seconds until it returns
/// `wanted`, and returns what it saw last: demos, like tests, wait for a
/// state instead of hoping it is there.
pub fn wait_for(wanted: &str, mut probe: impl FnMut() -> String) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let seen = probe();
        if seen.starts_with(wanted) || std::time::Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
