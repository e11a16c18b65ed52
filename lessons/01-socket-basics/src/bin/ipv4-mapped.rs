//! An IPv6 socket that accepts an IPv4 client, and how to read the client's
//! address afterwards.
//!
//! An IPv6 socket with the IPV6_V6ONLY option *off* also carries IPv4. The
//! kernel shows each IPv4 address to it in IPv6 clothing, as an
//! *IPv4-mapped* address: `::ffff:` followed by the IPv4 address, so
//! 127.0.0.1 becomes `::ffff:127.0.0.1`.
//!
//! A real dual-stack server binds `[::]`, every address of the machine, and
//! then serves IPv6 and IPv4 clients on one socket. This demo stays on
//! loopback instead: it binds the mapped form of 127.0.0.1, which gives the
//! same IPv6-socket-meets-IPv4-client situation without opening a port to the
//! network.
//!
//! Run it with `cargo run -p lesson1-demos --bin ipv4-mapped`.

use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};

fn main() -> io::Result<()> {
    let mapped_loopback: SocketAddr = "[::ffff:127.0.0.1]:0".parse().expect("a valid address");

    // An IPv6 TCP socket. Its IPV6_V6ONLY option starts at the system's
    // default: off on Linux (/proc/sys/net/ipv6/bindv6only is 0), on for
    // Windows, FreeBSD and NetBSD. A portable program sets it explicitly.
    let socket = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
    println!(
        "a new IPv6 socket: only_v6 = {} (this system's default)",
        socket.only_v6()?
    );

    // With only_v6 on, the socket refuses to have anything to do with IPv4,
    // and even binding an IPv4-mapped address fails.
    let strict = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
    strict.set_only_v6(true)?;
    match strict.bind(&mapped_loopback.into()) {
        Ok(()) => println!("with only_v6 = true, binding {mapped_loopback} unexpectedly worked"),
        Err(error) => println!("with only_v6 = true, binding {mapped_loopback} fails: {error}"),
    }

    // Turn it off, bind and listen: this socket now accepts IPv4 clients.
    // set_only_v6 must come before bind; afterwards it is too late.
    socket.set_only_v6(false)?;
    socket.bind(&mapped_loopback.into())?;
    socket.listen(128)?;
    let listener: TcpListener = socket.into();
    let server_addr = listener.local_addr()?;
    println!("with only_v6 = false, the listener is bound to {server_addr}\n");

    // A plain IPv4 client connects to 127.0.0.1 and that port. It knows
    // nothing about IPv6: on the wire this is an ordinary IPv4 connection.
    let client = TcpStream::connect(("127.0.0.1", server_addr.port()))?;
    let (_connection, peer) = listener.accept()?;
    println!("the client sees itself as    {}", client.local_addr()?);
    println!("the IPv6 listener sees it as {peer}\n");

    // The address the server holds is IPv6 by type, IPv4 in meaning. Code
    // that logs it, compares it or checks it against an allow-list must
    // convert it back. Three conversions exist, and one of them is a trap.
    let IpAddr::V6(v6) = peer.ip() else {
        unreachable!("an IPv6 socket reports IPv6 peer addresses")
    };
    println!("converting {v6}:");
    println!(
        "  is_loopback()                    = {}",
        peer.ip().is_loopback()
    );
    println!(
        "  Ipv6Addr::to_ipv4_mapped()       = {:?}",
        v6.to_ipv4_mapped()
    );
    println!("  Ipv6Addr::to_ipv4()              = {:?}", v6.to_ipv4());
    let canonical = peer.ip().to_canonical();
    println!("  IpAddr::to_canonical()           = {canonical}");
    println!(
        "  to_canonical().is_loopback()     = {}",
        canonical.is_loopback()
    );
    // There is no SocketAddr::to_canonical; rebuild the socket address.
    println!(
        "  the client's real address        = {}\n",
        SocketAddr::new(canonical, peer.port())
    );

    // The trap: to_ipv4() also converts the old "IPv4-compatible" form
    // ::a.b.c.d, which includes ::1. So the IPv6 loopback address turns into
    // 0.0.0.1, an IPv4 address that means something else entirely.
    let v6_loopback = Ipv6Addr::LOCALHOST;
    println!("converting {v6_loopback} (a genuine IPv6 client):");
    println!(
        "  Ipv6Addr::to_ipv4()              = {:?}   <- wrong",
        v6_loopback.to_ipv4()
    );
    println!(
        "  Ipv6Addr::to_ipv4_mapped()       = {:?}",
        v6_loopback.to_ipv4_mapped()
    );
    println!(
        "  IpAddr::to_canonical()           = {}",
        IpAddr::V6(v6_loopback).to_canonical()
    );
    Ok(())
}
