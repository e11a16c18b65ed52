//! frame-echo: sends every length-prefixed frame back to the client that sent it.
//!
//! A frame is a 4-byte big-endian length, then that many bytes; frames over
//! 1 MiB close the connection.
//!
//! ```text
//! cargo run -p lesson3 --bin frame-echo -- --listen 127.0.0.1:7001
//! printf '\0\0\0\5hello' | nc -N 127.0.0.1 7001 | xxd   (in another terminal; -N closes after sending)
//! ```
//!
//! This file only reads the command line and binds; the server is
//! `lesson3::frames::serve`, which runs on the `read_frame` and `write_frame`
//! you write in exercise 3.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every length-prefixed frame (4-byte big-endian length, then the payload) \
                 back to its sender; frames over 1 MiB close the connection.";
    let address = match netlings_cli::listen_address("frame-echo", about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    match listen_and_serve(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frame-echo: {message}");
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
    lesson3::frames::serve(listener)
        .map_err(|error| format!("the listener on {bound} failed: {error}"))
}
