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
//! Without `nc`, the same from Python (send, half-close, read until the end):
//!
//! ```text
//! python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 7001)); s.sendall(b"\0\0\0\5hello"); s.shutdown(socket.SHUT_WR); print(b"".join(iter(lambda: s.recv(4096), b"")))'
//! ```
//!
//! This file only reads the command line and binds; the server is
//! `lesson3::frames::serve`, which runs on the `read_frame` and `write_frame`
//! you write in exercise 3.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every length-prefixed frame (4-byte big-endian length, then the payload) \
                 back to its sender; frames over 1 MiB close the connection.";
    netlings_cli::run("frame-echo", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        lesson3::frames::serve(listener).map_err(|error| format!("the listener failed: {error}"))
    })
}
