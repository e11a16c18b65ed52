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

use crate::http::{Headers, HttpError, MAX_HEAD, Request, RequestError, Version};
use crate::request_line::{is_token_byte, parse_request_line};
use std::io::{self, BufRead, Read};

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
    let mut used = 0;
    let Some(first) = read_line(reader, &mut used)? else {
        return Ok(None);
    };
    let line = parse_request_line(&first)?;
    let mut headers = Headers::default();
    loop {
        let Some(text) = read_line(reader, &mut used)? else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client closed the connection in the middle of a request's head",
            )
            .into());
        };
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            return Err(HttpError::new(
                400,
                format!("a folded header line (obsolete line folding): {text:?}"),
            )
            .into());
        }
        let (name, value) = parse_field(&text)?;
        add_field(&mut headers, name, value)?;
    }
    if line.version == Version::HTTP_1_1 && headers.get("host").is_none() {
        return Err(HttpError::new(400, "an HTTP/1.1 request needs a Host header").into());
    }
    Ok(Some(Request { line, headers }))
}

/// Reads one line, counting its bytes in `used` against [`MAX_HEAD`], and
/// returns it without its line ending; `None` at the end of the stream
/// before any byte of the line.
fn read_line(reader: &mut impl BufRead, used: &mut usize) -> Result<Option<String>, RequestError> {
    let mut line = Vec::new();
    // `take` stops the read at the cap, one byte past it: a line that runs
    // on without a newline is cut there instead of filling the memory.
    let left = (MAX_HEAD - *used) as u64 + 1;
    reader.by_ref().take(left).read_until(b'\n', &mut line)?;
    *used += line.len();
    if *used > MAX_HEAD {
        return Err(HttpError::new(
            431,
            format!("the request's head is longer than {MAX_HEAD} bytes"),
        )
        .into());
    }
    if line.is_empty() {
        return Ok(None);
    }
    let Some(without_lf) = line.strip_suffix(b"\n") else {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the client closed the connection in the middle of a line",
        )
        .into());
    };
    let without_crlf = without_lf.strip_suffix(b"\r").unwrap_or(without_lf);
    if without_crlf.contains(&b'\r') {
        return Err(HttpError::new(400, "a bare CR inside a line").into());
    }
    match String::from_utf8(without_crlf.to_vec()) {
        Ok(text) => Ok(Some(text)),
        Err(_) => Err(HttpError::new(400, "a line that is not UTF-8").into()),
    }
}

/// `name: value` into a lower-case name and a trimmed value.
fn parse_field(text: &str) -> Result<(String, String), HttpError> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(HttpError::new(
            400,
            format!("a header line without a colon: {text:?}"),
        ));
    };
    // No space is allowed between name and colon (RFC 9112, 5.1): a server
    // that trimmed it would read `Content-Length :` as Content-Length while
    // a proxy before it might not.
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(HttpError::new(
            400,
            format!("the header name {name:?} is not a token"),
        ));
    }
    let value = value.trim_matches([' ', '\t']);
    Ok((name.to_ascii_lowercase(), value.to_string()))
}

/// Adds one field to `headers`, joining it with an earlier one of the same
/// name, and refusing the duplicates that make a request ambiguous.
fn add_field(headers: &mut Headers, name: String, value: String) -> Result<(), HttpError> {
    let Some((_, earlier)) = headers.fields.iter_mut().find(|(field, _)| *field == name) else {
        headers.fields.push((name, value));
        return Ok(());
    };
    match name.as_str() {
        "host" => Err(HttpError::new(400, "two Host headers")),
        "content-length" if *earlier == value => Ok(()),
        "content-length" => Err(HttpError::new(
            400,
            format!("two different Content-Length headers: {earlier} and {value}"),
        )),
        _ => {
            earlier.push_str(", ");
            earlier.push_str(&value);
            Ok(())
        }
    }
}
