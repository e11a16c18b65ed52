//! reverse: answers every request with its bytes in reverse order. A
//! request ends where the client shuts down its writing side.
//!
//! ```text
//! cargo run -p lesson6 --bin reverse -- --listen 127.0.0.1:7878
//! printf 'hello' | nc -N 127.0.0.1 7878      (in another terminal: prints olleh)
//! ```
//!
//! `nc -N` shuts down its writing side at the end of its input: that EOF is
//! what ends the request. This file only reads the command line and binds;
//! the server is `lesson6::accept_loop::serve` (exercise 6) running
//! `lesson6::half_close::answer_one` (exercise 3) for every connection.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about =
        "Answers every request with its bytes reversed; a request ends at the client's EOF.";
    netlings_cli::run("reverse", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        lesson6::accept_loop::serve(listener, lesson6::half_close::answer_one)
            .map_err(|error| format!("the listener failed: {error}"))
    })
}
