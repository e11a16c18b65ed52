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

use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Logs every client it accepts, one line each, and answers each client with the \
                 number of clients accepted so far.";
    netlings_cli::run("accept-log", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        // The log goes to stdout, after the `listening on` line.
        lesson2::accept::serve_accept_log(listener, std::io::stdout())
            .map_err(|error| format!("serving failed: {error}"))
    })
}
