//! Framing a byte stream by hand: newline-delimited lines, and
//! length-prefixed frames with a 4-byte big-endian header. Then what goes
//! wrong when the reader believes whatever the peer sends.
//!
//! TCP delivers bytes, not messages (see `two-writes-one-read`). To send
//! messages over it, both sides agree on a *framing*: a rule that says where
//! one message ends and the next begins. The two rules almost every protocol
//! uses are:
//!
//! ```text
//!   lines:            "GET a\n"  "GET b\n"                a delimiter ends each message
//!   length-prefixed:  00 00 00 05 "GET a"  00 00 00 05 "GET b"
//!                     \_________/
//!                     the length, a u32 big-endian; then any bytes at all
//! ```
//!
//! The readers here are the simplest that work when the peer plays fair.
//! The last step of each part shows a peer that does not, and why a real
//! reader needs a limit (exercises 2 and 3 add it).
//!
//! Run it with `cargo run -p lesson3-demos --bin framing-by-hand`.

use lesson3_demos::tcp_pair;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::thread;

fn main() -> io::Result<()> {
    lines()?;
    length_prefixed()?;
    Ok(())
}

fn lines() -> io::Result<()> {
    println!("Newline-delimited");
    let (mut client, server) = tcp_pair()?;
    // Three writes that do not line up with the messages at all: the first
    // write holds a whole line and half of the next, the second finishes it.
    // The reader cannot tell, and does not need to.
    for chunk in [&b"GET apple\nGET ba"[..], b"nana\nQU", b"IT\n"] {
        client.write_all(chunk)?;
        println!("  client wrote {:?}", String::from_utf8_lossy(chunk));
    }
    drop(client);

    // BufReader reads the socket in big chunks and hands them out line by
    // line; the bytes after a `\n` wait in its buffer for the next call.
    // `read_line` returns 0 at the end of the stream.
    let mut reader = BufReader::new(server);
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 {
        println!("  server read the line {:?}", line.trim_end_matches('\n'));
        line.clear();
    }
    println!("  server: end of stream");

    // A peer that sends 8 MiB and no newline. `read_line` has no limit: it
    // keeps reading, and keeps growing `line`, until a newline or the end of
    // the stream. Here the peer closes after 8 MiB; a hostile one would just
    // keep sending.
    println!("\n  a peer sends 8 MiB without a newline, then closes:");
    let (mut client, server) = tcp_pair()?;
    let flood = thread::spawn(move || client.write_all(&vec![b'x'; 8 * 1024 * 1024]));
    let mut reader = BufReader::new(server);
    let read = reader.read_line(&mut line)?;
    flood.join().expect("the writer thread does not panic")?;
    println!("  server: read_line returned one \"line\" of {read} bytes, all of it held in memory");
    Ok(())
}

fn length_prefixed() -> io::Result<()> {
    println!("\nLength-prefixed, a 4-byte big-endian length");
    let (mut client, mut server) = tcp_pair()?;
    // A payload may contain anything, newlines and zero bytes included: the
    // reader never looks inside it.
    for payload in [&b"GET apple"[..], b"two\nlines", b"", &[0, 255, 10]] {
        let header = (payload.len() as u32).to_be_bytes();
        // Header and payload go out in one `write_all`: two small writes
        // would cost two segments (and, with Nagle on, a delay).
        client.write_all(&[&header[..], payload].concat())?;
        println!(
            "  client sent {:<13} as {} + the payload",
            format!("\"{}\"", payload.escape_ascii()),
            hex(&header)
        );
    }
    drop(client);

    // The reader always knows how many bytes it needs next: 4 for a header,
    // then as many as the header says. `read_exact` gathers them however
    // the stream cut them up.
    let mut header = [0u8; 4];
    loop {
        match server.read_exact(&mut header) {
            Ok(()) => {}
            // With no bytes left, `read_exact` fails with UnexpectedEof.
            // (Telling "closed between frames" from "closed inside a
            // header" takes one more step; exercise 3 asks for it.)
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => break,
            Err(error) => return Err(error),
        }
        let length = u32::from_be_bytes(header) as usize;
        let mut payload = vec![0u8; length];
        server.read_exact(&mut payload)?;
        println!(
            "  server read {} then {length} bytes: \"{}\"",
            hex(&header),
            payload.escape_ascii()
        );
    }
    println!("  server: end of stream");

    // The length is the peer's word. Four bytes can announce 4 GiB, and the
    // loop above would answer them with `vec![0u8; 4294967295]`: a 4 GiB
    // allocation per connection, then a wait for 4 GiB that may never come.
    let hostile = u32::MAX.to_be_bytes();
    println!(
        "\n  a header of {} announces {} bytes: believe it and you allocate 4 GiB",
        hex(&hostile),
        u32::from_be_bytes(hostile)
    );
    Ok(())
}

/// `00 00 00 09`: bytes as hex, the way a packet capture shows them.
fn hex(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    pairs.join(" ")
}
