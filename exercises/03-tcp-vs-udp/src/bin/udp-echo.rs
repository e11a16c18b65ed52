//! udp-echo: sends every datagram back, unchanged, to the address it came from.
//!
//! ```text
//! cargo run -p lesson3 --bin udp-echo -- --listen 127.0.0.1:7000
//! nc -u 127.0.0.1 7000          (in another terminal; each line you type is a datagram)
//! ```
//!
//! Without `nc`, one datagram from Python:
//!
//! ```text
//! python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"hello", ("127.0.0.1", 7000)); print(s.recvfrom(65535))'
//! ```
//!
//! This file only reads the command line and binds; the server itself is
//! `lesson3::udp_echo::serve`, which you write in exercise 4.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every UDP datagram back, unchanged, to the address it came from.";
    netlings_cli::run("udp-echo", about, |address| {
        let socket = netlings_cli::bind_udp(address)?;
        lesson3::udp_echo::serve(socket).map_err(|error| format!("the socket failed: {error}"))
    })
}
