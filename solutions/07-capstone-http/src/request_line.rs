//! Exercise 1: the request line.
//!
//! Every HTTP/1.1 request starts with one line of three parts separated by
//! single spaces (RFC 9112, section 3):
//!
//! ```text
//! GET /index.html HTTP/1.1
//! ^method ^target  ^version
//! ```
//!
//! A server is strict here on purpose. Two programs that read the same bytes
//! differently (a proxy and the server behind it, say) are how request
//! smuggling starts, so anything that is not exactly this shape is refused
//! with 400 Bad Request rather than guessed at.

use crate::http::{HttpError, RequestLine, Version};

/// Takes one request line apart, without its line ending.
///
/// - The line is `METHOD SP TARGET SP VERSION`, with exactly one space
///   between the parts and none before or after (so `split(' ')`, not
///   `split_whitespace()`, which would accept tabs and double spaces).
/// - The method is a *token*: one or more of the letters, digits and
///   ``!#$%&'*+-.^_`|~``. It is kept as sent: methods are case-sensitive.
/// - The target is kept as sent (still percent-encoded); it must not be
///   empty and must hold only visible ASCII (`!` to `~`).
/// - The version is `HTTP/` (in capitals), a digit, `.`, a digit.
///
/// # Errors
///
/// - 505 HTTP Version Not Supported for a well-formed version whose major
///   digit is not 1 (`HTTP/2.0`, `HTTP/0.9`): the client speaks HTTP, just
///   not this one;
/// - 400 Bad Request for everything else that does not fit the shape.
pub fn parse_request_line(line: &str) -> Result<RequestLine, HttpError> {
    let mut parts = line.split(' ');
    // Exactly three parts: a fourth means a space too many, and a missing
    // one a request line cut short.
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::new(
            400,
            format!("a request line is METHOD SP TARGET SP VERSION, with single spaces: {line:?}"),
        ));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(HttpError::new(
            400,
            format!("the method {method:?} is not a token"),
        ));
    }
    if target.is_empty() || !target.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(HttpError::new(
            400,
            format!("the target {target:?} is empty or holds a byte that is not visible ASCII"),
        ));
    }
    let version = parse_version(version)?;
    Ok(RequestLine {
        method: method.to_string(),
        target: target.to_string(),
        version,
    })
}

/// `HTTP/d.d`, case-sensitive, one digit on each side of the dot.
fn parse_version(text: &str) -> Result<Version, HttpError> {
    let malformed = || HttpError::new(400, format!("{text:?} is not an HTTP version"));
    let digits = text.strip_prefix("HTTP/").ok_or_else(malformed)?;
    let &[major, b'.', minor] = digits.as_bytes() else {
        return Err(malformed());
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return Err(malformed());
    }
    let version = Version {
        major: major - b'0',
        minor: minor - b'0',
    };
    // A well-formed version of another major number: HTTP, but not ours.
    // HTTP/1.x with any minor is served as 1.1 would be (RFC 9110, 6.2).
    if version.major != 1 {
        return Err(HttpError::new(
            505,
            format!("{text} is not served here, only HTTP/1.x"),
        ));
    }
    Ok(version)
}

/// A byte that may appear in a token (RFC 9110, section 5.6.2): a letter,
/// a digit, or one of ``!#$%&'*+-.^_`|~``.
pub fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
