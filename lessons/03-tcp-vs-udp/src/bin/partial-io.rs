//! Partial reads and partial writes, and the two helpers that finish the job:
//! `read_exact` and `write_all`.
//!
//! `read(buf)` returns as soon as it has *some* bytes: whatever the kernel
//! holds, up to `buf.len()`. Fewer bytes than you hoped for is normal, not an
//! error. `Ok(0)` is the one special value: the peer closed its side, and no
//! more bytes will ever come (end of file, EOF).
//!
//! `write(buf)` may likewise accept only part of `buf`: it copies what fits in
//! the socket's send buffer and reports how much. A blocking socket usually
//! waits for room instead, but a non-blocking one (and every async socket
//! is one underneath) returns the short count straight away.
//!
//! Run it with `cargo run -p lesson3-demos --bin partial-io`.

use lesson3_demos::tcp_pair;
use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;

fn main() -> std::io::Result<()> {
    short_reads()?;
    big_write_big_buffer()?;
    short_write()?;
    exact_reads()?;
    Ok(())
}

/// One write of 26 bytes, read through an 8-byte buffer.
fn short_reads() -> std::io::Result<()> {
    println!("1. A small buffer: one write comes out as several reads");
    let (mut client, mut server) = tcp_pair()?;
    client.write_all(b"abcdefghijklmnopqrstuvwxyz")?;
    // shutdown(Write) sends FIN: "I will send nothing more". The server's
    // reads return the 26 bytes, then 0.
    client.shutdown(Shutdown::Write)?;
    println!("  client wrote 26 bytes in one write, then shut down its sending side");

    let mut buffer = [0u8; 8];
    loop {
        let length = server.read(&mut buffer)?;
        if length == 0 {
            println!("  read -> 0 bytes: end of stream, the client closed its side");
            break;
        }
        println!(
            "  read -> {length} bytes {:?}",
            String::from_utf8_lossy(&buffer[..length])
        );
    }
    Ok(())
}

/// One write of 1 MiB, read through a 1 MiB buffer: still many reads.
fn big_write_big_buffer() -> std::io::Result<()> {
    println!("\n2. A big buffer: reads still return whatever has arrived so far");
    let (mut client, mut server) = tcp_pair()?;
    const SIZE: usize = 1024 * 1024;
    // The writer runs on its own thread: 1 MiB does not fit in the socket
    // buffers at once, so `write_all` must wait for the reader to make room.
    let writer = std::thread::spawn(move || {
        client.write_all(&vec![b'x'; SIZE])
        // `client` is dropped here, which closes the connection: EOF.
    });

    let mut buffer = vec![0u8; SIZE];
    let mut sizes = Vec::new();
    loop {
        let length = server.read(&mut buffer)?;
        if length == 0 {
            break;
        }
        sizes.push(length);
    }
    writer.join().expect("the writer thread does not panic")?;
    let total: usize = sizes.iter().sum();
    println!("  client: one write_all of {SIZE} bytes");
    println!(
        "  server: {} reads with a {SIZE}-byte buffer, {total} bytes in all",
        sizes.len()
    );
    println!("  the reads returned {sizes:?} bytes");
    Ok(())
}

/// A non-blocking write of 8 MiB to a peer that does not read.
fn short_write() -> std::io::Result<()> {
    println!("\n3. A full send buffer: one write accepts only part of the data");
    let (mut client, _server) = tcp_pair()?;
    // In non-blocking mode, write never waits: it takes what fits and
    // returns. The server never reads, so what fits is the client's send
    // buffer plus the server's receive buffer, a few MB on loopback.
    client.set_nonblocking(true)?;
    let data = vec![b'x'; 8 * 1024 * 1024];
    let accepted = client.write(&data)?;
    println!(
        "  write of {} bytes -> {accepted} bytes accepted; the rest is still ours to send",
        data.len()
    );
    match client.write(&data[accepted..]) {
        Ok(more) => println!("  the next write -> {more} more bytes"),
        Err(error) if error.kind() == ErrorKind::WouldBlock => {
            println!("  the next write -> WouldBlock: no room until the peer reads")
        }
        Err(error) => return Err(error),
    }
    // A blocking `write_all` would loop over `write` until every byte is
    // accepted, waiting for room each time. Here it would wait forever,
    // since the server never reads; so the demo stops.
    Ok(())
}

/// `read_exact` gathers a 4-byte header that arrives in two pieces, and
/// fails with `UnexpectedEof` when the stream ends half-way.
fn exact_reads() -> std::io::Result<()> {
    println!("\n4. read_exact: wait for exactly N bytes, however they arrive");
    let (mut client, mut server) = tcp_pair()?;
    // Two writes, each its own segment (Nagle is off), carrying half of a
    // 4-byte header each.
    client.set_nodelay(true)?;
    client.write_all(&[0, 0])?;
    client.write_all(&[0, 5])?;
    let mut header = [0u8; 4];
    // read_exact calls read in a loop until the buffer is full.
    server.read_exact(&mut header)?;
    println!(
        "  two writes of 2 bytes, read_exact(4) -> {header:?} = {}",
        u32::from_be_bytes(header)
    );

    // Now the client sends only 2 bytes of the next header and closes.
    client.write_all(&[0, 0])?;
    drop(client);
    match server.read_exact(&mut header) {
        Ok(()) => println!("  read_exact(4) -> {header:?}"),
        Err(error) => println!(
            "  2 bytes, then EOF: read_exact(4) -> {:?} ({error})",
            error.kind()
        ),
    }
    Ok(())
}
