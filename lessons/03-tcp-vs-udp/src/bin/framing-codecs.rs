//! The same two framings with tokio-util's codecs: `LinesCodec` (with a
//! maximum line length) and `LengthDelimitedCodec` (with a maximum frame
//! length).
//!
//! A codec does no I/O at all. It is a pair of functions on a byte buffer:
//!
//! - `decode(&mut buffer)` looks at the bytes received so far. If they hold a
//!   whole frame, it removes the frame's bytes from the buffer and returns
//!   `Ok(Some(frame))`; if not yet, `Ok(None)`: read more and call again;
//!   if the bytes break the format (a line over the limit, a frame too
//!   big), `Err`.
//! - `encode(frame, &mut buffer)` appends the frame's bytes, ready to write.
//!
//! Because the codec only sees a buffer, the same codec works on a std
//! socket (as here), on a tokio socket, or on bytes from a test. With tokio,
//! `tokio_util::codec::Framed::new(stream, codec)` runs the read loop of
//! `next_frame` below for you and turns the socket into a stream of frames.
//!
//! Run it with `cargo run -p lesson3-demos --bin framing-codecs`.

use lesson3_demos::tcp_pair;
use std::io::{self, Read, Write};
use tokio_util::bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec, LinesCodec};

fn main() -> io::Result<()> {
    lines_codec();
    length_delimited_codec()?;
    Ok(())
}

/// LinesCodec, fed by hand so that every `decode` call is visible.
fn lines_codec() {
    println!("LinesCodec::new_with_max_length(16)");
    let mut codec = LinesCodec::new_with_max_length(16);

    let mut out = BytesMut::new();
    codec
        .encode("GET apple", &mut out)
        .expect("a short line encodes");
    println!("  encode(\"GET apple\") appends {:?}", out);

    // The bytes as a socket might deliver them: cut anywhere.
    let arrivals: [&[u8]; 4] = [
        b"GET ap",
        b"ple\r\nGET banana\n",
        b"this line is far too long\nQU",
        b"IT",
    ];
    let mut buffer = BytesMut::new();
    for arrived in arrivals {
        buffer.extend_from_slice(arrived);
        println!(
            "  arrived {:?}, buffer now {:?}",
            String::from_utf8_lossy(arrived),
            buffer
        );
        // Call decode until it says "not yet": one arrival can complete
        // several lines.
        loop {
            match codec.decode(&mut buffer) {
                Ok(Some(line)) => println!("    decode -> Some({line:?})"),
                Ok(None) => {
                    println!("    decode -> None: no whole line yet");
                    break;
                }
                // LinesCodec recovers: it skips the rest of the long line,
                // up to its newline, and carries on with the next one.
                Err(error) => println!("    decode -> Err({error})"),
            }
        }
    }
    // At the end of the stream, decode_eof hands out what is left, even
    // without a newline.
    match codec.decode_eof(&mut buffer) {
        Ok(line) => println!("  end of stream: decode_eof -> {line:?}"),
        Err(error) => println!("  end of stream: decode_eof -> Err({error})"),
    }
}

/// LengthDelimitedCodec on a real TCP connection.
fn length_delimited_codec() -> io::Result<()> {
    println!("\nLengthDelimitedCodec, max_frame_length 1 MiB");
    // The builder's defaults are this course's format: a 4-byte big-endian
    // length, then the payload. They are spelled out anyway, so that the
    // reader of the code does not have to know the defaults; the default
    // limit (8 MiB) is lowered to 1 MiB.
    let mut codec = LengthDelimitedCodec::builder()
        .length_field_length(4)
        .big_endian()
        .max_frame_length(1024 * 1024)
        .new_codec();

    let (mut client, mut server) = tcp_pair()?;
    let mut out = BytesMut::new();
    for payload in [&b"GET apple"[..], b"two\nlines", b""] {
        let before = out.len();
        codec.encode(payload, &mut out)?;
        println!(
            "  client: encode({:?}) appends {} + the payload",
            String::from_utf8_lossy(payload),
            hex(&out[before..before + 4])
        );
    }
    // Then a hostile header: 4 GiB announced, nothing sent after it.
    out.extend_from_slice(&u32::MAX.to_be_bytes());
    println!("  client: appends the header ff ff ff ff, and writes it all in one write_all");
    client.write_all(&out)?;
    drop(client);

    let mut buffer = BytesMut::new();
    loop {
        match next_frame(&mut server, &mut codec, &mut buffer) {
            Ok(Some(frame)) => println!("  server: frame {frame:?}"),
            Ok(None) => {
                println!("  server: end of stream");
                break;
            }
            Err(error) => {
                println!(
                    "  server: {:?}: {error}; closing the connection",
                    error.kind()
                );
                break;
            }
        }
    }
    Ok(())
}

/// Reads from `stream` until `codec` can decode one frame; `Ok(None)` at a
/// clean end of the stream. This loop is what `Framed` does for you.
fn next_frame<D>(
    stream: &mut impl Read,
    codec: &mut D,
    buffer: &mut BytesMut,
) -> Result<Option<D::Item>, D::Error>
where
    D: Decoder,
{
    loop {
        // First try the bytes already buffered: the last read may have
        // brought more than one frame.
        if let Some(frame) = codec.decode(buffer)? {
            return Ok(Some(frame));
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            // End of stream: decode_eof returns a last frame, or None when
            // the buffer is empty, or an error when it holds part of a frame.
            return codec.decode_eof(buffer);
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// `00 00 00 09`: bytes as hex, the way a packet capture shows them.
fn hex(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    pairs.join(" ")
}
