//! Exercise 2: lines, with a limit.
//!
//! The oldest way to frame messages on a stream is a delimiter: each message
//! ends with `\n`, as in SMTP, Redis's inline commands and HTTP's headers.
//! The reader cannot know in advance where a line ends, so it reads what has
//! arrived, looks for the newline, and keeps whatever comes after it for the
//! next line:
//!
//! ```text
//! arrives:   "GET a\nGET" "  b\nQU" "IT\n"
//! lines:     "GET a"   "GET  b"   "QUIT"
//! ```
//!
//! A peer decides how long a line is. One that sends a gigabyte without a
//! newline makes a naive reader buffer a gigabyte and wait forever, so a
//! line reader that faces the network has a limit, and gives up as soon as
//! the line outgrows it.
//!
//! Edit `LineReader::read_line`; the struct, `new` and `LineError` are given.

use std::fmt;
use std::io::{self, BufReader, Read};

/// Reads newline-terminated lines from a stream, none longer than a limit.
pub struct LineReader<R> {
    /// The stream, behind a buffer. A read from the stream can return the end
    /// of one line and the start of the next; the buffer keeps those extra
    /// bytes for the next call, and `BufRead` methods such as `read_until`
    /// search it for the newline.
    reader: BufReader<R>,
    /// The longest line accepted, in bytes, not counting its `\n`.
    max_line: usize,
}

/// Why [`LineReader::read_line`] gave no line.
#[derive(Debug)]
pub enum LineError {
    /// More than `limit` bytes arrived without a newline. The reader stopped
    /// at that point; the rest of the line is still unread, so the stream is
    /// out of step with the peer and the connection is best closed.
    TooLong { limit: usize },
    /// The peer closed the connection after `partial`, in the middle of a
    /// line (no `\n` came).
    EndedMidLine { partial: Vec<u8> },
    /// Reading from the stream failed.
    Io(io::Error),
}

impl<R: Read> LineReader<R> {
    /// A reader of lines from `reader`, each at most `max_line` bytes long
    /// (not counting the `\n`).
    pub fn new(reader: R, max_line: usize) -> LineReader<R> {
        LineReader {
            reader: BufReader::new(reader),
            max_line,
        }
    }

    /// The longest line this reader accepts, in bytes, not counting the `\n`.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// The stream underneath, for example to learn its peer's address or to
    /// shut it down after an error.
    pub fn get_ref(&self) -> &R {
        self.reader.get_ref()
    }

    /// Reads the next line and returns it without its `\n`, or `Ok(None)`
    /// when the peer closed the connection cleanly, between two lines.
    ///
    /// A line is every byte up to the next `\n`. A line of `max_line` bytes
    /// is accepted; one of `max_line + 1` bytes is not. The reader must not
    /// wait for the end of a line that is already too long: once more than
    /// `max_line` bytes have arrived without a newline, it stops reading and
    /// reports [`LineError::TooLong`], even if the peer keeps the connection
    /// open and never sends the newline. Nothing else is stripped: a `\r`
    /// before the `\n` stays in the line.
    ///
    /// # Errors
    ///
    /// - [`LineError::TooLong`] with the limit, as above.
    /// - [`LineError::EndedMidLine`] with the bytes received when the peer
    ///   closes the connection in the middle of a line.
    /// - [`LineError::Io`] when a read fails.
    pub fn read_line(&mut self) -> Result<Option<Vec<u8>>, LineError> {
        todo!(
            "read up to the next b'\\n', but never more than max_line + 1 bytes; then tell a whole line, a clean end, a line cut by EOF and a line too long apart"
        )
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { limit } => {
                write!(f, "line longer than {limit} bytes; no newline in sight")
            }
            LineError::EndedMidLine { partial } => write!(
                f,
                "the peer closed the connection in the middle of a line, after {} bytes",
                partial.len()
            ),
            // The io::Error itself is the source (below), not part of this
            // message: whoever prints the chain prints each cause once.
            LineError::Io(_) => write!(f, "reading a line failed"),
        }
    }
}

impl std::error::Error for LineError {
    /// The failed read behind [`LineError::Io`]; the other two are the
    /// peer's doing, with no cause underneath.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LineError::Io(error) => Some(error),
            LineError::TooLong { .. } | LineError::EndedMidLine { .. } => None,
        }
    }
}

impl From<io::Error> for LineError {
    fn from(error: io::Error) -> LineError {
        LineError::Io(error)
    }
}
