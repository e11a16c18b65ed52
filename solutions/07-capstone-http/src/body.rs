//! Exercise 3: the body of a request, and where it ends.
//!
//! TCP has no message boundaries, so HTTP says in the head how long the body
//! is: `Content-Length: 11` means exactly 11 bytes follow, and the next
//! request starts right after them. (The other way, `Transfer-Encoding:
//! chunked`, sends the body in pieces that each carry their length; this
//! server does not implement it and says so with 501.)
//!
//! Where the body ends is where the next request begins, so getting it wrong
//! is more than a bug: if a proxy and the server behind it disagree, an
//! attacker can hide a second request inside the body of the first (request
//! smuggling). The rules below leave no room for two readings.

use crate::http::{HttpError, MAX_BODY, Request, RequestError};
use std::io::BufRead;

/// Reads the body of `request` (whose head was just read) from `reader`, and
/// nothing more: the next request stays in `reader`.
///
/// - `Transfer-Encoding` and `Content-Length` together: refused, 400. They
///   contradict each other, and it is the classic smuggling request.
/// - `Transfer-Encoding` (any value, `chunked` included): refused, 501 Not
///   Implemented.
/// - `Content-Length`: one or more ASCII digits and nothing else (no sign,
///   no spaces inside, no list). Its value is checked against [`MAX_BODY`]
///   *before* a single byte of the body is read; then exactly that many
///   bytes are read, however many `read` calls it takes.
/// - Neither: no body (an empty `Vec`), except for `POST` and `PUT`, which
///   carry one and must say how long it is: 411 Length Required.
///
/// # Errors
///
/// `Refused` with 400, 411, 413 or 501 as above; `Io` for a failed read,
/// with `UnexpectedEof` when the client closes before the whole body came.
pub fn read_body(reader: &mut impl BufRead, request: &Request) -> Result<Vec<u8>, RequestError> {
    let transfer_encoding = request.headers.get("transfer-encoding");
    let content_length = request.headers.get("content-length");
    let length = match (transfer_encoding, content_length) {
        (Some(_), Some(_)) => {
            return Err(HttpError::new(
                400,
                "both Transfer-Encoding and Content-Length: which one ends the body?",
            )
            .into());
        }
        (Some(coding), None) => {
            return Err(HttpError::new(
                501,
                format!("Transfer-Encoding {coding:?} is not implemented here"),
            )
            .into());
        }
        (None, Some(text)) => parse_content_length(text)?,
        (None, None) if matches!(request.line.method.as_str(), "POST" | "PUT") => {
            return Err(HttpError::new(
                411,
                format!("a {} needs a Content-Length", request.line.method),
            )
            .into());
        }
        (None, None) => 0,
    };
    // The cap comes first: reading a body to find out it is too long is
    // exactly what a client that sends gigabytes wants the server to do.
    if length > MAX_BODY {
        return Err(HttpError::new(
            413,
            format!("a body of {length} bytes; at most {MAX_BODY} are accepted"),
        )
        .into());
    }
    let mut body = vec![0; length as usize];
    // read_exact loops over read() until every byte came (a read returns
    // what has arrived so far), and fails with UnexpectedEof if the
    // connection ends first.
    reader.read_exact(&mut body)?;
    Ok(body)
}

/// `1*DIGIT` as a number. `str::parse` alone would take `+5`.
fn parse_content_length(text: &str) -> Result<u64, HttpError> {
    let malformed = || HttpError::new(400, format!("Content-Length {text:?} is not a length"));
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(malformed());
    }
    // All digits, so the only way to fail is a number too big for u64.
    text.parse().map_err(|_| malformed())
}
