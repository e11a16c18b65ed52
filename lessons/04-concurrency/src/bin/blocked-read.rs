//! One blocked read stalls a sequential server.
//!
//! A sequential server does one thing at a time: accept a client, read its
//! request, answer, and only then accept the next. Every `read` on a
//! blocking socket waits, inside the kernel, until the peer sends something.
//! So a client that sends half a request and stops (a slow network, a person
//! typing, or an attacker) holds the server's only thread in that `read`,
//! and every other client waits in the accept queue behind it.
//!
//! The demo starts such a server, sends half a line from client A, and then
//! has client B ask a complete question. It looks at the server's thread
//! from outside, through /proc, to show where it waits. Then A finishes its
//! line, and only then is B served.
//!
//! Run it with `cargo run -p lesson4-demos --bin blocked-read`.

use lesson4_demos::{Timeline, loopback};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() -> io::Result<()> {
    let timeline = Timeline::start();
    let listener = TcpListener::bind(loopback())?;
    let addr = listener.local_addr()?;
    // The server thread tells us its kernel thread id, so that we can read
    // /proc/self/task/TID/ to see what it is doing.
    let (tid_sender, tid_receiver) = mpsc::channel();
    thread::spawn(move || serve_sequentially(listener, tid_sender));
    let server_tid = tid_receiver.recv().expect("the server thread starts");
    timeline.say(&format!("sequential server listening on {addr}"));

    let mut client_a = TcpStream::connect(addr)?;
    client_a.write_all(b"GET app")?;
    timeline.say("client A sent \"GET app\" (no newline yet) and stops");

    let mut client_b = TcpStream::connect(addr)?;
    client_b.write_all(b"GET banana\n")?;
    timeline.say("client B connected and sent \"GET banana\\n\"");
    client_b.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut answer = [0u8; 64];
    match client_b.read(&mut answer) {
        Ok(length) => timeline.say(&format!(
            "client B got {:?}",
            String::from_utf8_lossy(&answer[..length])
        )),
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
            timeline.say("client B: no answer within 1 s")
        }
        Err(error) => return Err(error),
    }

    // The thread's state is in /proc: `S` is sleeping, and wchan names the
    // kernel function it sleeps in: `wait_woken` is where a blocking TCP read
    // waits for data to arrive on the socket (on Linux 6.x).
    let task = format!("/proc/self/task/{server_tid}");
    let stat = std::fs::read_to_string(format!("{task}/stat"))?;
    let state = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next();
    let wchan = std::fs::read_to_string(format!("{task}/wchan"))?;
    timeline.say(&format!(
        "the server thread (tid {server_tid}): state {}, waiting in {wchan}",
        state.unwrap_or("?")
    ));

    client_a.write_all(b"le\n")?;
    timeline.say("client A sent the rest, \"le\\n\"");
    let mut reader_a = BufReader::new(&client_a);
    let mut line = String::new();
    reader_a.read_line(&mut line)?;
    timeline.say(&format!("client A got {:?}", line.trim_end()));
    let mut line = String::new();
    BufReader::new(&client_b).read_line(&mut line)?;
    timeline.say(&format!(
        "client B got {:?}, at last: it was queued all along",
        line.trim_end()
    ));
    Ok(())
}

/// Accepts one client at a time, reads one line, answers it and closes.
fn serve_sequentially(listener: TcpListener, tid: mpsc::Sender<libc::pid_t>) {
    // SAFETY: gettid has no preconditions; it returns this thread's id.
    let _ = tid.send(unsafe { libc::gettid() });
    for connection in listener.incoming() {
        let Ok(stream) = connection else { continue };
        // This read_line is the problem: it returns only when a whole line
        // has arrived, and until then this thread, the only one, waits.
        let mut request = String::new();
        let mut reader = BufReader::new(&stream);
        if reader.read_line(&mut request).is_err() {
            continue;
        }
        let answer = format!("200 {}\n", request.trim_end().trim_start_matches("GET "));
        let _ = (&stream).write_all(answer.as_bytes());
    }
}
