//! What identifies a connection: four numbers, seen from both ends.
//!
//! A TCP connection is identified by its *4-tuple*: local IP, local port,
//! remote IP, remote port (plus the protocol, TCP). The kernel uses that tuple
//! to deliver every arriving segment to the right socket. This program opens
//! two connections to one listener and prints the tuple from each side:
//! what the client calls "local" the server calls "peer", and the other way
//! round.
//!
//! Run it with `cargo run -p lesson1-demos --bin four-tuple`. While it waits,
//! run the `ss` command it prints in another terminal to see the same sockets
//! from the outside.

use netlings_cli::pause;
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    // One listening socket, on a port the OS picks. It accepts connections
    // but never carries data itself.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let server_addr = listener.local_addr()?;
    println!("listener on {server_addr}\n");

    // Two clients connect to the *same* server address. We keep every socket
    // in `connections` so that none is closed before we look at them.
    let mut connections = Vec::new();
    for number in 1..=2 {
        // connect(): the kernel picks an ephemeral local port for the client
        // and performs the TCP handshake with the listener.
        let client = TcpStream::connect(server_addr)?;
        // accept(): hands us a *new* socket for this one connection. The
        // listener stays as it was, ready for the next client.
        let (server_side, _) = listener.accept()?;

        println!("connection {number}");
        println!(
            "  client side:  local {:<17} peer {}",
            client.local_addr()?,
            client.peer_addr()?
        );
        println!(
            "  server side:  local {:<17} peer {}",
            server_side.local_addr()?,
            server_side.peer_addr()?
        );
        // The two views are mirror images. If this ever failed, the kernel
        // would be delivering one connection's data to another's socket.
        assert_eq!(client.local_addr()?, server_side.peer_addr()?);
        assert_eq!(client.peer_addr()?, server_side.local_addr()?);
        println!(
            "  4-tuple:      (tcp, {}, {}, {}, {})\n",
            server_side.local_addr()?.ip(),
            server_side.local_addr()?.port(),
            server_side.peer_addr()?.ip(),
            server_side.peer_addr()?.port()
        );
        connections.push((client, server_side));
    }

    // Both accepted sockets have the listener's port as their local port. Three
    // sockets on one port, and no conflict: they differ in the remote half of
    // the tuple, and the listener has no remote half at all.
    println!(
        "All server-side sockets use port {}; they differ only in the peer.",
        server_addr.port()
    );
    println!("\nIn another terminal, list every TCP socket that uses this port:");
    println!(
        "  ss -tan '( sport = :{port} or dport = :{port} )'",
        port = server_addr.port()
    );
    pause("Press Enter to close the connections and exit...");
    Ok(())
}
