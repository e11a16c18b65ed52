//! What a socket address is, and which texts are not one.
//!
//! A socket address is an IP address and a port, nothing more. Rust's type
//! for it is `std::net::SocketAddr`, an enum with one variant per IP version.
//! This program parses a few texts as `SocketAddr` and prints what is inside,
//! then shows the texts that look like addresses but do not parse.
//!
//! Run it with `cargo run -p lesson1-demos --bin socket-addresses`. It opens
//! no socket: parsing an address is pure computation, and the OS is not
//! involved until you bind or connect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn main() {
    println!("Texts that parse as a SocketAddr:\n");

    // An IPv4 address and a port, the address of a web server (port 443 is
    // HTTPS). The text says nothing about TCP or UDP: the protocol is not part
    // of a socket address, it is chosen when the socket is created.
    describe("142.250.74.206:443");

    // IPv4 loopback: packets to 127.0.0.1 never leave this machine.
    describe("127.0.0.1:8080");

    // An IPv6 address must be written in brackets when a port follows,
    // because IPv6 addresses themselves contain colons.
    describe("[::1]:8080");

    // `0.0.0.0` means "every IPv4 address of this machine" when you bind,
    // and port 0 means "let the OS choose". Both are requests, not places.
    describe("0.0.0.0:0");

    // An IPv4 address written inside IPv6: the form in which an IPv6 socket
    // sees an IPv4 client (see the `ipv4-mapped` demo). Note that it is *not*
    // loopback as far as `is_loopback` is concerned: only ::1 is IPv6
    // loopback, even though this address means 127.0.0.1.
    describe("[::ffff:127.0.0.1]:5000");

    println!("\nTexts that do not parse as a SocketAddr:\n");

    // Without brackets nobody can tell where the address ends: is it the
    // address ::1 and port 8080, or the address ::1:8080 with no port?
    rejected("::1:8080", "IPv6 without brackets");
    // A name is not an address. It must be resolved first (see the
    // `resolve-name` demo); `str::parse` never does that.
    rejected("localhost:80", "a name, not an IP address");
    // A socket address always has a port.
    rejected("127.0.0.1", "no port");
    // A port is 16 bits: 0 to 65535.
    rejected("127.0.0.1:65536", "the port does not fit in 16 bits");

    println!("\nBuilt from parts, without any text:\n");

    // In code you rarely parse: build the address from an IP and a port.
    // `From<(IpAddr, u16)>` and friends exist for exactly this.
    let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 7878));
    let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 7878));
    println!("  SocketAddr::from((Ipv4Addr::LOCALHOST, 7878)) = {v4}");
    // Display puts the brackets back for IPv6, so a printed SocketAddr can
    // always be parsed again.
    println!("  SocketAddr::from((Ipv6Addr::LOCALHOST, 7878)) = {v6}");
}

/// Parses `text` as a socket address and prints its parts.
fn describe(text: &str) {
    let addr: SocketAddr = match text.parse() {
        Ok(addr) => addr,
        Err(error) => {
            println!("  {text:<24} unexpectedly failed to parse: {error}");
            return;
        }
    };
    // The variant is the address family: AF_INET for IPv4, AF_INET6 for IPv6.
    // A socket is created for one family, so this decides which socket can
    // use the address.
    let family = match addr {
        SocketAddr::V4(_) => "IPv4",
        SocketAddr::V6(_) => "IPv6",
    };
    let ip: IpAddr = addr.ip();
    println!(
        "  {text:<24} {family}  ip {ip:<16} port {port:<5} loopback {loopback:<5} unspecified {unspecified}",
        port = addr.port(),
        loopback = ip.is_loopback(),
        unspecified = ip.is_unspecified(),
    );
}

/// Shows that `text` does not parse as a socket address, and why.
fn rejected(text: &str, why: &str) {
    match text.parse::<SocketAddr>() {
        // The error is deliberately terse ("invalid socket address syntax"):
        // it does not say which part is wrong. Exercise 1 asks you to do better.
        Err(error) => println!("  {text:<18} {error}: {why}"),
        Ok(addr) => println!("  {text:<18} unexpectedly parsed as {addr}"),
    }
}
