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
//!
//! `crate::http::Version` is the version's type.

use crate::http::{HttpError, RequestLine};

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
    todo!(
        "split the line on single spaces into exactly three parts, check the method is a token, the target visible ASCII and the version HTTP/d.d (400), and answer 505 for a major version other than 1"
    )
}

/// A byte that may appear in a token (RFC 9110, section 5.6.2): a letter,
/// a digit, or one of ``!#$%&'*+-.^_`|~``.
pub fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
