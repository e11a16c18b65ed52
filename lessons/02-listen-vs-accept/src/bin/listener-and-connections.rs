//! One listening socket, and the connection sockets it hands out.
//!
//! A server has two kinds of socket. The *listening* socket has an address
//! but no peer, and it never carries a byte of data: its only job is to
//! receive new connections. Every `accept()` on it returns a *new* socket,
//! with a file descriptor of its own, for exactly one client. That socket has
//! the listener's local address (same IP, same port) and the client's address
//! as its peer.
//!
//! This program connects three clients to one listener, accepts each, and
//! prints the descriptor and the 4-tuple of every socket. Then it waits, so
//! that you can look at all of them with `ss`.
//!
//! Run it with `cargo run -p lesson2-demos --bin listener-and-connections`.

use lesson2_demos::{describe_fd, loopback, pause};
use socket2::SockRef;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    // socket(), bind(), listen(): the listening socket.
    let listener = TcpListener::bind(loopback())?;
    let server_addr = listener.local_addr()?;
    println!(
        "listening socket    {}  local {server_addr}",
        describe_fd(&listener)
    );

    // A listener has no peer, and no byte stream to read or write: asking
    // for its peer fails, and so does reading from it. std's `TcpListener`
    // does not even offer those methods; socket2's `SockRef` reaches the
    // system calls, to show what the kernel says.
    let raw = SockRef::from(&listener);
    println!(
        "  its peer:          {}",
        raw.peer_addr().map_err(|error| error.kind()).map_or_else(
            |kind| format!("{kind:?} (getpeername on a listener)"),
            |peer| format!("{peer:?}")
        )
    );

    // Three clients, each accepted. We keep every socket alive in `pairs`,
    // so that `ss` can see them all while the program waits.
    let mut pairs = Vec::new();
    for number in 1..=3 {
        // connect(): a new client socket; the kernel picks its port.
        let client = TcpStream::connect(server_addr)?;
        // accept(): a NEW socket, for this client only. The listener does
        // not change; it is ready for the next client at once.
        let (connection, peer) = listener.accept()?;
        println!(
            "accept() #{number}         {}  local {}  peer {peer}",
            describe_fd(&connection),
            connection.local_addr()?
        );
        pairs.push((client, connection));
    }

    // The data of a connection flows through its own socket, and only
    // through it. Write on the second connection socket; the second client,
    // and no other, receives it.
    let (client, connection) = &mut pairs[1];
    connection.write_all(b"for client 2 only")?;
    let mut buffer = [0; 64];
    let received = client.read(&mut buffer)?;
    println!(
        "\nwrote on connection #2; client 2 read {:?}",
        String::from_utf8_lossy(&buffer[..received])
    );

    println!(
        "\nOne listening socket, three connection sockets: every one has local port {}.",
        server_addr.port()
    );
    println!("In another terminal, list them with the process and descriptor that own them:");
    println!("  ss -tanp 'sport = :{}'", server_addr.port());
    pause("Press Enter to close everything and exit...");
    Ok(())
}
