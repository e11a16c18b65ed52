//! The notes talk writes on stderr, and the likely cause of each error.
//!
//! stdout carries only the bytes the server sent, so that `cargo talk ... |
//! xxd` shows exactly those. Everything talk has to say about the
//! connection goes to stderr, one line per event, starting with `talk:`.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the last byte talk printed on stdout ended a line. When stdout
/// and stderr are the same terminal, a note must not be glued to the end
/// of a reply that had no newline (`olleh` then `talk: ...`).
static STDOUT_MID_LINE: AtomicBool = AtomicBool::new(false);

/// Records what was just printed on stdout, for [`note`].
pub fn printed_to_stdout(bytes: &[u8]) {
    if let Some(&last) = bytes.last() {
        STDOUT_MID_LINE.store(last != b'\n', Ordering::Relaxed);
    }
}

/// Writes one note on stderr: `talk: TEXT`, on a line of its own.
pub fn note(text: impl std::fmt::Display) {
    if STDOUT_MID_LINE.swap(false, Ordering::Relaxed) && io::stdout().is_terminal() {
        eprintln!();
    }
    eprintln!("talk: {text}");
}

/// Bytes shown the way a person wants to read them: printable ASCII as is,
/// everything else escaped (`\n`, `\x00`), in quotes, cut after 60 bytes.
pub fn printable(bytes: &[u8]) -> String {
    const SHOWN: usize = 60;
    let shown = &bytes[..bytes.len().min(SHOWN)];
    let mut text = format!("\"{}\"", shown.escape_ascii());
    if bytes.len() > SHOWN {
        text.push_str(&format!(" and {} more bytes", bytes.len() - SHOWN));
    }
    text
}

/// What an error on the connection most likely means: a TLS error read by
/// [`crate::tls::explain_tls_error`], any other by [`likely_cause`].
pub fn explain(error: &io::Error) -> String {
    // rustls reports its errors through the stream as an `io::Error` of
    // kind `InvalidData` that holds the `rustls::Error`.
    let tls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls_error {
        Some(tls_error) => crate::tls::explain_tls_error(tls_error),
        None => format!("{} ({error})", likely_cause(error)),
    }
}

/// What a socket error most likely means, in the words of the chapters.
pub fn likely_cause(error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            "refused: nothing is listening on that port (its kernel answered the SYN with a \
             reset)"
        }
        io::ErrorKind::ConnectionReset => {
            "reset: the peer aborted the connection (RST): it closed with data still unread, \
             or on purpose"
        }
        io::ErrorKind::BrokenPipe => {
            "broken pipe: the peer had already closed the connection, and our write reached a \
             socket that no longer exists"
        }
        io::ErrorKind::UnexpectedEof => {
            "truncated: the connection ended without TLS close_notify; what came may be cut short"
        }
        io::ErrorKind::TimedOut => "timed out: nothing answered",
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "unreachable: no route to that address"
        }
        io::ErrorKind::AddrNotAvailable => {
            "address not available: that IP address does not belong to this machine"
        }
        _ => "an unexpected socket error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_and_cuts() {
        assert_eq!(printable(b"hi\n\0"), r#""hi\n\x00""#);
        assert!(printable(&[b'a'; 65]).ends_with("and 5 more bytes"));
    }

    #[test]
    fn likely_cause_names_refused_and_reset() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(likely_cause(&refused).starts_with("refused"));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(likely_cause(&reset).starts_with("reset"));
    }
}
