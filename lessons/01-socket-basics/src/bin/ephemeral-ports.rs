//! The ports the OS chooses: for a server that asks for port 0, and for every
//! client that connects.
//!
//! Two situations give a socket a port nobody wrote down:
//!
//! - a server binds port 0, which means "any free port, you choose";
//! - a client connects without binding at all: the kernel binds it to a free
//!   port during `connect()`, because a TCP connection needs a port at both
//!   ends.
//!
//! Both draw from the *ephemeral* range. On Linux that range is a setting you
//! can read in /proc/sys/net/ipv4/ip_local_port_range.
//!
//! Run it with `cargo run -p lesson1-demos --bin ephemeral-ports`. The numbers
//! change on every run.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;

fn main() -> std::io::Result<()> {
    // 1. Read the range. It is two numbers separated by whitespace, such as
    //    "32768\t60999". Other systems keep it elsewhere (a sysctl on the
    //    BSDs and macOS, `netsh` on Windows), so its absence is not an error.
    let range = read_ephemeral_range();
    match &range {
        Some(range) => println!(
            "Linux ephemeral port range (ip_local_port_range): {}-{}",
            range.start(),
            range.end()
        ),
        None => println!("could not read /proc/sys/net/ipv4/ip_local_port_range (not Linux?)"),
    }

    // 2. Servers asking for port 0. Each `bind` is a separate socket, so each
    //    gets a different free port. The only way to learn which one is to ask
    //    the socket afterwards with `local_addr()`: the address we passed in
    //    still says 0.
    println!("\nThree listeners bound to 127.0.0.1:0:");
    let requested: SocketAddr = "127.0.0.1:0".parse().expect("a valid socket address");
    let mut listeners = Vec::new();
    for _ in 0..3 {
        let listener = TcpListener::bind(requested)?;
        let bound = listener.local_addr()?;
        println!(
            "  asked for {requested}, got {bound}{}",
            in_range(&range, bound.port())
        );
        listeners.push(listener);
    }

    // 3. Clients. `TcpStream::connect` creates a socket and calls connect()
    //    on it without ever calling bind(); the kernel picks the local port.
    //    All three clients connect to the same server address, and each
    //    connection still needs its own local port so that the kernel can tell
    //    them apart (the `four-tuple` demo shows why).
    let server = &listeners[0];
    let server_addr = server.local_addr()?;
    println!("\nThree clients connecting to {server_addr}:");
    let mut connections = Vec::new();
    for _ in 0..3 {
        let client = TcpStream::connect(server_addr)?;
        println!(
            "  client's local address {}{}",
            client.local_addr()?,
            in_range(&range, client.local_addr()?.port())
        );
        // Accept each one so that the connection is complete on both sides;
        // keep both ends alive until the end of `main`.
        let (accepted, _) = server.accept()?;
        connections.push((client, accepted));
    }
    Ok(())
}

/// Reads Linux's ephemeral port range, `None` where there is no such file.
fn read_ephemeral_range() -> Option<RangeInclusive<u16>> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut numbers = text.split_whitespace().map(|n| n.parse::<u16>());
    let low = numbers.next()?.ok()?;
    let high = numbers.next()?.ok()?;
    Some(low..=high)
}

/// A note saying whether `port` lies in the range, or nothing if it is unknown.
fn in_range(range: &Option<RangeInclusive<u16>>, port: u16) -> &'static str {
    match range {
        Some(range) if range.contains(&port) => "  (inside the ephemeral range)",
        Some(_) => "  (OUTSIDE the ephemeral range)",
        None => "",
    }
}
