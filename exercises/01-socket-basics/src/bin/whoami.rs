//! whoami: tells every client the address it connects from, then hangs up.
//!
//! ```text
//! cargo run -p lesson1 --bin whoami -- --listen 127.0.0.1:7878
//! nc 127.0.0.1 7878          (in another terminal)
//! ```
//!
//! This file only reads the command line and binds; the server itself is
//! `lesson1::whoami::serve`, which you write in exercise 4.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

fn main() -> ExitCode {
    let about =
        "Tells every client the IP address and port it connects from, then closes the connection.";
    let address = match netlings_cli::listen_address("whoami", about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    match listen_and_serve(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("whoami: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `address`, says where it listens, and serves until the listener fails.
fn listen_and_serve(address: SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(address)
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    // With port 0 the OS chose the port: announce the address it really bound.
    let bound = listener
        .local_addr()
        .map_err(|error| format!("cannot read the address bound for {address}: {error}"))?;
    netlings_cli::announce(bound);
    lesson1::whoami::serve(listener)
        .map_err(|error| format!("the listener on {bound} failed: {error}"))
}
