//! Exercise 5: a datagram too big for the buffer.
//!
//! A datagram is received whole or not at all, and into one buffer. When the
//! datagram is longer than the buffer, the kernel copies what fits and
//! throws the rest away, and a plain `recv_from` returns the number of bytes
//! it copied, as if nothing were wrong:
//!
//! ```text
//! datagram:  [ 100 bytes .................................... ]
//! buffer:    [ 10 bytes ]                 the other 90 are gone
//! recv_from  -> Ok(10)
//! ```
//!
//! The kernel does say that it cut the datagram: `recvmsg(2)` sets the flag
//! `MSG_TRUNC` in the message's flags. socket2 calls it
//! `RecvFlags::is_truncated()`, on what `recv_from_vectored` returns. (On
//! Linux, `recv_from_with_flags` with `libc::MSG_TRUNC` returns the real
//! length instead.) socket2 takes its buffers as `MaybeUninit<u8>`;
//! [`uninit_buffer`] gives that view of an ordinary buffer.
//!
//! Edit `recv_datagram`; `RecvError` and `uninit_buffer` are given.

use socket2::MaybeUninitSlice;
use std::fmt;
use std::io;
use std::mem::MaybeUninit;
use std::net::{SocketAddr, UdpSocket};

/// Why [`recv_datagram`] gave no whole datagram.
#[derive(Debug)]
pub enum RecvError {
    /// A datagram from `from` was longer than the buffer: its first `kept`
    /// bytes (a full buffer) are in the buffer, and the kernel discarded the
    /// rest.
    Truncated { kept: usize, from: SocketAddr },
    /// Receiving failed.
    Io(io::Error),
}

/// Receives the next datagram on `socket` into `buf` and returns its length
/// and the address it came from, like `UdpSocket::recv_from`, but refuses to
/// pass off part of a datagram as the whole of it.
///
/// A datagram that fits (one of exactly `buf.len()` bytes included) is
/// returned as `Ok((len, from))`, and an empty datagram as `Ok((0, from))`.
/// One that is longer than `buf` is reported as [`RecvError::Truncated`];
/// either way the datagram has left the socket's queue, and the next call
/// receives the next datagram. Waits as `recv_from` does (up to the socket's
/// read timeout, if it has one).
///
/// # Errors
///
/// - [`RecvError::Truncated`] for a datagram longer than `buf`, with the
///   number of bytes kept and the sender.
/// - [`RecvError::Io`] when receiving fails, for example with `WouldBlock`
///   when the socket's read timeout passes.
pub fn recv_datagram(socket: &UdpSocket, buf: &mut [u8]) -> Result<(usize, SocketAddr), RecvError> {
    todo!(
        "receive with socket2 (SockRef::from(socket).recv_from_vectored) and check the RecvFlags it returns: is_truncated() means the datagram did not fit"
    )
}

/// Given: `buf` seen as the `MaybeUninit<u8>` slice that socket2's receive
/// calls take, wrapped for the vectored ones: pass
/// `&mut [uninit_buffer(buf)]` to `recv_from_vectored`.
pub fn uninit_buffer(buf: &mut [u8]) -> MaybeUninitSlice<'_> {
    // SAFETY: `MaybeUninit<u8>` has the same layout as `u8`, so this is the
    // same memory seen as possibly uninitialised. That view is unsound only if
    // someone writes uninitialised bytes through it; socket2's receive calls
    // promise never to (the kernel writes only the bytes it received), and
    // document that this is what makes passing an initialised buffer sound.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    MaybeUninitSlice::new(uninit)
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Truncated { kept, from } => write!(
                f,
                "the datagram from {from} did not fit: kept its first {kept} bytes, the kernel discarded the rest"
            ),
            // The io::Error is the source (below), not part of this message.
            RecvError::Io(_) => write!(f, "receiving a datagram failed"),
        }
    }
}

impl std::error::Error for RecvError {
    /// The failed receive behind [`RecvError::Io`].
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecvError::Io(error) => Some(error),
            RecvError::Truncated { .. } => None,
        }
    }
}

impl From<io::Error> for RecvError {
    fn from(error: io::Error) -> RecvError {
        RecvError::Io(error)
    }
}
