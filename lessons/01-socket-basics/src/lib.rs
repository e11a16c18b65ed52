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
//! | `connect-outcomes` | open, refused, no answer, and unreachable: what `connect` does in each case |
//! | `ipv4-mapped` | an IPv6 socket that accepts an IPv4 client, and how to read its address |
//!
//! The programs only ever bind loopback addresses (`127.0.0.1`, `::1`), so
//! nothing they open can be reached from another machine.
