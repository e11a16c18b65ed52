//! Exercise 2: the head of a request, read from the connection.
//!
//! After the request line come header fields, one per line, and an empty
//! line that ends the head (RFC 9112, section 5):
//!
//! ```text
//! GET / HTTP/1.1\r\n
//! Host: localhost\r\n
//! User-Agent: curl/8.5.0\r\n
//! \r\n
//! ```
//!
//! TCP delivers a byte stream, not messages (lesson 3): the head may come in
//! one read, in one read per byte, or together with the next request. So the
//! head is read line by line from a `BufRead`, which keeps whatever it read
//! past the head for the next call, and never beyond a size cap: a client
//! that sends an endless header must not make the server's memory grow.
//!
//! Useful: `crate::http::{Headers, HttpError, MAX_HEAD, Version}`,
//! `crate::request_line::{is_token_byte, parse_request_line}`, and
//! `std::io::Read` for `take`.

use crate::http::{Request, RequestError};
use std::io::BufRead;

/// Reads the head of one request from `reader`: the request line (parsed
/// with exercise 1's `parse_request_line`), then header fields up to the
/// empty line. Reads nothing past that empty line: the body and any
/// pipelined request stay in `reader`.
///
/// - Lines end with `\r\n`; a bare `\n` is accepted too (RFC 9112, 2.2).
///   A `\r` anywhere else is refused.
/// - A field line is `name: value`. The name is a token (as a method is),
///   with no space before the colon; it is stored in lower case. The value
///   is stored without the spaces and tabs around it.
/// - A field named twice is stored once, its values joined with `", "`
///   (`Accept: a` and `Accept: b` make `accept: a, b`), except `Host`
///   (twice is refused) and `Content-Length` (twice with the same value
///   is kept once; with different values, refused).
/// - An HTTP/1.1 request must have a `Host` field.
/// - The whole head, line endings included, may take [`MAX_HEAD`] bytes,
///   and never more is read.
///
/// Returns `Ok(None)` when the connection ends before the first byte of a
/// request: a client that is done closes between requests.
///
/// # Errors
///
/// - `Refused` 431 when the head is longer than [`MAX_HEAD`] bytes;
/// - `Refused` 400 for a line folded onto the one before it (a line that
///   starts with a space or a tab: obsolete, and a smuggling trick), a
///   malformed field line, a duplicate `Host`, conflicting `Content-Length`
///   fields, a missing `Host` in HTTP/1.1, or bytes that are not UTF-8;
/// - `Refused` with the status of exercise 1 for a bad request line;
/// - `Io` for a failed read, and `Io` with `UnexpectedEof` when the
///   connection ends in the middle of a head.
pub fn read_head(reader: &mut impl BufRead) -> Result<Option<Request>, RequestError> {
    todo!(
        "read lines (each through take(), so that the whole head stays within MAX_HEAD), parse the first with parse_request_line, then the fields up to the empty line"
    )
}
