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
    todo!(
        "read in a loop until you have len bytes, never asking for more than is missing; a read of 0 bytes means the peer closed: UnexpectedEof"
    )
}
