//! echo: sends every byte back to the client that sent it, to many clients
//! at once, a tokio task each.
//!
//! ```text
//! cargo run -p lesson4 --bin echo -- --listen 127.0.0.1:7004
//! nc 127.0.0.1 7004          (in several terminals at once)
//! ```
//!
//! This file only reads the command line, builds the runtime and binds; the
//! server is `lesson4::tasks::serve`, which you write in exercise 2.

use std::net::SocketAddr;
use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every byte back to the client that sent it; serves many clients at once.";
    let address = match netlings_cli::listen_address("echo", about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    // A multi-threaded runtime, one worker per core: what a real server uses.
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("echo: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(listen_and_serve(address)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("echo: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `address`, says where it listens, and serves until the listener fails.
async fn listen_and_serve(address: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    // With port 0 the OS chose the port: announce the address it really bound.
    let bound = listener
        .local_addr()
        .map_err(|error| format!("cannot read the address bound for {address}: {error}"))?;
    netlings_cli::announce(bound);
    lesson4::tasks::serve(listener)
        .await
        .map_err(|error| format!("the listener on {bound} failed: {error}"))
}
