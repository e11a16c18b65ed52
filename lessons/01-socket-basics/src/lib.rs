//! Demos for lesson 1. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson1-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `socket-addresses` | what a socket address is, and which texts are not one |
//! | `same-port-tcp-udp` | a TCP socket and a UDP socket on the same port are two sockets |
//! | `ephemeral-ports` | the ports the OS picks when you ask for port 0, or connect |
//! | `resolve-name` | one name, several addresses |
//! | `syscalls` | socket(), bind(), listen(), accept(), one system call at a time |
//! | `four-tuple` | what identifies a connection, seen from both ends and from `ss` |
//! | `connect-outcomes` | open, refused, and no answer: what `connect` does in each case |
//! | `ipv4-mapped` | an IPv6 socket that accepts an IPv4 client, and how to read its address |
//!
//! The programs only ever bind loopback addresses (`127.0.0.1`, `::1`), so
//! nothing they open can be reached from another machine.

use std::io::{BufRead, Write};

/// Prints `prompt` and waits until the reader presses Enter.
///
/// Some demos stop half-way so that you can look at their sockets from
/// another terminal with `ss`. When stdin is not a terminal, or is closed
/// (`cargo run ... </dev/null`, or a CI job), there is nobody to press Enter:
/// reading then returns end-of-file at once, and the demo simply carries on.
/// That is why this reads a line and treats "0 bytes read" as "go on", instead
/// of waiting for a key that can never come.
pub fn pause(prompt: &str) {
    print!("{prompt} ");
    // `print!` without a newline stays in stdout's buffer; flush it, or the
    // reader would stare at an empty line while the program waits for them.
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => println!("(stdin is closed, so not waiting)"),
        Ok(_) => {}
    }
}
