//! Exercise 3: length-prefixed frames.
//!
//! The other way to frame messages on a stream: send each message's length
//! first. Here a frame is a 4-byte length in big-endian order (network byte
//! order, most significant byte first), then that many bytes of payload:
//!
//! ```text
//!  00 00 00 05  68 65 6c 6c 6f   00 00 00 00   00 00 00 02  68 69
//! |  len = 5  | h  e  l  l  o | |  len = 0  | |  len = 2  | h  i |
//! ```
//!
//! The reader always knows how many bytes it still needs, payloads may hold
//! any bytes (newlines too), and an empty message is just a length of 0.
//! But the length is the peer's word: four bytes `ff ff ff ff` announce a
//! 4 GiB frame. A reader that believes them allocates 4 GiB, or waits for
//! 4 GiB that never come. So a reader checks the length against its limit
//! as soon as the header is in, before it allocates or reads the body.
//!
//! The format is common enough that tokio-util ships it: `frame_codec`
//! configures its `LengthDelimitedCodec` for exactly this format. `serve`,
//! the server of the `frame-echo` program, is given: it runs on your
//! `read_frame` and `write_frame`.
//!
//! Edit `write_frame`, `read_frame` and `frame_codec`.

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::error::Error;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use tokio_util::codec::LengthDelimitedCodec;

/// The size of the length prefix, in bytes.
pub const HEADER_LEN: usize = 4;

/// The largest payload the `frame-echo` server accepts: 1 MiB.
pub const MAX_FRAME: usize = 1024 * 1024;

/// Why [`read_frame`] gave no frame.
#[derive(Debug)]
pub enum FrameError {
    /// The header announced a payload of `announced` bytes, more than the
    /// reader's `limit`. Nothing of the payload was read, and nothing was
    /// allocated for it.
    TooLarge { announced: u32, limit: usize },
    /// The peer closed the connection in the middle of a frame: inside the
    /// header, or before the whole payload came.
    EndedMidFrame,
    /// Reading from the stream failed (in `read_frame`), or writing to it
    /// (in the given server, which echoes with `write_frame`).
    Io(io::Error),
}

/// Writes `payload` to `writer` as one frame: its length as 4 bytes in
/// big-endian order, then the payload itself.
///
/// Build the whole frame, header and payload, in one buffer and write it
/// once. Two writes (the header, then the payload) leave as two small TCP
/// segments, and Nagle's algorithm holds the second back until the peer
/// acknowledges the first: tens of milliseconds per frame (the chapter's
/// pitfalls). Everything is written: a `write` may take only part of what
/// it is given, or fail with `Interrupted`; `write_all` calls it again until
/// it took all. An empty payload is a valid frame: just the header
/// `00 00 00 00`.
///
/// # Errors
///
/// - A payload of 4 GiB or more does not fit in the header: an error of kind
///   `io::ErrorKind::InvalidInput`, and nothing is written.
/// - A failed write is returned as it is.
pub fn write_frame(writer: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    // The header has room for lengths up to u32::MAX; refuse anything
    // longer before writing a byte, or the peer would read a wrong length
    // and lose its place in the stream for good.
    let length = u32::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a payload of {} bytes does not fit a 4-byte length",
                payload.len()
            ),
        )
    })?;
    // Header and payload go out in one write. Two small writes in a row
    // (header, then payload) meet Nagle's algorithm: the kernel holds the
    // second back until the peer acknowledges the first, and a peer that
    // delays its ACK makes every frame wait tens of milliseconds.
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(payload);
    // write(2) may accept only part of the buffer (the socket's send buffer
    // is full); write_all calls it again for the rest.
    writer.write_all(&frame)
}

/// Reads the next frame from `reader` and returns its payload, or `Ok(None)`
/// when the peer closed the connection cleanly, between two frames.
///
/// First the 4-byte header, then the length it announces, checked against
/// `max_len` *before* anything is allocated or read for the payload: a
/// payload of `max_len` bytes is accepted, one byte more is not. Then
/// exactly that many bytes of payload. Bytes after the frame stay unread.
///
/// # Errors
///
/// - [`FrameError::TooLarge`] as soon as the header announces more than
///   `max_len` bytes, even if the peer keeps the connection open and never
///   sends the payload.
/// - [`FrameError::EndedMidFrame`] when the peer closes the connection after
///   part of a header or part of a payload.
/// - [`FrameError::Io`] when a read fails.
pub fn read_frame(reader: &mut impl Read, max_len: usize) -> Result<Option<Vec<u8>>, FrameError> {
    // The header, read the way exercise 1 reads a message, counting the
    // bytes so far: an end of stream before the first byte is a clean end
    // between frames, one after it cuts a header in two.
    let mut header = [0; HEADER_LEN];
    let mut filled = 0;
    while filled < HEADER_LEN {
        match reader.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(FrameError::EndedMidFrame),
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(FrameError::Io(error)),
        }
    }
    // Network byte order: the most significant byte came first.
    let announced = u32::from_be_bytes(header);

    // The length is the peer's claim, checked before it costs anything.
    // Allocating first would let four bytes from anyone reserve 4 GiB of
    // memory; reading first would wait for 4 GiB that never come.
    let length = announced as usize;
    if length > max_len {
        return Err(FrameError::TooLarge {
            announced,
            limit: max_len,
        });
    }

    // The payload: exactly `length` bytes, in as many reads as it takes.
    // read_exact reports an end of stream before the last byte as
    // UnexpectedEof.
    let mut payload = vec![0; length];
    reader.read_exact(&mut payload).map_err(|error| {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            FrameError::EndedMidFrame
        } else {
            FrameError::Io(error)
        }
    })?;
    Ok(Some(payload))
}

/// tokio-util's `LengthDelimitedCodec`, set up for the frames of this
/// exercise: a 4-byte big-endian length that counts only the payload, and
/// at most `max_len` bytes of payload.
///
/// A codec is a state machine over a buffer: its `decode` takes the bytes
/// received so far and returns a whole frame when there is one, `None` when
/// more bytes are needed, and an error as soon as a header announces more
/// than `max_len` bytes. `Framed` wraps a codec around a socket.
pub fn frame_codec(max_len: usize) -> LengthDelimitedCodec {
    // The builder's defaults happen to be a 4-byte big-endian length at the
    // start of the frame, counting the payload only; saying so keeps the
    // format visible here. The default limit is 8 MiB, not ours.
    LengthDelimitedCodec::builder()
        .length_field_offset(0)
        .length_field_length(HEADER_LEN)
        .big_endian()
        .length_adjustment(0)
        .max_frame_length(max_len)
        .new_codec()
}

/// Given: the `frame-echo` server. Accepts clients on `listener` forever,
/// each on a thread of its own, and sends every frame a client sends back
/// to it unchanged, until the client closes the connection. A frame larger
/// than [`MAX_FRAME`] ends the conversation: the server closes the
/// connection.
///
/// The accept loop follows the rule of lesson 2: an accept error that
/// belongs to one connection is logged and the loop goes on; running out of
/// descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) is logged,
/// and the loop waits [`ACCEPT_BACKOFF`] and accepts again; only a listener
/// that is broken ends it.
///
/// # Errors
///
/// A client's failure is printed to stderr and ends that client's
/// connection only; a broken listener ends `serve` with its error.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        // accept(2) takes the next connection whose handshake the kernel has
        // already finished, waiting for one if the queue is empty.
        let (stream, peer) = match listener.accept() {
            Ok(connection) => connection,
            Err(error) => match accept_failure(&error) {
                // A client gave up while it waited in the accept queue, or
                // its connection failed there: the listener is fine.
                AcceptFailure::OneConnection => {
                    eprintln!("frame-echo: a connection failed before it was accepted: {error}");
                    continue;
                }
                // Out of descriptors or kernel memory. The client stays in
                // the queue, and accepting again at once would fail again at
                // once, in a loop that burns a core. Wait: a connection that
                // closes gives its descriptor back.
                AcceptFailure::OutOfResources => {
                    eprintln!(
                        "frame-echo: accept failed: {error}; trying again in {ACCEPT_BACKOFF:?}"
                    );
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                // Closed, shut down, not listening: no retry can help.
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // One thread per client, so one slow client does not hold up the
        // others (lesson 4 is about the alternatives).
        thread::spawn(move || {
            if let Err(error) = echo_frames(stream) {
                // The error, then what caused it (the io::Error behind
                // FrameError::Io), each said once.
                match error.source() {
                    Some(cause) => {
                        eprintln!("frame-echo: {peer}: {error}: {cause}; closing the connection")
                    }
                    None => eprintln!("frame-echo: {peer}: {error}; closing the connection"),
                }
            }
        });
    }
}

/// Sends every frame read from `stream` back on it, until a clean end.
fn echo_frames(stream: TcpStream) -> Result<(), FrameError> {
    // `&TcpStream` implements both Read and Write, so one socket serves as
    // the reader and the writer.
    let mut socket = &stream;
    while let Some(payload) = read_frame(&mut socket, MAX_FRAME)? {
        write_frame(&mut socket, &payload)?;
    }
    // `stream` is dropped here: close(2) sends a FIN after the last echo.
    Ok(())
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { announced, limit } => write!(
                f,
                "the frame header announces {announced} bytes, over the limit of {limit}"
            ),
            FrameError::EndedMidFrame => {
                write!(f, "the peer closed the connection in the middle of a frame")
            }
            // Not "reading": the server's write_frame fails this way too.
            // The io::Error is the source (below), not part of this message.
            FrameError::Io(_) => write!(f, "the connection failed"),
        }
    }
}

impl Error for FrameError {
    /// The failed read or write behind [`FrameError::Io`]; the other two are
    /// the peer's doing, with no cause underneath.
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FrameError::Io(error) => Some(error),
            FrameError::TooLarge { .. } | FrameError::EndedMidFrame => None,
        }
    }
}

impl From<io::Error> for FrameError {
    fn from(error: io::Error) -> FrameError {
        FrameError::Io(error)
    }
}
