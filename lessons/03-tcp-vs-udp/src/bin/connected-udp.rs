//! `connect()` on a UDP socket: a default peer, a filter, and error reports.
//!
//! Connecting a UDP socket sends nothing: there is no handshake. The kernel
//! only records the peer's address in the socket, and that changes three
//! things:
//!
//! 1. `send` and `recv` work without an address: every datagram goes to the
//!    peer, and the peer is the only sender you hear from.
//! 2. Datagrams from any other address are not delivered to this socket.
//! 3. When a datagram reaches a port where no socket is bound, the host
//!    there answers with an ICMP "port unreachable" message. The kernel
//!    passes that on to a connected socket as an error on its next call:
//!    `ConnectionRefused`. An unconnected socket is never told (on Linux,
//!    unless it asks with the IP_RECVERR option): it can only wait.
//!
//! Run it with `cargo run -p lesson3-demos --bin connected-udp`.

use lesson3_demos::show_sockets;
use std::io::ErrorKind;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// How long a receive may wait before the demo concludes that nothing came.
/// On loopback anything that comes at all comes within microseconds.
const QUIET: Duration = Duration::from_millis(200);

fn main() -> std::io::Result<()> {
    let server = UdpSocket::bind("127.0.0.1:0")?;
    let server_addr = server.local_addr()?;

    println!("1. A default peer");
    let client = UdpSocket::bind("127.0.0.1:0")?;
    client.connect(server_addr)?;
    client.set_read_timeout(Some(QUIET))?;
    println!(
        "  client {} connected to {}",
        client.local_addr()?,
        client.peer_addr()?
    );
    // ss shows the connected socket as ESTAB, with a peer, although not a
    // single packet has been sent: the state is only a note in the kernel.
    show_sockets(&[
        "-uan",
        &format!(
            "( sport = :{} or sport = :{} )",
            server_addr.port(),
            client.local_addr()?.port()
        ),
    ]);
    // send(), not send_to(): the destination is the connected peer.
    client.send(b"ping")?;
    let mut buffer = [0u8; 1500];
    let (length, from) = server.recv_from(&mut buffer)?;
    println!(
        "  server got {:?} from {from}",
        String::from_utf8_lossy(&buffer[..length])
    );

    println!("\n2. A filter");
    // A third socket sends to the client's address. The kernel finds no
    // socket that accepts datagrams from the stranger, so it drops the
    // datagram (and answers the stranger with port unreachable). Then the
    // server replies, and only that reply reaches the client.
    let stranger = UdpSocket::bind("127.0.0.1:0")?;
    stranger.send_to(b"from a stranger", client.local_addr()?)?;
    server.send_to(b"pong", from)?;
    println!("  a stranger sent \"from a stranger\", then the server sent \"pong\"");
    receive(&client, "client");
    receive(&client, "client");

    println!("\n3. Port unreachable");
    // An address where nothing is bound: bind a socket to learn a free port,
    // then close it. (Another program could grab the port in between; on an
    // idle test machine it will not.)
    let dead = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;

    let connected = UdpSocket::bind("127.0.0.1:0")?;
    connected.connect(dead)?;
    connected.set_read_timeout(Some(QUIET))?;
    // The send succeeds: the datagram left, and nobody has complained yet.
    // The complaint arrives as ICMP, and the *next* call reports it.
    connected.send(b"anyone there?")?;
    println!("  connected socket: send to {dead} -> Ok");
    receive(&connected, "connected socket");

    let unconnected = UdpSocket::bind("127.0.0.1:0")?;
    unconnected.set_read_timeout(Some(QUIET))?;
    unconnected.send_to(b"anyone there?", dead)?;
    println!("  unconnected socket: send_to {dead} -> Ok");
    receive(&unconnected, "unconnected socket");
    Ok(())
}

/// One `recv_from` with the socket's read timeout, and what came of it.
fn receive(socket: &UdpSocket, name: &str) {
    let mut buffer = [0u8; 1500];
    let started = Instant::now();
    let outcome = socket.recv_from(&mut buffer);
    let elapsed = started.elapsed();
    match outcome {
        Ok((length, from)) => println!(
            "  {name}: recv -> {:?} from {from}",
            String::from_utf8_lossy(&buffer[..length])
        ),
        // A read timeout shows up as WouldBlock on Unix (TimedOut on
        // Windows): nothing arrived in time.
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            println!("  {name}: recv -> nothing within {elapsed:.0?}")
        }
        Err(error) => println!(
            "  {name}: recv -> {:?} ({error}), after {elapsed:.1?}",
            error.kind()
        ),
    }
}
