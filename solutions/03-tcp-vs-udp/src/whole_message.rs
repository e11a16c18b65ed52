//! Exercise 1: one read is not one message.
//!
//! TCP delivers a stream of bytes, not messages. The sender's `write` calls
//! leave no trace at the other end: the bytes of one write can arrive in
//! several pieces, and the bytes of several writes can arrive together.
//! `read` returns whatever has arrived so far, at least one byte and at most
//! the size of your buffer:
//!
//! ```text
//! sender:    write("HELLO WORLD")
//! the wire:  [HEL] [LO W] [ORLD]          (segments; sizes vary run to run)
//! receiver:  read -> 3 "HEL"   read -> 4 "LO W"   read -> 4 "ORLD"
//! ```
//!
//! So a receiver that knows a message is 11 bytes long must keep reading
//! until it has 11 bytes, and must not read a byte more: the bytes after the
//! message belong to the next one.
//!
//! Edit `read_message`.

use std::io::{self, Read};

/// Reads exactly `len` bytes from `reader`, one message of a size both
/// sides agreed on, and returns them.
///
/// The bytes may arrive in any number of pieces: a single `read` can return
/// as little as one byte, so keep reading until the message is complete.
/// Read no further than the message: whatever follows it stays unread in
/// `reader`, for the next call. A `len` of 0 returns an empty message
/// without reading.
///
/// # Errors
///
/// - The peer closes the connection (a `read` returns 0) before `len` bytes
///   came: an error of kind `io::ErrorKind::UnexpectedEof`. The bytes of the
///   incomplete message are lost.
/// - A `read` fails with `io::ErrorKind::Interrupted` (a signal arrived):
///   not an error, read again.
/// - Any other error of `read` is returned as it is.
pub fn read_message(reader: &mut impl Read, len: usize) -> io::Result<Vec<u8>> {
    let mut message = vec![0; len];
    let mut filled = 0;
    while filled < len {
        // read(2) blocks until at least one byte is in the socket's receive
        // queue, then copies what is there, up to the size of the slice. The
        // slice is only the part of the message still missing, so the read
        // never takes a byte of the next message out of the queue.
        match reader.read(&mut message[filled..]) {
            // 0 bytes from a read that asked for some: the peer closed its
            // side (its FIN arrived). Nothing more will come.
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the peer closed the connection after {filled} of {len} bytes"),
                ));
            }
            Ok(read) => filled += read,
            // A signal interrupted the wait before any byte came; nothing was
            // lost, so read again.
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    // std's `reader.read_exact(&mut message)` is this same loop; it is
    // written out here because this loop is what every framed protocol does.
    Ok(message)
}
