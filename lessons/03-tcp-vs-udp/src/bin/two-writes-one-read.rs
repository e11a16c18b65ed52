//! Two writes, one read: TCP is a stream of bytes, UDP is a sequence of
//! datagrams.
//!
//! The same two messages, `hello ` and `world`, go over TCP and over UDP.
//!
//! - Over TCP, the sender calls `write` twice. The kernel appends both to the
//!   connection's byte stream; the receiver's kernel holds 11 bytes with no
//!   mark where one write ended. One `read` with a big enough buffer returns
//!   all 11 at once. TCP never promised anything else: it delivers the bytes,
//!   in order, not the writes.
//! - Over UDP, the sender calls `send_to` twice. Each call is one datagram,
//!   and the receiver gets each one whole from its own `recv_from`, however
//!   big the buffer: the boundary between messages survives.
//!
//! Run it with `cargo run -p lesson3-demos --bin two-writes-one-read`.

use lesson3_demos::{show_sockets, tcp_pair};
use std::io::{Read, Write};
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    println!("TCP: two writes");
    let (mut client, mut server) = tcp_pair()?;
    // Nagle's algorithm would hold the second small write back until the
    // first is acknowledged (lesson 6 comes back to it). Turning it off makes
    // each write leave at once, as its own TCP segment, so the two writes
    // really are two packets on the wire. They still arrive as one read.
    client.set_nodelay(true)?;
    client.write_all(b"hello ")?;
    client.write_all(b"world")?;
    println!("  client wrote \"hello \" (6 bytes), then \"world\" (5 bytes)");

    // Before the server reads, ask the kernel what it holds for the
    // server's socket: Recv-Q is the number of bytes received and not yet
    // read. The filter selects the server's side of the connection, whose
    // local port is the listener's port.
    let port = server.local_addr()?.port();
    show_sockets(&["-tan", &format!("sport = :{port}")]);

    // One read, with room for 64 bytes. It returns whatever the kernel has
    // queued, up to the buffer's size: both writes, as one run of bytes.
    let mut buffer = [0u8; 64];
    let length = server.read(&mut buffer)?;
    println!(
        "  server: one read returned {length} bytes: {:?}",
        String::from_utf8_lossy(&buffer[..length])
    );

    println!("\nUDP: two datagrams");
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let to = receiver.local_addr()?;
    sender.send_to(b"hello ", to)?;
    sender.send_to(b"world", to)?;
    println!("  sender sent \"hello \" (6 bytes), then \"world\" (5 bytes)");
    show_sockets(&["-uan", &format!("sport = :{}", to.port())]);

    // Both datagrams are queued by now, exactly like the TCP bytes were,
    // yet each recv_from returns one datagram and never more, even with room
    // for 64 bytes.
    for _ in 0..2 {
        let (length, from) = receiver.recv_from(&mut buffer)?;
        println!(
            "  receiver: recv_from returned {length} bytes from {from}: {:?}",
            String::from_utf8_lossy(&buffer[..length])
        );
    }
    Ok(())
}
