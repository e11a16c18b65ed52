//! Exercise 6: one connection, many requests.
//!
//! Opening a TCP connection costs a round trip (and a TLS handshake costs
//! one or two more), so HTTP/1.1 keeps the connection open after a response
//! and reads the next request from it: keep-alive. A client may even send
//! several requests without waiting for the answers (pipelining); the server
//! answers them one after the other, in order.
//!
//! That only works because every message says where it ends: the head with
//! its empty line, the body with its Content-Length (exercises 2 to 4). And
//! it only works if the bytes read past one request are kept for the next:
//! one `BufReader` for the life of the connection, never one per request.
//!
//! The connection ends when the client closes it between requests, when
//! either side says `Connection: close`, after an HTTP/1.0 request that did
//! not ask for keep-alive, and after a refused request: once a request could
//! not be read, nobody knows where the next one would start.
//!
//! The parts are yours already: `crate::head::read_head`,
//! `crate::body::read_body`, `crate::files::respond`,
//! `crate::response::write_response`, with `std::io::BufReader` and
//! `crate::http::{RequestError, Response, Version}`; `std::io::BufRead`
//! for `fill_buf` and `std::time::Instant` for the log's times.

use crate::http::{Request, RequestLog};
use std::io::{self, Read, Write};
use std::path::Path;

/// Whether the connection stays open after the answer to `request`.
///
/// The `Connection` field is a comma-separated list of options, compared
/// without regard to case (`Keep-Alive, Close`). HTTP/1.1: yes, unless it
/// lists `close`. HTTP/1.0: no, unless it lists `keep-alive` (and not
/// `close`).
pub fn wants_keep_alive(request: &Request) -> bool {
    todo!(
        "split the Connection field into options; close means no, otherwise HTTP/1.1 means yes and HTTP/1.0 only with keep-alive"
    )
}

/// Serves every request that comes on `stream` with the files under `root`
/// (exercise 5's `respond`), until the connection ends, and calls `log`
/// once for each request answered.
///
/// For each request: wait for its first byte (`fill_buf` on the reader:
/// the connection may sit idle a long time between requests, and that wait
/// is not the request's), read its head (exercise 2) and its body (exercise
/// 3, even when nobody needs the body: it must be skipped to reach the next
/// request), answer it (exercise 4; no body for `HEAD`), and go on while
/// [`wants_keep_alive`] says so. The answer to the request after which the
/// connection ends has a `Connection: close` field; the answer to an
/// HTTP/1.0 request that is kept alive has `Connection: keep-alive`, since
/// a 1.0 client would not assume it.
///
/// A refused request (`RequestError::Refused`) is answered with
/// `Response::refusal` and `Connection: close`, and the connection ends.
///
/// After each answer, refusals included, `log` gets a [`RequestLog`]: the
/// method and target (`-` when the head could not be read), the status,
/// the bytes of body sent (0 for HEAD), and the time from the request's
/// first byte to the end of its answer.
///
/// Returns `Ok(())` when the connection ends as described (the client
/// closed between requests, or the server closes after an answer).
///
/// # Errors
///
/// A failed read (`RequestError::Io`: a reset, a timeout, a client that
/// left mid-request) or a failed write, as it is. Nothing is logged for a
/// request that got no answer.
pub fn serve_connection<S: Read + Write>(
    stream: S,
    root: &Path,
    mut log: impl FnMut(RequestLog),
) -> io::Result<()> {
    todo!(
        "with one BufReader for the whole connection, loop: wait for a first byte, read_head, read_body, respond, write_response, log, until the client closes or the connection must end"
    )
}
