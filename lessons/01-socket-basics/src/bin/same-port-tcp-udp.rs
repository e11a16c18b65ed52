//! A TCP socket and a UDP socket on the same port number are two different
//! sockets.
//!
//! A socket is IP + port + *protocol*. TCP and UDP each have their own 65,536
//! ports, so "port 5353" means nothing until you say which protocol. This
//! program binds a TCP listener, then binds a UDP socket to the very same IP
//! and port number, and shows that each receives only its own traffic.
//!
//! Run it with `cargo run -p lesson1-demos --bin same-port-tcp-udp`, and while
//! it waits, run the `ss` command it prints in another terminal.

use netlings_cli::pause;
use std::io::Read;
use std::net::{TcpListener, TcpStream, UdpSocket};

fn main() -> std::io::Result<()> {
    // Port 0: let the OS pick a free TCP port on the loopback interface.
    let tcp = TcpListener::bind("127.0.0.1:0")?;
    let addr = tcp.local_addr()?;
    println!("TCP listener bound to {addr}");

    // Now ask for that exact IP and port again, for UDP. If TCP and UDP
    // shared one set of ports this would fail with "address in use". It
    // succeeds, because the kernel keeps a separate table of ports per
    // protocol. (It could fail only if some other program happened to hold
    // this UDP port already; the OS chose the port for TCP alone.)
    let udp = UdpSocket::bind(addr)?;
    println!("UDP socket   bound to {}", udp.local_addr()?);

    // A datagram sent to the address arrives at the UDP socket...
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    sender.send_to(b"hello over UDP", addr)?;
    let mut buffer = [0u8; 64];
    let (length, from) = udp.recv_from(&mut buffer)?;
    println!(
        "UDP socket received {:?} from {from}",
        String::from_utf8_lossy(&buffer[..length])
    );

    // ...and a TCP connection to the same address arrives at the listener.
    // Neither socket ever sees the other's traffic.
    let client = TcpStream::connect(addr)?;
    let (mut connection, peer) = tcp.accept()?;
    println!("TCP listener accepted a connection from {peer}");

    println!(
        "\nIn another terminal, list the sockets on port {}:",
        addr.port()
    );
    println!("  ss -tuan 'sport = :{}'", addr.port());
    pause("Press Enter to close them...");

    // Closing the client makes the accepted connection read end-of-file (0
    // bytes): a clean way to end the conversation before the sockets drop.
    drop(client);
    let bytes = connection.read(&mut buffer)?;
    println!("the client closed its end; the server read {bytes} bytes (end of stream)");
    Ok(())
}
