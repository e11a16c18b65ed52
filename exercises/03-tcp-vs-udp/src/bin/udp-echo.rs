//! udp-echo: sends every datagram back, unchanged, to the address it came from.
//!
//! ```text
//! cargo run -p lesson3 --bin udp-echo -- --listen 127.0.0.1:7000
//! nc -u 127.0.0.1 7000          (in another terminal; each line you type is a datagram)
//! ```
//!
//! This file only reads the command line and binds; the server itself is
//! `lesson3::udp_echo::serve`, which you write in exercise 4.

use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every UDP datagram back, unchanged, to the address it came from.";
    let address = match netlings_cli::listen_address("udp-echo", about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    match bind_and_serve(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("udp-echo: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `address`, says where it listens, and serves until receiving fails.
fn bind_and_serve(address: SocketAddr) -> Result<(), String> {
    // UDP has no listen(): a bound socket receives datagrams at once.
    let socket =
        UdpSocket::bind(address).map_err(|error| format!("cannot bind {address}: {error}"))?;
    // With port 0 the OS chose the port: announce the address it really bound.
    let bound = socket
        .local_addr()
        .map_err(|error| format!("cannot read the address bound for {address}: {error}"))?;
    netlings_cli::announce(bound);
    lesson3::udp_echo::serve(socket)
        .map_err(|error| format!("the socket on {bound} failed: {error}"))
}
