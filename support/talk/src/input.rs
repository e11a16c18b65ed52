//! What you type: stdin, read on a thread of its own.
//!
//! Why a thread and not tokio's own `stdin()`? Reading a terminal cannot be
//! interrupted: the read returns when you press Enter, not before. tokio's
//! `stdin()` runs that read on its blocking pool, and a runtime waits for its
//! blocking pool when it shuts down, so talk would hang after the server
//! closed, until you pressed Enter once more. A plain thread does not hold
//! the process: when `main` returns, the process ends, thread and all. (The
//! tokio documentation recommends the same for interactive input.)

use crate::Options;
use std::io::{self, BufRead};
use tokio::sync::mpsc;

/// How stdin is cut into the pieces talk sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    /// One line at a time, its `\n` included: over TCP one write per line,
    /// over UDP one datagram per line. What a person typing expects.
    Lines,
    /// Whatever each read of stdin returns, unchanged (`--raw` over TCP).
    /// Bytes need not form lines: binary frames, a request without a
    /// final newline.
    Chunks,
    /// All of stdin, up to its end, as one piece (`--raw` over UDP): one
    /// datagram of exactly the bytes given.
    Whole,
}

impl InputMode {
    /// The mode the command line asks for.
    pub fn from_options(options: &Options) -> InputMode {
        match (options.raw, options.udp) {
            (false, _) => InputMode::Lines,
            (true, false) => InputMode::Chunks,
            (true, true) => InputMode::Whole,
        }
    }
}

/// A piece of input, or the error that ended stdin. When the channel
/// closes, stdin has ended.
pub type Piece = io::Result<Vec<u8>>;

/// Starts the thread that reads stdin and returns the channel it sends the
/// pieces to. The channel closes at the end of stdin.
pub fn read_stdin(mode: InputMode) -> mpsc::Receiver<Piece> {
    // A small queue: if the network is slower than stdin, the reading
    // thread waits instead of holding the whole file in memory.
    let (pieces, received) = mpsc::channel(4);
    std::thread::spawn(move || {
        let stdin = io::stdin().lock();
        cut_into_pieces(stdin, mode, |piece| pieces.blocking_send(piece).is_ok());
    });
    received
}

/// Reads `input` to its end in `mode`, handing each piece to `send`; stops
/// early when `send` returns false (nobody wants more) or after an error,
/// which is handed over as the last piece.
pub fn cut_into_pieces(
    mut input: impl BufRead,
    mode: InputMode,
    mut send: impl FnMut(Piece) -> bool,
) {
    loop {
        let mut piece = Vec::new();
        let read = match mode {
            InputMode::Lines => input.read_until(b'\n', &mut piece),
            InputMode::Whole => input.read_to_end(&mut piece),
            InputMode::Chunks => {
                piece.resize(16 * 1024, 0);
                let read = input.read(&mut piece);
                piece.truncate(*read.as_ref().unwrap_or(&0));
                read
            }
        };
        match read {
            // 0 bytes: the end of stdin. (An empty stdin in `Whole` mode
            // is nothing to send either: UDP could send an empty datagram,
            // but nobody asked for one.)
            Ok(0) => return,
            Ok(_) => {
                if !send(Ok(piece)) || mode == InputMode::Whole {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                send(Err(error));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(input: &[u8], mode: InputMode) -> Vec<Vec<u8>> {
        let mut collected = Vec::new();
        cut_into_pieces(input, mode, |piece| {
            collected.push(piece.expect("reading a byte slice cannot fail"));
            true
        });
        collected
    }

    #[test]
    fn lines_keep_their_newline_and_the_last_line_may_have_none() {
        assert_eq!(
            pieces(b"one\ntwo\nthree", InputMode::Lines),
            [b"one\n".to_vec(), b"two\n".to_vec(), b"three".to_vec()]
        );
    }

    #[test]
    fn whole_is_one_piece_and_empty_input_is_none() {
        assert_eq!(pieces(b"a\nb\n", InputMode::Whole), [b"a\nb\n".to_vec()]);
        assert!(pieces(b"", InputMode::Whole).is_empty());
    }

    #[test]
    fn chunks_are_the_bytes_unchanged() {
        let sent: Vec<u8> = pieces(b"\0\0\0\x05hello\n\n", InputMode::Chunks).concat();
        assert_eq!(sent, b"\0\0\0\x05hello\n\n");
    }
}
