//! Four ways a connection ends, seen from the peer's side: an orderly
//! close, a close with unread data, an abort with SO_LINGER 0, and writing
//! to a peer that has gone. Then a server that never closes: CLOSE_WAIT.
//! The /proc/net/tcp lines are Linux-specific.
//!
//! Run it with `cargo run -p lesson6-demos --bin closing-kinds`.

use lesson6_demos::{kernel_line, wait_for};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A connected pair: (client, the server's accepted end).
fn pair(listener: &TcpListener) -> io::Result<(TcpStream, TcpStream)> {
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (accepted, _) = listener.accept()?;
    Ok((client, accepted))
}

fn peer_reads(client: &mut TcpStream) -> String {
    client
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("setting a timeout");
    let mut buffer = [0; 64];
    match client.read(&mut buffer) {
        Ok(0) => String::from("Ok(0): EOF, a clean end"),
        Ok(read) => format!("Ok({read}) bytes"),
        Err(error) => format!("Err: {error} [{:?}]", error.kind()),
    }
}

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let server = listener.local_addr()?;

    println!("1. the server closes with nothing unread");
    let (mut client, accepted) = pair(&listener)?;
    drop(accepted);
    println!("   the client's read: {}", peer_reads(&mut client));

    println!("2. the server closes with 6 bytes it never read");
    let (mut client, accepted) = pair(&listener)?;
    client.write_all(b"unread")?;
    let client_address = client.local_addr()?;
    println!(
        "   server end before close: {}",
        wait_for("ESTABLISHED send-Q 0 recv-Q 6", || {
            kernel_line(server, client_address)
        })
    );
    drop(accepted);
    println!("   the client's read: {}", peer_reads(&mut client));

    println!("3. the server aborts: SO_LINGER on, 0 seconds, then close");
    let (mut client, accepted) = pair(&listener)?;
    let client_address = client.local_addr()?;
    socket2::SockRef::from(&accepted).set_linger(Some(Duration::ZERO))?;
    drop(accepted);
    println!("   the client's read: {}", peer_reads(&mut client));
    println!(
        "   server end afterwards: {}",
        kernel_line(server, client_address)
    );

    println!("4. the client writes to a server that has closed");
    let (mut client, accepted) = pair(&listener)?;
    drop(accepted);
    for attempt in 1..=3 {
        let outcome = client.write(b"anyone?");
        println!("   write {attempt}: {outcome:?}");
        // Let the server's RST to the first write come back.
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("   ... and the process is still alive: Rust ignores SIGPIPE");

    println!("5. the client closes; the server never does");
    let (client, accepted) = pair(&listener)?;
    let client_address = client.local_addr()?;
    drop(client);
    println!(
        "   server end: {}",
        wait_for("CLOSE_WAIT", || kernel_line(server, client_address))
    );
    println!(
        "   client end: {}",
        wait_for("FIN_WAIT2", || kernel_line(client_address, server))
    );
    println!(
        "   (until the server closes `accepted`, both stay; a server that forgets piles them up)"
    );
    drop(accepted);
    Ok(())
}
