//! A conversation over a byte stream: plain TCP, or TLS on top of it.
//!
//! Two things happen at once, and neither may wait for the other: what you
//! type goes to the server, and what the server sends comes to your screen.
//! A server may send first (a greeting), send several replies to one line,
//! or none at all. So the stream is split into its reading and its writing
//! half, and `select!` waits for whichever direction ends first:
//!
//! - the server's side ends (EOF, a reset): there is nothing more to read,
//!   and talk stops;
//! - stdin ends: talk closes the connection, or with `--half-close` only
//!   its sending direction, and goes on reading until the server closes.

use crate::AtEndOfInput;
use crate::input::Piece;
use crate::notes::{explain, note, printed_to_stdout};
use anyhow::{Context, Result};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// What the stream runs on, for the notes: the same events read
/// differently over TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Plain TCP: bytes go as they are.
    Tcp,
    /// TLS over TCP: bytes go encrypted, and each side ends its session
    /// with a close_notify alert before its FIN.
    Tls,
}

/// How the server's sending side ended.
enum PeerEnd {
    /// A read returned 0 bytes: the server closed (TCP: its FIN arrived;
    /// TLS: its close_notify, then the FIN), after sending `received` bytes.
    Eof { received: u64 },
    /// A read failed: reset, a TLS alert, a cut TLS session.
    Failed(io::Error),
}

/// Talks over `stream` until the conversation ends, as the module says.
/// Returns an error when the server's side ended by an error (reset, a TLS
/// alert, a TLS session cut without close_notify) or a write failed.
pub async fn converse<S>(
    stream: S,
    mut input: mpsc::Receiver<Piece>,
    at_end_of_input: AtEndOfInput,
    layer: Layer,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // split() gives two handles on one stream, so that one task can read
    // while another writes. For a TcpStream this could be into_split(); the
    // generic split works for a TLS stream too (it shares it behind a lock).
    let (from_server, to_server) = tokio::io::split(stream);
    let receiving = print_what_arrives(from_server);
    tokio::pin!(receiving);
    let sending = send_what_you_type(&mut input, to_server, at_end_of_input, layer);

    tokio::select! {
        ended = &mut receiving => return report_peer_end(ended?, layer),
        sent = sending => sent?,
    }
    match at_end_of_input {
        // Returning drops both halves: close() on the socket.
        AtEndOfInput::Close => Ok(()),
        AtEndOfInput::HalfClose => report_peer_end(receiving.await?, layer),
    }
}

/// Copies what the server sends to stdout as it arrives, until the server's
/// side ends. An error here is ours (stdout is gone), not the server's.
async fn print_what_arrives(mut from_server: impl AsyncRead + Unpin) -> Result<PeerEnd> {
    let mut stdout = tokio::io::stdout();
    let mut buffer = vec![0; 16 * 1024];
    let mut received = 0;
    loop {
        // One read returns what has arrived so far: part of a message, or
        // several at once. talk does not care where messages end; it
        // prints the bytes as they come.
        let read = match from_server.read(&mut buffer).await {
            Ok(0) => return Ok(PeerEnd::Eof { received }),
            Ok(read) => read,
            Err(error) => return Ok(PeerEnd::Failed(error)),
        };
        received += read as u64;
        stdout
            .write_all(&buffer[..read])
            .await
            .context("writing to stdout")?;
        // Show it now, not when some buffer fills.
        stdout.flush().await.context("writing to stdout")?;
        printed_to_stdout(&buffer[..read]);
    }
}

/// Sends each piece of input to the server, then, at the end of stdin, ends
/// the sending direction if `at_end_of_input` or TLS asks for it.
async fn send_what_you_type(
    input: &mut mpsc::Receiver<Piece>,
    mut to_server: impl AsyncWrite + Unpin,
    at_end_of_input: AtEndOfInput,
    layer: Layer,
) -> Result<()> {
    while let Some(piece) = input.recv().await {
        let piece = piece.context("reading stdin")?;
        // write_all loops over write(): one write may take only part of
        // the bytes when the socket's send buffer is nearly full.
        if let Err(error) = to_server.write_all(&piece).await {
            note(format!("sending failed: {}", explain(&error)));
            return Err(error).context("sending to the server");
        }
    }
    match (at_end_of_input, layer) {
        (AtEndOfInput::Close, Layer::Tcp) => {
            note(
                "stdin ended: closing the connection; replies still on their way are lost \
                 (--half-close sends a FIN and keeps reading)",
            );
            return Ok(());
        }
        (AtEndOfInput::HalfClose, Layer::Tcp) => note(
            "stdin ended: sent FIN with shutdown(Write) (half-close); still reading until the \
             server closes its side",
        ),
        (AtEndOfInput::Close, Layer::Tls) => {
            note("stdin ended: sending close_notify, then closing the connection")
        }
        (AtEndOfInput::HalfClose, Layer::Tls) => note(
            "stdin ended: sent close_notify and FIN (half-close); still reading until the \
             server ends its session",
        ),
    }
    // For TCP, shutdown() is shutdown(Write): a FIN goes out, and the
    // server's next read returns 0 once it has read everything before it.
    // For TLS it first sends close_notify, the alert that says "this end
    // is deliberate", then the FIN.
    if let Err(error) = to_server.shutdown().await {
        note(format!(
            "ending the sending direction failed: {}",
            explain(&error)
        ));
        return Err(error).context("shutting down the sending direction");
    }
    Ok(())
}

/// Says how the server's side ended; an error end becomes talk's error.
fn report_peer_end(end: PeerEnd, layer: Layer) -> Result<()> {
    match (end, layer) {
        (PeerEnd::Eof { received }, Layer::Tcp) => {
            note(format!(
                "the server closed the connection (EOF: its FIN arrived) after sending \
                 {received} bytes"
            ));
            Ok(())
        }
        (PeerEnd::Eof { received }, Layer::Tls) => {
            note(format!(
                "the server ended the TLS session (close_notify, then EOF) after sending \
                 {received} bytes"
            ));
            Ok(())
        }
        (PeerEnd::Failed(error), _) => {
            note(explain(&error));
            Err(error).context("reading from the server")
        }
    }
}
