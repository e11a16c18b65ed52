//! How big a datagram can be, and what happens when the buffer is smaller.
//!
//! A datagram is delivered whole or not at all, and that includes the read:
//! `recv_from` hands over one datagram per call. If the buffer is smaller
//! than the datagram, the kernel fills the buffer and *throws the rest away*.
//! There is no second read for the remainder, as there would be on TCP.
//! `recv_from` does not even say it happened; `recvmsg` does, through a flag
//! (MSG_TRUNC), which socket2 reports as `RecvFlags::is_truncated`.
//!
//! The largest datagram is fixed by the headers' length fields. An IPv4
//! packet is at most 65,535 bytes including its 20-byte header, and the UDP
//! header takes 8 more, which leaves 65,507 bytes of payload. One byte more
//! and `send_to` fails with EMSGSIZE ("message too long"), before anything is
//! sent.
//!
//! Run it with `cargo run -p lesson3-demos --bin datagram-sizes`.

use socket2::{MaybeUninitSlice, SockRef};
use std::mem::MaybeUninit;
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let to = receiver.local_addr()?;

    println!("1. A 100-byte datagram, a 10-byte buffer");
    let hundred: Vec<u8> = (b'a'..=b'z').cycle().take(100).collect();
    sender.send_to(&hundred, to)?;
    sender.send_to(b"the next datagram", to)?;
    let mut small = [0u8; 10];
    let (length, _) = receiver.recv_from(&mut small)?;
    println!(
        "  recv_from -> {length} bytes {:?}; no error, no warning",
        String::from_utf8_lossy(&small[..length])
    );
    // The other 90 bytes are gone: the next call returns the next datagram.
    let mut big = vec![0u8; 65536];
    let (length, _) = receiver.recv_from(&mut big)?;
    println!(
        "  the next recv_from -> {:?}: the other 90 bytes were discarded",
        String::from_utf8_lossy(&big[..length])
    );

    // The same again through socket2, which calls recvmsg and returns the
    // flags the kernel set. SockRef borrows the std socket; nothing is copied.
    // socket2 takes `MaybeUninit<u8>` buffers, because the kernel writes
    // them before anyone reads them; this demo only reads the count and the
    // flags, so it never needs to look inside.
    sender.send_to(&hundred, to)?;
    let mut storage = [MaybeUninit::<u8>::uninit(); 10];
    let (length, flags, _) =
        SockRef::from(&receiver).recv_from_vectored(&mut [MaybeUninitSlice::new(&mut storage)])?;
    println!(
        "  socket2 recv_from_vectored -> {length} bytes, is_truncated() = {}",
        flags.is_truncated()
    );

    println!("\n2. The largest payload over IPv4");
    for size in [65507, 65508] {
        let payload = vec![0u8; size];
        match sender.send_to(&payload, to) {
            Ok(sent) => {
                let (received, _) = receiver.recv_from(&mut big)?;
                println!("  send_to {size} bytes -> sent {sent}; the receiver got {received}");
            }
            // EMSGSIZE has no ErrorKind of its own in std: match on the raw
            // OS error number (90 on Linux) when you need to recognise it.
            Err(error) => println!(
                "  send_to {size} bytes -> {:?}, raw_os_error {:?} ({error})",
                error.kind(),
                error.raw_os_error()
            ),
        }
    }
    Ok(())
}
