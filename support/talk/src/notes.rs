//! The notes talk writes on stderr, and the likely cause of each error.
//!
//! stdout carries only the bytes the server sent, so that `cargo talk ... |
//! xxd` shows exactly those. Everything talk has to say about the
//! connection goes to stderr, one line per event, starting with `talk:`.

use netlings_cli::explain::likely_cause;
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
        // Over TLS, a connection that ends without close_notify is reported
        // as UnexpectedEof by rustls: say what that means for the data.
        None if error.kind() == io::ErrorKind::UnexpectedEof => format!(
            "truncated: the connection ended without TLS close_notify; what came may be cut \
             short ({error})"
        ),
        None => format!("{} ({error})", likely_cause(error)),
    }
}
