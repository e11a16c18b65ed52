//! Open, refused, no answer, and unreachable: what `connect` does in each
//! case, and how long it takes.
//!
//! A TCP connect sends a SYN segment and waits. Three things can happen at
//! the other end:
//!
//! - a listening socket answers SYN-ACK: the port is **open**, and connect
//!   succeeds after one round trip;
//! - the host answers RST because nothing listens there: the port is
//!   **refused**, and connect fails at once with `ConnectionRefused`;
//! - nothing answers at all (a firewall dropped the SYN): the kernel resends
//!   the SYN, again and again, for about two minutes on Linux. Only a
//!   deadline gets you an answer sooner: `TimedOut`.
//!
//! And one happens before the SYN gets anywhere: there is no way to the
//! address, and connect fails with `NetworkUnreachable` (no route, at once)
//! or `HostUnreachable` (nobody on the local network has that address, after
//! about 3 s). The demo shows the first without leaving the machine: the
//! link-local address `fe80::1` on the loopback interface (scope id 1), where
//! Linux has no route for link-local addresses, so no packet is ever sent.
//!
//! On loopback nothing is ever lost, so the third case needs a trick: a
//! listener whose accept queue is full. Linux *drops* SYNs that arrive at such
//! a listener, exactly as a firewall would. (That trick is Linux behaviour;
//! other systems may answer a full queue differently.)
//!
//! Run it with `cargo run -p lesson1-demos --bin connect-outcomes`. It takes
//! about one second, most of it spent in the third case.

use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// How long each connect may take before we give up on it.
const DEADLINE: Duration = Duration::from_secs(1);

fn main() -> io::Result<()> {
    let loopback: SocketAddr = "127.0.0.1:0".parse().expect("a valid socket address");

    // Open: an ordinary listener.
    let listener = TcpListener::bind(loopback)?;
    attempt("open (something listens)", listener.local_addr()?);

    // Refused: a socket that holds a port but does not listen. A SYN to it
    // gets an RST back. Holding the port (rather than picking a port that is
    // "probably free") guarantees that no other program listens there while
    // the demo runs.
    let bound_only = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    bound_only.bind(&loopback.into())?;
    let refused_addr = local(&bound_only)?;
    attempt("refused (bound, not listening)", refused_addr);

    // No answer: a listener with a backlog of 0, which on Linux leaves room
    // for one finished connection in its accept queue. The first client fills
    // the queue (we never call accept), so the kernel silently drops the next
    // client's SYN, and keeps dropping its retries.
    let full = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    full.bind(&loopback.into())?;
    full.listen(0)?;
    let full_addr = local(&full)?;
    let _queued = TcpStream::connect_timeout(&full_addr, DEADLINE)?;
    attempt("no answer (SYN dropped)", full_addr);

    // Unreachable: fe80::1 with scope id 1, the loopback interface `lo`.
    // Link-local addresses are routed per interface, and `lo` has no
    // link-local route, so connect(2) fails with ENETUNREACH before any
    // packet exists.
    let no_route = SocketAddr::V6(SocketAddrV6::new(
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
        9,
        0,
        1,
    ));
    attempt("unreachable (no route to fe80::1 on lo)", no_route);

    println!(
        "\nWithout a deadline, the no-answer connect would wait through every SYN \
         retry (tcp_syn_retries = {} here).",
        std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries")
            .map(|text| text.trim().to_string())
            .unwrap_or_else(|_| "unknown".into())
    );
    Ok(())
}

/// Connects to `addr` with a deadline and prints what happened and how long
/// it took.
fn attempt(label: &str, addr: SocketAddr) {
    let started = Instant::now();
    // `connect_timeout` puts the socket in non-blocking mode, starts the
    // connect, and waits for the outcome for at most DEADLINE. A plain
    // `TcpStream::connect` has no deadline of its own.
    let outcome = TcpStream::connect_timeout(&addr, DEADLINE);
    let elapsed = started.elapsed();
    let result = match outcome {
        Ok(_) => "connected".to_string(),
        // `kind()` is the portable part of the error; the raw OS code (111
        // for ECONNREFUSED on Linux) differs between systems.
        Err(error) => format!("{:?} ({error})", error.kind()),
    };
    println!("{label}:\n  connect({addr}) -> {result}, after {elapsed:.1?}");
}

/// The socket's local address as a std `SocketAddr`.
fn local(socket: &Socket) -> io::Result<SocketAddr> {
    let addr = socket.local_addr()?;
    addr.as_socket()
        .ok_or_else(|| io::Error::other("not an IP socket address"))
}
