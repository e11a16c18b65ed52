//! One name, several addresses.
//!
//! A socket only ever uses IP addresses. A name such as `localhost` or
//! `example.com` must first be *resolved* into addresses, and one name can
//! resolve to several: an IPv6 and an IPv4 address, or several servers.
//!
//! Run it with `cargo run -p lesson1-demos --bin resolve-name -- [NAME] [PORT]`
//! (defaults: `localhost`, `80`). It only looks the name up; it connects to
//! nothing.

use std::net::{SocketAddr, ToSocketAddrs};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "localhost".to_string());
    let port: u16 = match args.next().map(|text| text.parse()) {
        None => 80,
        Some(Ok(port)) => port,
        Some(Err(_)) => {
            eprintln!("the port must be a number from 0 to 65535");
            std::process::exit(2);
        }
    };

    // First, the mistake everybody makes once: "localhost:80" looks like a
    // socket address, but `SocketAddr` holds an IP address, never a name, and
    // `parse` does no lookups. It fails.
    let text = format!("{name}:{port}");
    match text.parse::<SocketAddr>() {
        Ok(addr) => println!("{text:?} is already a socket address: {addr}"),
        Err(error) => println!("{text:?}.parse::<SocketAddr>() fails: {error}"),
    }

    // `ToSocketAddrs` is the trait that resolves. It is implemented for
    // `(&str, u16)`, for `"name:port"` strings and for `SocketAddr` itself,
    // which is why `TcpStream::connect` accepts all of them. For a name it
    // asks the system resolver (getaddrinfo on Unix), which reads /etc/hosts
    // and asks DNS; this call *blocks* until the answer comes.
    println!("\nresolving ({name:?}, {port}) with ToSocketAddrs:");
    match (name.as_str(), port).to_socket_addrs() {
        Ok(addrs) => {
            // The resolver returns the addresses in the order it prefers
            // them (RFC 6724 usually puts IPv6 first). A client should try
            // them in that order and stop at the first that connects.
            for (index, addr) in addrs.enumerate() {
                let family = if addr.is_ipv6() { "IPv6" } else { "IPv4" };
                println!("  {index}: {addr:<24} {family}");
            }
        }
        // A name that does not exist, or no DNS server to ask: the error
        // comes from the resolver, not from any socket.
        Err(error) => println!("  lookup failed: {error}"),
    }
}
