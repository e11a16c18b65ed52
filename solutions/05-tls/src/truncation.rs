//! Exercise 5: a clean end, or a cut connection?
//!
//! TCP's FIN carries no signature: anybody on the path can forge one, and a
//! crashed peer's kernel sends one too. So TLS ends a session with its own,
//! authenticated, `close_notify` alert. On a rustls stream:
//!
//! - `read` returns `Ok(0)` only after the peer's close_notify: the data is
//!   complete;
//! - a FIN without close_notify makes `read` fail with
//!   `io::ErrorKind::UnexpectedEof`: whatever arrived may be cut short.
//!
//! Code that maps that error to "end of stream" (because it looks like one)
//! hands a truncated message on as a whole one. This exercise tells the two
//! apart, on the reading side of a client and of a server.

use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How the peer ended what it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The peer sent close_notify: everything it meant to send arrived.
    CloseNotify,
    /// The connection ended without close_notify: what arrived may be only
    /// part of what the peer sent.
    Truncated,
}

/// Reads everything from `stream` (a TLS stream, client or server side)
/// until the peer ends, and returns the bytes with how it ended.
///
/// # Errors
///
/// Any read error other than the end without close_notify, for example
/// `ConnectionReset`: that is not an ending, it is a failure.
pub async fn read_until_end<S>(stream: &mut S) -> io::Result<(Vec<u8>, Ending)>
where
    S: AsyncRead + Unpin,
{
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer).await {
            // Ok(0) from a TLS stream means close_notify arrived.
            Ok(0) => return Ok((received, Ending::CloseNotify)),
            Ok(read) => received.extend_from_slice(&buffer[..read]),
            // rustls reports a TCP FIN that came without close_notify as
            // UnexpectedEof. The bytes so far are kept: the caller decides
            // what a partial message is worth, knowing that it may be one.
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                return Ok((received, Ending::Truncated));
            }
            Err(error) => return Err(error),
        }
    }
}

/// The server side of a TLS echo that knows how its client ended: reads
/// the client's whole message with [`read_until_end`], and
///
/// - after a close_notify, writes the message back and ends with its own
///   close_notify (`shutdown`);
/// - after a truncation, writes nothing back: the message may be cut, and
///   acting on half a message is worse than not acting.
///
/// Returns how the client ended.
///
/// # Errors
///
/// A read error other than truncation, or a failed write or shutdown.
pub async fn echo_whole_messages<S>(mut stream: S) -> io::Result<Ending>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (message, ending) = read_until_end(&mut stream).await?;
    if ending == Ending::CloseNotify {
        stream.write_all(&message).await?;
        // shutdown() sends our close_notify: the client can tell our whole
        // echo from a cut one in the same way.
        stream.shutdown().await?;
    }
    Ok(ending)
}
