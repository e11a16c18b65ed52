//! The kernel accepts connections before your program does.
//!
//! Once a socket listens, the kernel answers every client's handshake on its
//! own: SYN in, SYN-ACK out, ACK in, and the connection is established. It
//! then puts the finished connection in the listener's *accept queue*, where
//! it waits until the program calls `accept()`. So a client's `connect()`
//! returns before the server has done anything, and the client can already
//! send: its bytes wait in the queued socket's receive buffer.
//!
//! This program connects three clients, which each write a line, all before
//! the server calls `accept()` once. Then it waits, so
//! that you can see the queue with `ss`, and finally accepts and reads. The
//! clients come out of the queue in the order they connected, and nothing
//! they wrote is lost.
//!
//! Run it with `cargo run -p lesson2-demos --bin connect-before-accept`.

use lesson2_demos::{loopback, pause};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind(loopback())?;
    let server_addr = listener.local_addr()?;
    println!("listening on {server_addr}; the server will not call accept() for a while\n");

    let mut clients = Vec::new();
    for number in 1..=3 {
        let started = Instant::now();
        let mut client = TcpStream::connect(server_addr)?;
        let took = started.elapsed();
        // Send one line. The write succeeds although nobody has accepted
        // us: the bytes go into the receive buffer of the server-side socket
        // the kernel made during the handshake. The newline marks the end of
        // the message, so the server knows when it has read all of it.
        let message = format!("hello from client {number}");
        writeln!(client, "{message}")?;
        println!(
            "client {number} ({}): connect() returned after {took:.1?}, wrote {:?}",
            client.local_addr()?,
            message
        );
        // Keep the client open: the point is that it is still there,
        // connected, waiting for an answer that cannot come yet.
        clients.push(client);
    }

    println!("\nNo accept() yet. In another terminal, look at the listener's queue:");
    println!("  ss -tln 'sport = :{}'", server_addr.port());
    println!("and at the connections, which are already established:");
    println!(
        "  ss -tan '( sport = :{port} or dport = :{port} )'",
        port = server_addr.port()
    );
    pause("Press Enter to accept the three clients...");

    println!();
    for _ in 1..=3 {
        // accept() does not talk to the client at all: the handshake is
        // long over. It takes the oldest connection off the queue and gives
        // it a file descriptor.
        let (connection, peer) = listener.accept()?;
        let mut received = String::new();
        BufReader::new(connection).read_line(&mut received)?;
        println!("accept() -> {peer}, read {:?}", received.trim_end());
    }
    Ok(())
}
