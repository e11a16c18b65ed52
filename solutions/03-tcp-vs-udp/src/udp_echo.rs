//! Exercise 4: a UDP echo server.
//!
//! UDP has no connections and no accept: one socket, bound to one port,
//! receives the datagrams of every client. Each `recv_from` returns one
//! whole datagram (never half of one, never two together) and the address
//! it came from; the reply goes back with `send_to` to that address.
//!
//! ```text
//! client A 127.0.0.1:40001 --"hi"-----> server 127.0.0.1:7000 --"hi"-----> client A
//! client B 127.0.0.1:40002 --"hello"--> server 127.0.0.1:7000 --"hello"--> client B
//! ```
//!
//! Boundaries are kept: two `send_to` calls make two datagrams, and the
//! server sees two. A datagram may be empty, and an empty datagram is a
//! message like any other, not an end of stream: UDP has no end of stream.
//! Run the `udp-echo` program (`cargo run -p lesson3 --bin udp-echo`) and
//! talk to it with `nc -u 127.0.0.1 PORT`, or without `nc`:
//! `python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"hello", ("127.0.0.1", PORT)); print(s.recvfrom(65535))'`.
//!
//! Edit `serve`; `src/bin/udp-echo.rs` is the program around it.

use std::io;
use std::net::UdpSocket;

/// The largest payload of a UDP datagram over IPv4: 65,535 bytes in the IP
/// packet, less 20 of IP header and 8 of UDP header.
pub const MAX_DATAGRAM: usize = 65_507;

/// Receives datagrams on `socket` forever and sends each one back, unchanged
/// and as one datagram, to the address it came from.
///
/// Every datagram is echoed whole, up to [`MAX_DATAGRAM`] bytes, and an
/// empty datagram is echoed as an empty datagram. Each reply goes to the
/// sender of that datagram: many clients share the one socket.
///
/// The socket is bound by the caller, so a test can bind port 0 and the
/// program can bind what `--listen` says.
///
/// # Errors
///
/// A failure to send one reply is printed to stderr, and the server goes on
/// with the next datagram. A failure to receive ends `serve` with that
/// error.
pub fn serve(socket: UdpSocket) -> io::Result<()> {
    // One buffer, big enough for the largest datagram: recvfrom(2) copies
    // one datagram into it and discards whatever does not fit, so a smaller
    // buffer would silently cut big datagrams (exercise 5).
    let mut buffer = vec![0; MAX_DATAGRAM];
    loop {
        // One call, one datagram, and the address of the socket that sent
        // it. There is no connection to accept: this socket hears every
        // client.
        let (len, peer) = socket.recv_from(&mut buffer)?;
        // Only the first `len` bytes belong to this datagram; the rest of
        // the buffer still holds older, longer ones. `len` may be 0: an
        // empty datagram is a message too, and it is echoed.
        let datagram = &buffer[..len];
        // sendto(2) makes exactly one datagram of these bytes, addressed to
        // this datagram's sender, whichever client it was.
        if let Err(error) = socket.send_to(datagram, peer) {
            eprintln!("udp-echo: could not answer {peer}: {error}");
        }
    }
}
