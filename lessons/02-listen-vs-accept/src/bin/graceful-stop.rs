//! Stopping an accept loop cleanly.
//!
//! `accept()` blocks until a client arrives. A loop blocked there does not
//! look at any "please stop" flag, so setting the flag alone stops nothing:
//! something has to wake the loop. Two ways that need nothing but std:
//!
//! - **a flag plus a self-connect**: set the flag, then connect to the
//!   listener yourself. `accept()` returns that connection, the loop checks
//!   the flag, and leaves.
//! - **a non-blocking listener**: `accept()` never blocks, it returns
//!   `WouldBlock` when the queue is empty; the loop checks the flag and
//!   sleeps a little between tries. Simple, but it wakes up all the time and
//!   adds up to one poll interval of delay to every new client.
//!
//! A clean stop then closes the listener (new clients are refused) and waits
//! for the clients already being served to finish, instead of cutting them
//! off. This program runs the same story with both ways of waking the loop:
//! a client sends a request that takes 300 ms to answer, the server is told
//! to stop while it works, a new client is refused, and the first client
//! still gets its answer.
//!
//! Run it with `cargo run -p lesson2-demos --bin graceful-stop`.

use lesson2_demos::{after_failed_accept, loopback};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long the server "works" on each request.
const WORK: Duration = Duration::from_millis(300);

/// How often the non-blocking accept loop looks at the queue and the flag.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

#[derive(Clone, Copy, Debug)]
enum Wake {
    SelfConnect,
    NonBlocking,
}

fn main() -> io::Result<()> {
    for wake in [Wake::SelfConnect, Wake::NonBlocking] {
        story(wake)?;
    }
    Ok(())
}

/// One run: start a server, give it a slow client, stop it, watch.
fn story(wake: Wake) -> io::Result<()> {
    let started = Instant::now();
    let log = |event: &str| println!("  {:>8.1?}  {event}", started.elapsed());
    println!("\nWaking the accept loop with {wake:?}:");

    let listener = TcpListener::bind(loopback())?;
    let server_addr = listener.local_addr()?;
    let stopping = Arc::new(AtomicBool::new(false));
    // The server tells us when its listener is closed, so that we try the
    // "new client" only after that (never synchronise by sleeping).
    let (closed_tx, closed_rx) = mpsc::channel();
    let server = {
        let stopping = Arc::clone(&stopping);
        thread::spawn(move || match wake {
            Wake::SelfConnect => serve_until_woken(listener, &stopping, closed_tx),
            Wake::NonBlocking => serve_polling(listener, &stopping, closed_tx),
        })
    };

    // A client sends a request; the server needs WORK to answer it. We wait
    // for its first line, "working", before we stop the server: a client
    // still in the accept queue when the listener closes is not served but
    // reset (see the `close-listener` demo), and only this line tells the
    // client that it has been accepted.
    let mut client = BufReader::new(TcpStream::connect(server_addr)?);
    client.get_mut().write_all(b"request")?;
    client.get_mut().shutdown(Shutdown::Write)?;
    let mut first_line = String::new();
    client.read_line(&mut first_line)?;
    log(&format!(
        "client A sent a request, the server answered {:?}",
        first_line.trim_end()
    ));

    // Ask the server to stop while it works on A's request.
    request_stop(&stopping, server_addr, wake);
    log("stop requested");
    closed_rx
        .recv_timeout(Duration::from_secs(2))
        .map_err(|_| io::Error::other("the server did not close its listener"))?;
    log("the server has closed its listener");

    match TcpStream::connect(server_addr) {
        Ok(_) => log("client B connected (unexpected)"),
        Err(error) => log(&format!("client B: connect -> {:?}", error.kind())),
    }

    let mut answer = String::new();
    client.read_to_string(&mut answer)?;
    log(&format!("client A got its answer: {answer:?}"));

    server.join().expect("the server thread panicked")?;
    log("the server has returned: every client it accepted is done");
    Ok(())
}

/// Asks the server to stop. The flag is what the loop checks; for the
/// blocking loop we also connect once, only to make `accept()` return.
fn request_stop(stopping: &AtomicBool, server_addr: SocketAddr, wake: Wake) {
    stopping.store(true, Ordering::SeqCst);
    if let Wake::SelfConnect = wake {
        // A deadline, in case the queue is full; and the result does not
        // matter: if the server is already gone, there is nothing to wake.
        let _ = TcpStream::connect_timeout(&server_addr, Duration::from_secs(1));
    }
}

/// A blocking accept loop that stops when woken with the flag set.
fn serve_until_woken(
    listener: TcpListener,
    stopping: &AtomicBool,
    closed: mpsc::Sender<()>,
) -> io::Result<()> {
    let mut clients = Vec::new();
    loop {
        let connection = listener.accept();
        // Look at the flag first: the connection that woke us is most likely
        // the self-connect, not a client. (A real client that arrives at the
        // same moment is turned away too; the server is stopping.)
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        match connection {
            Ok((stream, _)) => clients.push(thread::spawn(move || answer_slowly(stream))),
            // The accept-loop rule (section 7). A broken listener ends the
            // loop, but the clients already accepted still finish.
            Err(error) => {
                if let Err(error) = after_failed_accept("server", error) {
                    finish(listener, clients, closed);
                    return Err(error);
                }
            }
        }
        // Forget the threads of clients that are done.
        clients.retain(|client: &JoinHandle<()>| !client.is_finished());
    }
    finish(listener, clients, closed);
    Ok(())
}

/// A non-blocking accept loop that checks the flag between polls.
fn serve_polling(
    listener: TcpListener,
    stopping: &AtomicBool,
    closed: mpsc::Sender<()>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut clients = Vec::new();
    while !stopping.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                // On Linux an accepted socket is blocking even when the
                // listener is not; on the BSDs and macOS it inherits
                // non-blocking mode. Say what we want.
                stream.set_nonblocking(false)?;
                clients.push(thread::spawn(move || answer_slowly(stream)));
            }
            // The queue is empty: nothing to do until the next poll.
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL_INTERVAL),
            // Any other error follows the accept-loop rule (section 7).
            Err(error) => {
                if let Err(error) = after_failed_accept("server", error) {
                    finish(listener, clients, closed);
                    return Err(error);
                }
            }
        }
        clients.retain(|client: &JoinHandle<()>| !client.is_finished());
    }
    finish(listener, clients, closed);
    Ok(())
}

/// The clean end of both loops: close the listener, so that new clients are
/// refused (and any still in the queue are reset), then wait for every
/// client being served.
fn finish(listener: TcpListener, clients: Vec<JoinHandle<()>>, closed: mpsc::Sender<()>) {
    drop(listener);
    let _ = closed.send(());
    for client in clients {
        if client.join().is_err() {
            eprintln!("a client's thread panicked");
        }
    }
}

/// Serves one client: reads its request to the end, says it is working,
/// works, answers.
fn answer_slowly(mut stream: TcpStream) {
    let mut request = String::new();
    let result = stream.read_to_string(&mut request).and_then(|_| {
        stream.write_all(b"working\n")?;
        thread::sleep(WORK);
        stream.write_all(format!("done: {request}").as_bytes())
    });
    if let Err(error) = result {
        eprintln!("a client failed: {error}");
    }
}
