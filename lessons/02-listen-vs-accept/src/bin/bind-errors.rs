//! When `bind` says `AddrInUse`, and what SO_REUSEADDR changes.
//!
//! Two situations look alike to a server that restarts:
//!
//! 1. another socket is *listening* on the port. Then a second bind fails
//!    with `AddrInUse`, whatever options either socket set: two listeners on
//!    one port would have to split the clients, and Linux only allows that
//!    with a different option, SO_REUSEPORT, set on both.
//! 2. the port is held only by old connections of a listener that is gone,
//!    typically in TIME_WAIT: the server closed connections first, then
//!    exited, and the kernel keeps each closed connection's 4-tuple reserved
//!    for 60 seconds. Whether a new listener may bind the port then depends on
//!    SO_REUSEADDR, on *both* sides: the old socket (the TIME_WAIT socket
//!    inherits it from its listener) and the new one.
//!
//! This program shows the first situation, then tries all four combinations
//! of the second. std's `TcpListener::bind` sets SO_REUSEADDR on Unix, so
//! Rust servers restart without trouble; a listener built by hand, or in a
//! language that does not set it, has to wait out the 60 seconds.
//!
//! Run it with `cargo run -p lesson2-demos --bin bind-errors`.

use lesson2_demos::{listener_with, loopback, tcp_states};
use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

fn main() -> io::Result<()> {
    println!("1. A live listener holds its port.");
    let live = TcpListener::bind(loopback())?;
    let addr = live.local_addr()?;
    println!("   std listener on {addr} (std sets SO_REUSEADDR)");
    println!(
        "   a second std bind:                  {}",
        outcome(TcpListener::bind(addr))
    );
    println!(
        "   a second bind with SO_REUSEADDR:    {}",
        outcome(listener_with(addr, 128, true))
    );
    println!(
        "   a second bind without SO_REUSEADDR: {}",
        outcome(listener_with(addr, 128, false))
    );
    drop(live);

    println!("\n2. A port whose only socket is a closed connection in TIME_WAIT.");
    println!("   old listener        new listener        rebinding the port");
    let mut time_wait_ports = Vec::new();
    for old in [true, false] {
        for new in [true, false] {
            let port = leave_time_wait(old)?;
            time_wait_ports.push(port);
            let result = listener_with(SocketAddr::from(([127, 0, 0, 1], port)), 128, new);
            println!(
                "   {:<19} {:<19} {}",
                option_name(old),
                option_name(new),
                outcome(result)
            );
        }
    }
    println!("\n   Only when both set SO_REUSEADDR can the new listener have the port at once.");

    // The TIME_WAIT sockets belong to the kernel, not to this process: they
    // stay for 60 seconds after it exits.
    let filter: Vec<String> = time_wait_ports
        .iter()
        .map(|port| format!("sport = :{port}"))
        .collect();
    println!("\nThe TIME_WAIT sockets outlive this program. Within 60 s, run:");
    println!("  ss -tan state time-wait '( {} )'", filter.join(" or "));
    Ok(())
}

/// Creates a listener (with or without SO_REUSEADDR), has the *server* close
/// an accepted connection first, closes the listener, and returns the port.
/// Afterwards the only socket on that port is the server's half of the
/// closed connection, in TIME_WAIT for the next 60 seconds.
fn leave_time_wait(reuse_address: bool) -> io::Result<u16> {
    let listener = listener_with(loopback(), 128, reuse_address)?;
    let port = listener.local_addr()?.port();
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (connection, _) = listener.accept()?;

    // The server closes first: it sends FIN. The side that closes first is
    // the one that ends in TIME_WAIT.
    drop(connection);
    // The client reads the end-of-file, then closes too, and its FIN takes
    // the server's socket from FIN_WAIT2 to TIME_WAIT.
    let mut rest = Vec::new();
    client.read_to_end(&mut rest)?;
    drop(client);
    drop(listener);

    // The last FIN is processed by the kernel, not by this thread, so look
    // in /proc/net/tcp until the TIME_WAIT shows up (on loopback it is
    // there at once; the loop only guards against surprises).
    let deadline = Instant::now() + Duration::from_secs(1);
    while tcp_states(port)? != ["TIME_WAIT"] {
        if Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "port {port} shows {:?}, not one TIME_WAIT socket",
                tcp_states(port)?
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(port)
}

fn option_name(reuse_address: bool) -> &'static str {
    if reuse_address {
        "SO_REUSEADDR on"
    } else {
        "SO_REUSEADDR off"
    }
}

/// `Ok` or the error kind and message of a bind attempt.
fn outcome(result: io::Result<TcpListener>) -> String {
    match result {
        Ok(listener) => match listener.local_addr() {
            Ok(addr) => format!("Ok, listening on {addr}"),
            Err(error) => format!("Ok, but local_addr failed: {error}"),
        },
        Err(error) => format!("{:?} ({error})", error.kind()),
    }
}
