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
//! `/proc/net/tcp` (read by the course's test helpers, which the tests use
//! too). Exercises 1 and 2 ask you to write both yourself.

// The TCP states by name, and the reader of /proc/net/tcp: the tests use
// them too, so they are written once, in the course's test helpers.
use netlings_helpers::kernel_table::{socket_line, state_name};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};

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
/// state and its send and receive queues (`ESTABLISHED send-Q 0 recv-Q 6`),
/// or "(not listed)". The course's tests read the table with the same
/// function, `netlings_helpers::kernel_table::socket_line`.
pub fn kernel_line(local: SocketAddr, remote: SocketAddr) -> String {
    match socket_line(local, remote) {
        Some(line) => line.to_string(),
        None => String::from("(not listed)"),
    }
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
