//! Words for what went wrong, shared by the course's tests and its `talk`
//! client so that both explain a socket error the way the chapters do:
//! bytes shown readably, I/O errors given their likely cause.

use std::io;

/// How many bytes [`printable`] shows before it cuts the rest off.
const SHOWN_BYTES: usize = 120;

/// Shows bytes the way a learner wants to read them in a failure message:
/// printable ASCII as is, everything else escaped (`\n`, `\x00`), in quotes,
/// and long data cut off with a count of what was left out.
pub fn printable(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let mut text = format!("\"{}\"", shown.escape_ascii());
    if bytes.len() > SHOWN_BYTES {
        text.push_str(&format!(
            " ... and {} more bytes",
            bytes.len() - SHOWN_BYTES
        ));
    }
    text
}

/// The likely cause of a socket error, in one sentence a learner can act on.
pub fn likely_cause(error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            "refused: nothing is listening on that port (its kernel answered the SYN with a \
             reset: was the listener closed, or never told to listen?)"
        }
        io::ErrorKind::ConnectionReset => {
            "reset: the peer aborted the connection (RST): it closed with data still unread, \
             or on purpose"
        }
        io::ErrorKind::ConnectionAborted => "aborted: the connection was torn down on this side",
        io::ErrorKind::UnexpectedEof => {
            "EOF: the peer closed the connection before sending everything expected"
        }
        io::ErrorKind::BrokenPipe => {
            "broken pipe: the peer had already closed the connection, and our write reached a \
             socket that no longer exists"
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            "timed out: the peer never answered (is it blocked, waiting for something itself, \
             or did it write into a buffer it never flushed?)"
        }
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "unreachable: no route to that address"
        }
        io::ErrorKind::AddrInUse => "address in use: another socket is already bound to that port",
        io::ErrorKind::AddrNotAvailable => {
            "address not available: that IP address does not belong to this machine"
        }
        io::ErrorKind::InvalidInput => {
            "invalid input: the call does not fit the socket's state or family (a v4 address on a v6 socket?)"
        }
        _ => "an unexpected socket error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_and_truncates() {
        assert_eq!(printable(b"hi\n\0"), r#""hi\n\x00""#);
        let long = vec![b'a'; SHOWN_BYTES + 5];
        assert!(printable(&long).ends_with("... and 5 more bytes"));
    }

    #[test]
    fn likely_cause_names_refused_and_reset() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(likely_cause(&refused).starts_with("refused"));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(likely_cause(&reset).starts_with("reset"));
    }
}
