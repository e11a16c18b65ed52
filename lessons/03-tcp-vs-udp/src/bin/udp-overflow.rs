//! UDP loses datagrams even on loopback: a receiver that falls behind.
//!
//! Every UDP socket has a receive buffer, about 208 KiB by default on Linux
//! (`/proc/sys/net/core/rmem_default`). Datagrams wait there until the
//! program calls `recv_from`. When it is full, the kernel drops each new
//! datagram. Nobody is told: the sender's `send_to` has already returned Ok,
//! and UDP has no acknowledgements, no flow control and no retransmission.
//! (TCP, in the same situation, makes the sender wait: see `partial-io`.)
//!
//! The demo sends 1,000 datagrams of 1,000 bytes to a socket that does not
//! read until the sender has finished, asks `ss` what the kernel counted,
//! then reads what is left.
//!
//! Run it with `cargo run -p lesson3-demos --bin udp-overflow`.

use lesson3_demos::show_sockets;
use std::io::ErrorKind;
use std::net::UdpSocket;
use std::time::Duration;

const DATAGRAMS: usize = 1000;
const SIZE: usize = 1000;

fn main() -> std::io::Result<()> {
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let to = receiver.local_addr()?;

    // Each send_to returns as soon as the kernel has taken the datagram;
    // the `?` would stop the demo at the first error. There is none.
    for _ in 0..DATAGRAMS {
        sender.send_to(&[b'x'; SIZE], to)?;
    }
    println!("sender: {DATAGRAMS} send_to calls, every one returned Ok");

    // -m adds the socket's memory counters. In `skmem:(r..,rb..,...,d..)`,
    // r is the memory the queued datagrams use, rb the buffer's limit, and
    // d the number of datagrams dropped because the buffer was full.
    show_sockets(&["-uanm", &format!("sport = :{}", to.port())]);

    // Now read everything that was kept. Anything that was going to arrive
    // has arrived: on loopback, delivery happens inside send_to.
    receiver.set_read_timeout(Some(Duration::from_millis(100)))?;
    let mut buffer = [0u8; SIZE];
    let mut received = 0;
    loop {
        match receiver.recv_from(&mut buffer) {
            Ok(_) => received += 1,
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break;
            }
            Err(error) => return Err(error),
        }
    }
    println!(
        "receiver: got {received} datagrams; {} were dropped, and the sender was never told",
        DATAGRAMS - received
    );
    Ok(())
}
