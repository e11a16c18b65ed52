//! accept-log: logs every client it accepts and tells each one how many
//! clients it has accepted so far, then hangs up.
//!
//! ```text
//! cargo run -p lesson2 --bin accept-log -- --listen 127.0.0.1:7878
//! nc 127.0.0.1 7878          (in another terminal, a few times; ss -tan shows the sockets)
//! ```
//!
//! This file only reads the command line and binds; the server itself is
//! `lesson2::accept::serve_accept_log`, which you write in exercise 1.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Logs every client it accepts, one line each, and answers each client with the \
                 number of clients accepted so far.";
    let address = match netlings_cli::listen_address("accept-log", about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    match listen_and_serve(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("accept-log: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `address`, says where it listens, and serves until the listener or
/// the log fails.
fn listen_and_serve(address: SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(address)
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    // With port 0 the OS chose the port: announce the address it really bound.
    let bound = listener
        .local_addr()
        .map_err(|error| format!("cannot read the address bound for {address}: {error}"))?;
    netlings_cli::announce(bound);
    // The log goes to stdout, after the `listening on` line.
    lesson2::accept::serve_accept_log(listener, std::io::stdout())
        .map_err(|error| format!("serving on {bound} failed: {error}"))
}
