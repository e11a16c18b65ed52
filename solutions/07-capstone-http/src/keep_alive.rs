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

use crate::body::read_body;
use crate::files::respond;
use crate::head::read_head;
use crate::http::{Request, RequestError, RequestLog, Response, Version};
use crate::response::write_response;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Instant;

/// Whether the connection stays open after the answer to `request`.
///
/// The `Connection` field is a comma-separated list of options, compared
/// without regard to case (`Keep-Alive, Close`). HTTP/1.1: yes, unless it
/// lists `close`. HTTP/1.0: no, unless it lists `keep-alive` (and not
/// `close`).
pub fn wants_keep_alive(request: &Request) -> bool {
    let options: Vec<String> = request
        .headers
        .get("connection")
        .unwrap_or("")
        .split(',')
        .map(|option| option.trim().to_ascii_lowercase())
        .collect();
    let listed = |option: &str| options.iter().any(|listed| listed == option);
    if listed("close") {
        return false;
    }
    request.line.version != Version::HTTP_1_0 || listed("keep-alive")
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
    // One reader for the whole connection: it holds bytes read past the
    // current request (the start of the next, pipelined one).
    let mut reader = BufReader::new(stream);
    loop {
        // Wait for the first byte of the next request (or the end of the
        // connection), so that the clock starts when the request does.
        if reader.fill_buf()?.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let request = match read_head(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(()),
            Err(error) => {
                let (status, bytes) = refuse(reader.get_mut(), error)?;
                log(RequestLog::unreadable(status, bytes, started.elapsed()));
                return Ok(());
            }
        };
        if let Err(error) = read_body(&mut reader, &request) {
            let (status, body_bytes) = refuse(reader.get_mut(), error)?;
            log(entry(&request, status, body_bytes, started));
            return Ok(());
        }
        let keep_alive = wants_keep_alive(&request);
        let mut response = respond(root, &request);
        if !keep_alive {
            response
                .headers
                .push(("Connection".to_string(), "close".to_string()));
        } else if request.line.version == Version::HTTP_1_0 {
            response
                .headers
                .push(("Connection".to_string(), "keep-alive".to_string()));
        }
        let head_only = request.line.method == "HEAD";
        write_response(reader.get_mut(), &response, head_only)?;
        let body_bytes = if head_only { 0 } else { response.body.len() };
        log(entry(&request, response.status, body_bytes, started));
        if !keep_alive {
            return Ok(());
        }
    }
}

/// The log entry of `request`, answered with `status` and `body_bytes` of
/// body, which started at `started`.
fn entry(request: &Request, status: u16, body_bytes: usize, started: Instant) -> RequestLog {
    RequestLog {
        method: request.line.method.clone(),
        target: request.line.target.clone(),
        status,
        body_bytes,
        took: started.elapsed(),
    }
}

/// Answers a refused request and ends the connection (returning the status
/// and the bytes of body sent), or passes an I/O error on: there is nobody
/// left to answer.
fn refuse(writer: &mut impl Write, error: RequestError) -> io::Result<(u16, usize)> {
    match error {
        RequestError::Io(error) => Err(error),
        RequestError::Refused(refusal) => {
            let mut response = Response::refusal(&refusal);
            response
                .headers
                .push(("Connection".to_string(), "close".to_string()));
            write_response(writer, &response, false)?;
            Ok((response.status, response.body.len()))
        }
    }
}
