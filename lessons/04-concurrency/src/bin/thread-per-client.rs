//! A std thread per connection, and what each one costs.
//!
//! The fix for a blocked read is to give every client a thread of its own:
//! the accept loop only accepts, and a read that waits for one client blocks
//! that client's thread and nobody else. It is simple and correct. But a
//! thread is not free: the kernel keeps a task for it (with a 16 KiB kernel
//! stack), and the process maps a stack for it (2 MiB of address space by
//! default in Rust, most of it never touched).
//!
//! The demo starts an echo server with a thread per client, connects 1,000
//! idle clients, and reads from /proc what changed: the number of threads,
//! the resident memory (VmRSS), the address space (VmSize), and where the
//! threads wait.
//!
//! Run it with `cargo run -p lesson4-demos --bin thread-per-client`.
//! (`--release` gives smaller numbers; the shape is the same.)

use lesson4_demos::{loopback, pause, status_field, status_kib, thread_waits};
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// How many idle clients to hold. Each one is two sockets in this process
/// (client and server side); the open-file limit here is 20,000.
const CLIENTS: usize = 1_000;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind(loopback())?;
    let addr = listener.local_addr()?;
    thread::spawn(move || accept_loop(listener));
    println!(
        "thread-per-client echo server on {addr}, pid {}",
        std::process::id()
    );
    let before_threads = status_field("Threads");
    let before_rss = status_kib("VmRSS");
    let before_size = status_kib("VmSize");

    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let mut client = TcpStream::connect(addr)?;
        // One round trip per client proves that its thread is running and
        // has allocated its buffer; then the client stays idle.
        client.write_all(b"x")?;
        client.read_exact(&mut [0u8; 1])?;
        clients.push(client);
    }
    let rss = status_kib("VmRSS");
    let size = status_kib("VmSize");
    println!("{CLIENTS} idle clients connected and echoed once");
    println!(
        "  Threads  {before_threads:>8} -> {}",
        status_field("Threads")
    );
    println!(
        "  VmRSS    {before_rss:>5} kB -> {rss} kB  ({:.1} KiB per connection)",
        (rss - before_rss) as f64 / CLIENTS as f64
    );
    println!(
        "  VmSize   {before_size:>5} kB -> {size} kB  ({:.0} KiB per connection)",
        (size - before_size) as f64 / CLIENTS as f64
    );
    println!("  where the threads wait (name in kernel function):");
    for (wait, count) in thread_waits() {
        println!("    {count:>5} x {wait}");
    }
    println!("\nIn another terminal:");
    println!("  ss -tan 'sport = :{}' | grep -c ESTAB", addr.port());
    println!(
        "  grep -E 'Threads|VmRSS' /proc/{}/status",
        std::process::id()
    );
    println!("  ls /proc/{}/task | wc -l", std::process::id());
    pause("Press Enter to disconnect everyone and exit...");
    Ok(())
}

/// Accepts and hands each client to a thread of its own, until the listener
/// breaks. A failed accept follows lesson 2's accept-loop rule.
fn accept_loop(listener: TcpListener) {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("accept failed, retrying soon: {error}");
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                AcceptFailure::ListenerBroken => {
                    eprintln!("the listener broke: {error}");
                    return;
                }
            },
        };
        thread::spawn(move || {
            if let Err(error) = echo(stream) {
                eprintln!("a client failed: {error}");
            }
        });
    }
}

/// Sends back whatever the client sends, until end-of-file. The 4 KiB
/// buffer lives on this thread's stack.
fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buffer = [0u8; 4096];
    loop {
        // Each thread sleeps here, in the kernel, until its client sends.
        let length = stream.read(&mut buffer)?;
        if length == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..length])?;
    }
}
