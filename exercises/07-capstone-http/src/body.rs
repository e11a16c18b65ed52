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
//!
//! You will want `crate::http::{HttpError, MAX_BODY}` too.

use crate::http::{Request, RequestError};
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
    todo!(
        "decide the body's length from Transfer-Encoding and Content-Length (400, 411, 413, 501 as documented), then read exactly that many bytes"
    )
}
