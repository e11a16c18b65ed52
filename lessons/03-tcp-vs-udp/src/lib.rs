//! Demos for lesson 3. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson3-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `two-writes-one-read` | TCP merges two writes into one read; UDP keeps two datagrams apart |
//! | `partial-io` | short reads, a short write, `read_exact`, `write_all` and `UnexpectedEof` |
//! | `framing-by-hand` | lines and length-prefixed frames over TCP, and a peer that abuses each |
//! | `framing-codecs` | the same framings with tokio-util's `LinesCodec` and `LengthDelimitedCodec` |
//! | `udp-peers` | one UDP socket serves many peers: `recv_from`, `send_to`, no accept; broadcast refused |
//! | `datagram-sizes` | a datagram cut short by a small buffer; the 65,507-byte limit |
//! | `udp-overflow` | a real loss on loopback: a full receive buffer drops datagrams silently |
//! | `connected-udp` | `connect` on UDP: a default peer, a filter, and ICMP errors as `ConnectionRefused` |
//! | `lossy-link` | loss, duplication and reordering, and stop-and-wait retransmission that survives them |
//!
//! Every program binds loopback addresses only (`127.0.0.1`), so nothing it
//! opens can be reached from another machine, and every program ends by
//! itself: none of them waits for you.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::process::Command;

/// A connected pair of TCP sockets on loopback: `(client, server)`.
///
/// A TCP connection needs a listener, a connect and an accept. The demos only
/// care about the two ends, so this does the three steps in order: the
/// listener binds port 0 (the OS picks a free port), the client connects
/// (the kernel completes the handshake and queues the connection even though
/// nobody has called `accept` yet), and `accept` takes it off the queue. The
/// listener is dropped at the end; established connections do not need it.
pub fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _peer) = listener.accept()?;
    Ok((client, server))
}

/// Runs `ss` with `args` and prints the command and what it printed.
///
/// The lesson asks you to look at sockets from outside the program, with
/// `ss`. These demos run it themselves, at the moment the interesting
/// sockets exist, so the output is there even when you run the demo without
/// a second terminal. When `ss` is not installed (it comes in the `iproute2`
/// package), the demo says so and carries on.
pub fn show_sockets(args: &[&str]) {
    // Quote the arguments that contain spaces, so that the printed line can
    // be pasted into a shell as it is.
    let shown: Vec<String> = args
        .iter()
        .map(|arg| {
            if arg.contains(' ') {
                format!("'{arg}'")
            } else {
                arg.to_string()
            }
        })
        .collect();
    println!("$ ss {}", shown.join(" "));
    match Command::new("ss").args(args).output() {
        Ok(output) => print!("{}", String::from_utf8_lossy(&output.stdout)),
        Err(error) => println!("(could not run ss: {error}; install iproute2 to see this)"),
    }
}
