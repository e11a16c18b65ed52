//! What closing a listener does to clients.
//!
//! Closing the listening socket stops the server from taking *new*
//! connections; it does not touch connections already accepted, which have
//! sockets of their own. Two kinds of client feel it:
//!
//! - a client that connects afterwards finds nothing listening: the kernel
//!   answers its SYN with RST, and `connect` fails with `ConnectionRefused`;
//! - a client still waiting in the accept queue had an established
//!   connection, but no program ever owned it. The kernel resets it, and the
//!   client's next read fails with `ConnectionReset`, even though its connect
//!   and its write succeeded.
//!
//! Run it with `cargo run -p lesson2-demos --bin close-listener`.

use lesson2_demos::loopback;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind(loopback())?;
    let server_addr = listener.local_addr()?;
    println!("listening on {server_addr}");

    // One client is accepted: the server owns a socket for it.
    let mut accepted_client = TcpStream::connect(server_addr)?;
    let (mut accepted, _) = listener.accept()?;
    // Another client connects and sends a request, but is never accepted:
    // it sits in the accept queue.
    let mut queued_client = TcpStream::connect(server_addr)?;
    queued_client.write_all(b"GET / HTTP/1.1\r\n\r\n")?;
    println!(
        "client {} accepted, client {} connected and wrote a request, still in the queue",
        accepted_client.local_addr()?,
        queued_client.local_addr()?
    );

    // Close the listener, as a server does when it stops.
    drop(listener);
    println!("\nthe listener is closed\n");

    // The queued client: its connection is gone, reset by the kernel.
    let mut buffer = [0; 64];
    match queued_client.read(&mut buffer) {
        Ok(0) => println!("queued client:   read -> end of file"),
        Ok(n) => println!("queued client:   read -> {n} bytes"),
        Err(error) => println!("queued client:   read -> {:?} ({error})", error.kind()),
    }

    // A new client: nothing listens on the port any more.
    match TcpStream::connect(server_addr) {
        Ok(_) => println!("new client:      connect -> connected (unexpected)"),
        Err(error) => println!("new client:      connect -> {:?} ({error})", error.kind()),
    }

    // The accepted connection lives on: it has its own socket.
    accepted_client.write_all(b"still here?")?;
    let received = accepted.read(&mut buffer)?;
    accepted.write_all(&buffer[..received])?;
    let echoed = accepted_client.read(&mut buffer)?;
    println!(
        "accepted client: wrote \"still here?\", the server echoed {:?}",
        String::from_utf8_lossy(&buffer[..echoed])
    );
    Ok(())
}
