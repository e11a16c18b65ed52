//! A server that serves one client at a time passes a naive test, and fails
//! real clients.
//!
//! The simplest accept loop accepts a client, serves it until it leaves, and
//! only then accepts the next one. Tested with clients that connect one after
//! another, it looks perfect: the accept queue holds each newcomer for the
//! microseconds the previous one needs. But a real client can stay connected
//! and quiet for a long time (a person typing, a slow network, a keep-alive
//! connection), and while it does, every other client waits in the queue.
//! Their connects succeed, their writes succeed, and no answer ever comes.
//!
//! The first fix is one thread per client: the accept loop only accepts, and
//! hands each connection to a thread of its own. (Lesson 4 goes further.)
//!
//! This program starts both servers, each an echo server for lines, and
//! runs the same two tests against each: three clients in turn, then a
//! client that waits behind an idle one.
//!
//! Run it with `cargo run -p lesson2-demos --bin one-at-a-time`.

use lesson2_demos::{after_failed_accept, loopback, pause};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// How long a client waits for its answer before it gives up.
const ANSWER_DEADLINE: Duration = Duration::from_secs(1);

fn main() -> io::Result<()> {
    // Bind both listeners first, then run their accept loops on threads of
    // their own; the clients below run on the main thread. The servers never
    // stop: they end with the program.
    let sequential = TcpListener::bind(loopback())?;
    let sequential_addr = sequential.local_addr()?;
    thread::spawn(move || serve_one_at_a_time(sequential));
    let threaded = TcpListener::bind(loopback())?;
    let threaded_addr = threaded.local_addr()?;
    thread::spawn(move || serve_thread_per_client(threaded));
    let servers = [
        ("one at a time", sequential_addr),
        ("thread per client", threaded_addr),
    ];

    println!("Test 1, the naive one: three clients, one after another.");
    for (name, addr) in servers {
        let mut answered = 0;
        for number in 1..=3 {
            let mut client = TcpStream::connect(addr)?;
            if ask(&mut client, &format!("ping {number}"))?.is_some() {
                answered += 1;
            }
            // The client leaves; the server sees end-of-file and is free.
        }
        println!("  {name:<17} on {addr}: {answered} of 3 answered");
    }

    println!("\nTest 2: client A connects and says nothing; client B connects and pings.");
    for (name, addr) in servers {
        let idle_client = TcpStream::connect(addr)?;
        let started = Instant::now();
        let mut client = TcpStream::connect(addr)?;
        println!(
            "  {name:<17} on {addr}: B's connect took {:.1?}",
            started.elapsed()
        );
        match ask(&mut client, "ping")? {
            Some(answer) => println!("  {:<17}    B got {answer:?} at once", ""),
            None => {
                println!(
                    "  {:<17}    B wrote \"ping\" and got no answer in {ANSWER_DEADLINE:?}",
                    ""
                );
                println!("\n  B is connected, but waits in the accept queue. In another terminal:");
                println!("    ss -tn state listening 'sport = :{}'", addr.port());
                println!(
                    "    ss -tan '( sport = :{port} or dport = :{port} )'",
                    port = addr.port()
                );
                pause("  Press Enter to let client A leave...");
                // A leaves: the server reads end-of-file, goes back to
                // accept(), and finally takes B off the queue. B's ping has
                // been waiting in B's socket all along.
                drop(idle_client);
                let started = Instant::now();
                match read_line_within(&mut client, ANSWER_DEADLINE)? {
                    Some(answer) => println!(
                        "  after A left, B got {answer:?} {:.1?} later\n",
                        started.elapsed()
                    ),
                    None => println!("  even after A left, B got no answer\n"),
                }
            }
        }
    }
    Ok(())
}

/// The accept loop that serves one client at a time: it does not accept the
/// next client until the current one has left.
fn serve_one_at_a_time(listener: TcpListener) -> io::Result<()> {
    for connection in listener.incoming() {
        match connection {
            Ok(stream) => {
                if let Err(error) = echo_lines(stream) {
                    eprintln!("one at a time: a client failed: {error}");
                }
            }
            // The accept-loop rule (section 7): go on after an error of one
            // client, pause after running out of descriptors, and end only
            // when the listener is broken.
            Err(error) => after_failed_accept("one at a time", error)?,
        }
    }
    Ok(())
}

/// The accept loop with a thread per client: it only accepts, and each
/// client is served on a thread of its own, so one slow client holds up
/// nobody. This is Go's `for { conn, err := ln.Accept(); ...; go handle(conn) }`.
fn serve_thread_per_client(listener: TcpListener) -> io::Result<()> {
    for connection in listener.incoming() {
        match connection {
            Ok(stream) => {
                thread::spawn(move || {
                    if let Err(error) = echo_lines(stream) {
                        eprintln!("thread per client: a client failed: {error}");
                    }
                });
            }
            Err(error) => after_failed_accept("thread per client", error)?,
        }
    }
    Ok(())
}

/// Serves one client: sends back every line it reads, until end-of-file.
fn echo_lines(stream: TcpStream) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    for line in BufReader::new(stream).lines() {
        writeln!(writer, "{}", line?)?;
    }
    Ok(())
}

/// Sends `message` as a line and waits up to ANSWER_DEADLINE for the echo.
/// `None` means the deadline passed with no answer.
fn ask(client: &mut TcpStream, message: &str) -> io::Result<Option<String>> {
    writeln!(client, "{message}")?;
    read_line_within(client, ANSWER_DEADLINE)
}

/// Reads one line, or gives up after `deadline` and returns `None`.
fn read_line_within(client: &mut TcpStream, deadline: Duration) -> io::Result<Option<String>> {
    client.set_read_timeout(Some(deadline))?;
    let mut line = String::new();
    // A fresh BufReader per call is fine here: the echo of one line is all
    // there is to read, so nothing it buffers is lost.
    match BufReader::new(&*client).read_line(&mut line) {
        Ok(0) => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection without answering",
        )),
        Ok(_) => Ok(Some(line.trim_end().to_string())),
        // A read timeout is `WouldBlock` on Unix and `TimedOut` on Windows.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}
