//! One UDP socket, many peers: no listen, no accept, no connection.
//!
//! A TCP server has a listening socket and one more socket per client. A UDP
//! server has one socket, full stop. Every datagram arrives at it with the
//! sender's address attached (`recv_from`), and every reply names its
//! destination (`send_to`). Nothing is set up before the first datagram and
//! nothing is torn down after the last: the kernel keeps no state about the
//! peers at all, which is why `ss` shows UDP sockets as UNCONN.
//!
//! The end shows the one kind of destination the kernel refuses by default:
//! a broadcast address, which reaches every host on a network. A socket must
//! opt in with `set_broadcast(true)` first; without it the send fails on this
//! machine, before anything is sent. The demo only ever shows that failure.
//!
//! Run it with `cargo run -p lesson3-demos --bin udp-peers`.

use lesson3_demos::show_sockets;
use std::net::{SocketAddr, UdpSocket};

fn main() -> std::io::Result<()> {
    // The "server" is an ordinary bound socket. bind() is all it needs.
    let server = UdpSocket::bind("127.0.0.1:0")?;
    let server_addr = server.local_addr()?;
    println!("server socket bound to {server_addr}");

    // Two clients. Each binds port 0 explicitly here, to print its address
    // up front; without bind, the first send_to would pick a port for it.
    let alice = UdpSocket::bind("127.0.0.1:0")?;
    let bob = UdpSocket::bind("127.0.0.1:0")?;
    alice.send_to(b"hello from alice", server_addr)?;
    bob.send_to(b"hello from bob", server_addr)?;
    println!(
        "alice ({}) and bob ({}) each sent one datagram",
        alice.local_addr()?,
        bob.local_addr()?
    );

    // The server answers whoever wrote, on the same socket: the address that
    // recv_from returned is the only thing that tells the peers apart.
    let mut buffer = [0u8; 1500];
    for _ in 0..2 {
        let (length, from) = server.recv_from(&mut buffer)?;
        let text = String::from_utf8_lossy(&buffer[..length]);
        println!("server: recv_from -> {text:?} from {from}; replying with send_to({from})");
        server.send_to(format!("you are {from}").as_bytes(), from)?;
    }
    for (name, client) in [("alice", &alice), ("bob", &bob)] {
        let (length, from) = client.recv_from(&mut buffer)?;
        println!(
            "{name}: got {:?} from {from}",
            String::from_utf8_lossy(&buffer[..length])
        );
    }

    // Three sockets, all UNCONN: bound to an address, connected to nobody.
    // (-a is needed: without it ss lists only connected sockets.)
    println!();
    show_sockets(&[
        "-uan",
        &filter(&[server_addr, alice.local_addr()?, bob.local_addr()?]),
    ]);

    // Broadcast: 127.255.255.255 is the broadcast address of the loopback
    // network 127.0.0.0/8, so even a successful send could not leave this
    // machine. The socket has not opted in, so the kernel refuses it.
    println!(
        "\nbroadcast allowed on the server socket? {}",
        server.broadcast()?
    );
    match server.send_to(b"anyone?", "127.255.255.255:9") {
        Ok(length) => println!("send_to(127.255.255.255:9) -> sent {length} bytes"),
        Err(error) => println!("send_to(127.255.255.255:9) -> {:?} ({error})", error.kind()),
    }
    Ok(())
}

/// `( sport = :A or sport = :B ... )`: an ss filter for these local ports.
fn filter(addrs: &[SocketAddr]) -> String {
    let parts: Vec<String> = addrs
        .iter()
        .map(|addr| format!("sport = :{}", addr.port()))
        .collect();
    format!("( {} )", parts.join(" or "))
}
