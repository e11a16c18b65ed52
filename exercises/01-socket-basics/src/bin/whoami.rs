//! whoami: tells every client the address it connects from, then hangs up.
//!
//! ```text
//! cargo run -p lesson1 --bin whoami -- --listen 127.0.0.1:7878
//! nc 127.0.0.1 7878          (in another terminal)
//! ```
//!
//! This file only reads the command line and binds; the server itself is
//! `lesson1::whoami::serve`, which you write in exercise 4.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about =
        "Tells every client the IP address and port it connects from, then closes the connection.";
    netlings_cli::run("whoami", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        lesson1::whoami::serve(listener).map_err(|error| format!("the listener failed: {error}"))
    })
}
