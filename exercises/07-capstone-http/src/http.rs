//! The words every exercise of this lesson shares, given in full: a
//! request, a response, and the refusal a server answers with a status.
//!
//! An HTTP/1.1 message is text with a strict shape (RFC 9112):
//!
//! ```text
//! GET /index.html HTTP/1.1\r\n        the request line: method, target, version
//! Host: localhost:8080\r\n            header fields, one per line
//! Accept: */*\r\n
//! \r\n                                an empty line ends the head
//! (body: as many bytes as Content-Length says, or none)
//! ```
//!
//! A response has the same shape with a status line (`HTTP/1.1 200 OK`)
//! instead of a request line.

use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;

/// How many bytes the head of a request (request line and header fields,
/// line endings included) may take. Past it, the server answers 431.
/// nginx's default is 8 KiB per line and 32 KiB in all; 8 KiB in all is
/// plenty for curl and browsers.
pub const MAX_HEAD: usize = 8 * 1024;

/// How many bytes a request body may have. Past it, the server answers 413,
/// before reading any of it.
pub const MAX_BODY: u64 = 1024 * 1024;

/// An HTTP version: `HTTP/1.1` is `Version { major: 1, minor: 1 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// The digit before the dot. Only 1 is served here.
    pub major: u8,
    /// The digit after the dot.
    pub minor: u8,
}

impl Version {
    /// `HTTP/1.0`: one request per connection, unless the client asks for more.
    pub const HTTP_1_0: Version = Version { major: 1, minor: 0 };
    /// `HTTP/1.1`: the connection stays open for more requests by default.
    pub const HTTP_1_1: Version = Version { major: 1, minor: 1 };
}

/// The first line of a request, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// The method exactly as sent (`GET`, `HEAD`, ...): methods are
    /// case-sensitive, so `get` is another method, not `GET`.
    pub method: String,
    /// The request target exactly as sent, still percent-encoded, query
    /// included: `/docs/a%20b.html?lang=en`.
    pub target: String,
    /// The protocol version.
    pub version: Version,
}

/// The header fields of a request, in the order they came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// `(name, value)` pairs. Names are stored in lower case (field names
    /// are case-insensitive, and lower case is what HTTP/2 sends on the
    /// wire); values without the spaces around them.
    pub fields: Vec<(String, String)>,
}

impl Headers {
    /// The value of the field `name`, which must be given in lower case,
    /// or `None` if the request has no such field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A request's head: its request line and its header fields. The body, if
/// any, is read separately (exercise 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method, target and version.
    pub line: RequestLine,
    /// The header fields.
    pub headers: Headers,
}

/// A request the server refuses, with the status it answers and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// The status code of the answer: 400, 404, 431, ...
    pub status: u16,
    /// One sentence for the log and the response body.
    pub why: String,
}

impl HttpError {
    /// A refusal with `status`, explained by `why`.
    pub fn new(status: u16, why: impl Into<String>) -> HttpError {
        HttpError {
            status,
            why: why.into(),
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, reason(self.status), self.why)
    }
}

impl std::error::Error for HttpError {}

/// Why reading a request failed: the request was wrong (answer it with a
/// status), or the connection was (nobody is left to answer).
#[derive(Debug)]
pub enum RequestError {
    /// The client sent something the server refuses: answer with its status.
    Refused(HttpError),
    /// The connection failed or the client left mid-request
    /// (`UnexpectedEof`), or a read timed out (`WouldBlock`).
    Io(io::Error),
}

impl From<HttpError> for RequestError {
    fn from(error: HttpError) -> RequestError {
        RequestError::Refused(error)
    }
}

impl From<io::Error> for RequestError {
    fn from(error: io::Error) -> RequestError {
        RequestError::Io(error)
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Refused(error) => write!(f, "refused: {error}"),
            RequestError::Io(error) => write!(f, "connection failed: {error}"),
        }
    }
}

impl std::error::Error for RequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RequestError::Refused(error) => Some(error),
            RequestError::Io(error) => Some(error),
        }
    }
}

/// A response before it is written: status, header fields and body. The
/// writer (exercise 4) adds `Date` and `Content-Length` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code: 200, 404, ...
    pub status: u16,
    /// Header fields other than `Date` and `Content-Length`, as written.
    pub headers: Vec<(String, String)>,
    /// The body. For a HEAD request it is still here: the writer leaves it
    /// out but announces its length.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, a `Content-Type` of `content_type`, and
    /// `body`.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.into(),
        }
    }

    /// The answer to a refused request: its status, and a one-line plain
    /// text body that says why.
    pub fn refusal(error: &HttpError) -> Response {
        Response::new(
            error.status,
            "text/plain; charset=utf-8",
            format!("{error}\n"),
        )
    }

    /// The value of the header field `name` (compared without regard to
    /// case), if the response has one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// One line of the server's log: what one request asked for, what it was
/// answered, and how long that took. `httpd` prints one per request, with
/// the client's address in front:
///
/// ```text
/// httpd: 127.0.0.1:50070 GET /style.css 200 69 bytes 212.4µs
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// The method as sent, or `-` when the request was refused before its
    /// request line could be read.
    pub method: String,
    /// The target as sent, or `-` (as for `method`).
    pub target: String,
    /// The status of the answer.
    pub status: u16,
    /// How many bytes of body the answer carried: the length of the body,
    /// 0 for a HEAD request.
    pub body_bytes: usize,
    /// From the first byte of the request to the end of its answer. The
    /// time the connection waited idle for the request is not counted.
    pub took: Duration,
}

impl RequestLog {
    /// Prints the entry on stderr as one line, `httpd: PEER ENTRY`.
    ///
    /// In one `write`: stderr is not buffered, so `eprintln!` with a few
    /// `{}` in it makes a system call for each piece (two dozen for this
    /// line), and the pieces of two connections' lines can interleave.
    /// Formatting the whole line first makes it one system call, and
    /// `write(2)` of a short line to a pipe or file is not split.
    pub fn print(&self, peer: SocketAddr) {
        let line = format!("httpd: {peer} {self}\n");
        // If stderr is gone there is nobody to tell; serving goes on.
        let _ = io::stderr().write_all(line.as_bytes());
    }

    /// The entry for a request whose line could not be read: `-` for the
    /// method and the target.
    pub fn unreadable(status: u16, body_bytes: usize, took: Duration) -> RequestLog {
        RequestLog {
            method: "-".to_string(),
            target: "-".to_string(),
            status,
            body_bytes,
            took,
        }
    }
}

impl fmt::Display for RequestLog {
    /// `GET /style.css 200 69 bytes 212.4µs`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} bytes {:.1?}",
            self.method, self.target, self.status, self.body_bytes, self.took
        )
    }
}

/// The reason phrase of a status code, for the status line.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}
