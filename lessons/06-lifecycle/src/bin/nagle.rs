//! Nagle's algorithm meets delayed ACKs: a request written in two pieces
//! (a header, then a body) and answered at once, 20 times, with Nagle on
//! (the default) and with TCP_NODELAY. Timings depend on the machine and
//! its load: run it a few times.
//!
//! Run it with `cargo run -p lesson6-demos --bin nagle`.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const ROUNDS: u32 = 20;

/// Reads a 4-byte header and a 16-byte body, answers one byte, 20 times.
fn answer(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut request = [0; 20];
    for _ in 0..ROUNDS {
        stream.read_exact(&mut request)?;
        stream.write_all(b"k")?;
    }
    Ok(())
}

fn rounds(nodelay: bool) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (accepted, _) = listener.accept()?;
    let server = thread::spawn(move || answer(accepted));
    client.set_nodelay(nodelay)?;
    let mut reply = [0; 1];
    let started = Instant::now();
    for _ in 0..ROUNDS {
        // Two writes: the second small segment waits, under Nagle, until
        // the first is acknowledged, and the server delays its ACK hoping
        // to send it with an answer it cannot give before the body comes.
        client.write_all(&[0; 4])?;
        client.write_all(&[0; 16])?;
        client.read_exact(&mut reply)?;
    }
    let elapsed = started.elapsed();
    server.join().expect("the server thread")?;
    Ok(elapsed / ROUNDS)
}

fn main() -> io::Result<()> {
    println!("write header, write body, read answer; mean of {ROUNDS} rounds");
    println!("  Nagle on (default):  {:?}", rounds(false)?);
    println!("  TCP_NODELAY:         {:?}", rounds(true)?);
    Ok(())
}
