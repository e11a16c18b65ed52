//! Exercise 3: half-close: a request ended by EOF, and its reply.
//!
//! A TCP connection is two byte streams, one each way, and each side can end
//! its own stream without ending the other: `shutdown(Shutdown::Write)`
//! sends a FIN, the peer's reads return 0 (end of file) once they have
//! every byte before it, and the peer can still write back. That is the
//! simplest framing there is: "the request is everything until EOF".
//!
//! ```text
//! client                                      server
//!   write_all(request) ── bytes ──▶             read ... read (until 0)
//!   shutdown(Write)    ── FIN ────▶             read returns 0: the request is whole
//!                                               write_all(reply)
//!   read ... read      ◀── bytes ──             drop: close()
//!   read returns 0     ◀── FIN ────
//! ```
//!
//! Neither side counts bytes: each reads until EOF. A side that reads a
//! fixed number of bytes instead, or reads once, gets a piece of the
//! message, because TCP keeps no message boundaries (lesson 3).
//!
//! Edit `read_to_eof`, `request` and `answer_one`; `reply_to` is given.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};

/// The largest request [`answer_one`] accepts, in bytes.
pub const MAX_REQUEST: usize = 64 * 1024;

/// Reads everything `reader` has until end of file and returns it, or fails
/// once more than `limit` bytes have come.
///
/// Reads in a loop: one `read` returns whatever has arrived so far, maybe a
/// single byte, and only a `read` that returns 0 means the end. A read that
/// fails with `Interrupted` (a signal arrived) read nothing: call it again.
///
/// # Errors
///
/// `InvalidData` as soon as more than `limit` bytes have arrived (a request
/// of exactly `limit` bytes is fine): stop reading then, so a peer that
/// sends without end cannot fill the memory. Any other read error as it is.
pub fn read_to_eof(reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    todo!(
        "loop: read into a buffer; 0 means EOF: return what you have; append and fail with InvalidData once over limit; read again after Interrupted"
    )
}

/// What the server answers to `request`: its bytes in reverse order. Given.
pub fn reply_to(request: &[u8]) -> Vec<u8> {
    request.iter().rev().copied().collect()
}

/// Sends `body` as one request to the server at `server` and returns its
/// whole reply.
///
/// Connects, writes all of `body`, then shuts down the writing side so that
/// the server sees the end of the request (its read returns 0), and reads
/// the reply until the server closes (your read returns 0). The reply can
/// be any length, longer or shorter than the request.
///
/// # Errors
///
/// The error of any step: `ConnectionRefused` when nothing listens, and
/// `ConnectionReset` when the server aborts mid-reply. A reset is not an
/// end of file: return the error, not the bytes that came before it.
pub fn request(server: SocketAddr, body: &[u8]) -> io::Result<Vec<u8>> {
    todo!("connect, write_all the body, shutdown(Shutdown::Write), then read_to_end the reply")
}

/// Serves one connection: reads the request until the client's EOF (at
/// most [`MAX_REQUEST`] bytes, with [`read_to_eof`]), writes
/// [`reply_to`] of it, and closes the connection.
///
/// The reply goes out only after the whole request: a server that answers
/// what one `read` returned answers a piece of it.
///
/// # Errors
///
/// The error of reading or writing. A request over the limit ends the
/// connection without a reply (its error is returned).
pub fn answer_one(stream: TcpStream) -> io::Result<()> {
    todo!(
        "read the request with read_to_eof(&mut stream, MAX_REQUEST), write_all reply_to(&request), then return (dropping the stream closes it)"
    )
}
