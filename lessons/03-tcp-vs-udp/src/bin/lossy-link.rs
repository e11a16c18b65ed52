//! What "no guarantees" means, and how sequence numbers, acknowledgements
//! and retransmission build reliability on top of it.
//!
//! Loopback never loses a datagram, so this demo puts a *lossy link* between
//! the sender and the receiver: a relay thread with a UDP socket of its own
//! that forwards every datagram, except that, picked by a pseudo-random
//! number generator, it drops some, sends some twice, and holds some back
//! until a later one has passed. That is what a real network is allowed to do
//! to UDP.
//!
//! ```text
//!   sender  ----data---->  link (drops, duplicates, delays)  ----data---->  receiver
//!           <----ack-----                                    <----ack-----
//! ```
//!
//! Part 1 is a naive sender: it sends eight numbered messages and hopes.
//! Part 2 is "stop and wait", the simplest reliable protocol: each message
//! carries a sequence number; the receiver acknowledges every message it
//! gets; the sender sends the next message only when the previous one is
//! acknowledged, and sends it again when no acknowledgement comes in time.
//! The receiver uses the sequence numbers to discard the duplicates that
//! retransmission creates. TCP is built on the same three ideas, with many
//! messages in flight at once instead of one.
//!
//! The link's choices come from a seed, so a run can be repeated exactly:
//! `cargo run -p lesson3-demos --bin lossy-link` uses seed 8; pass another
//! (`-- 42`) to see different losses.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// How many messages each part sends.
const MESSAGES: u32 = 8;

/// How long the stop-and-wait sender waits for an acknowledgement before it
/// sends the message again. On loopback an answer takes microseconds; on a
/// real network this is derived from the measured round-trip time (TCP's
/// "retransmission timeout").
const RETRANSMIT_AFTER: Duration = Duration::from_millis(100);

/// How many times the sender tries one message before it gives up. A
/// reliable protocol can hide losses, not a dead link: in the end it must
/// report failure.
const MAX_TRIES: u32 = 10;

/// How long a receiver waits in silence before it concludes the sender is
/// done.
const QUIET: Duration = Duration::from_millis(300);

fn main() -> io::Result<()> {
    let seed = match std::env::args().nth(1) {
        Some(text) => text.parse().map_err(|_| {
            io::Error::new(ErrorKind::InvalidInput, format!("not a seed: {text:?}"))
        })?,
        None => 8,
    };
    println!("seed {seed}\n");
    naive(seed)?;
    stop_and_wait(seed)?;
    Ok(())
}

/// Part 1: send eight datagrams through the link and see what arrives.
fn naive(seed: u64) -> io::Result<()> {
    println!("1. A naive sender: send and hope");
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    receiver.set_read_timeout(Some(QUIET))?;
    let link = Link::start(receiver.local_addr()?, seed)?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    println!("  sender:   sends data 1 to {MESSAGES}, once each");
    for seq in 1..=MESSAGES {
        sender.send_to(&encode(DATA, seq), link.addr)?;
    }

    let mut arrived = Vec::new();
    let mut buffer = [0u8; 64];
    loop {
        match receiver.recv_from(&mut buffer) {
            Ok((length, _)) => {
                if let Some((DATA, seq)) = decode(&buffer[..length]) {
                    arrived.push(seq);
                }
            }
            Err(error) if is_timeout(&error) => break,
            Err(error) => return Err(error),
        }
    }
    println!("  receiver: got {arrived:?}");
    let lost: Vec<u32> = (1..=MESSAGES)
        .filter(|seq| !arrived.contains(seq))
        .collect();
    let duplicated: Vec<u32> = (1..=MESSAGES)
        .filter(|seq| arrived.iter().filter(|got| *got == seq).count() > 1)
        .collect();
    // A message is out of order when it arrives after a higher number.
    let out_of_order: Vec<u32> = arrived
        .iter()
        .enumerate()
        .filter(|(index, seq)| arrived[..*index].iter().any(|earlier| earlier > seq))
        .map(|(_, seq)| *seq)
        .collect();
    println!("  lost {lost:?}, duplicated {duplicated:?}, out of order {out_of_order:?}");
    println!("  and neither side knows: nothing in the datagrams says what is missing\n");
    link.stop();
    Ok(())
}

/// Part 2: the same link (the same seed, so the same choices), with stop and
/// wait on top.
fn stop_and_wait(seed: u64) -> io::Result<()> {
    println!("2. Stop and wait: sequence numbers, acknowledgements, retransmission");
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    receiver.set_read_timeout(Some(QUIET))?;
    let link = Link::start(receiver.local_addr()?, seed)?;
    let receiving = thread::spawn(move || receive_in_order(&receiver));

    let sender = UdpSocket::bind("127.0.0.1:0")?;
    sender.set_read_timeout(Some(RETRANSMIT_AFTER))?;
    for seq in 1..=MESSAGES {
        send_reliably(&sender, link.addr, seq)?;
    }
    let delivered = receiving
        .join()
        .expect("the receiver thread does not panic")?;
    println!("  receiver: delivered {delivered:?}: all of them, once each, in order");
    link.stop();
    Ok(())
}

/// Sends data `seq` and waits for its acknowledgement, resending it each
/// time RETRANSMIT_AFTER passes in silence.
fn send_reliably(socket: &UdpSocket, to: SocketAddr, seq: u32) -> io::Result<()> {
    let mut buffer = [0u8; 64];
    for attempt in 1..=MAX_TRIES {
        if attempt > 1 {
            println!("  sender:   no ack within {RETRANSMIT_AFTER:?}, sends data {seq} again");
        }
        socket.send_to(&encode(DATA, seq), to)?;
        // Wait for *this* acknowledgement. An old one (a duplicate the link
        // made, or the answer to an earlier copy) can still arrive; it says
        // nothing new, so skip it and keep waiting.
        loop {
            match socket.recv_from(&mut buffer) {
                Ok((length, _)) => match decode(&buffer[..length]) {
                    Some((ACK, acked)) if acked == seq => return Ok(()),
                    _ => continue,
                },
                Err(error) if is_timeout(&error) => break,
                Err(error) => return Err(error),
            }
        }
    }
    Err(io::Error::new(
        ErrorKind::TimedOut,
        format!("data {seq}: no acknowledgement after {MAX_TRIES} tries"),
    ))
}

/// The receiving side of stop and wait: acknowledges every data message,
/// delivers each sequence number once and in order, and returns what it
/// delivered after QUIET passes without a datagram.
fn receive_in_order(socket: &UdpSocket) -> io::Result<Vec<u32>> {
    let mut delivered = Vec::new();
    let mut expected = 1;
    let mut buffer = [0u8; 64];
    loop {
        let (length, from) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            // The receiver cannot know that the sender is finished: its
            // last acknowledgement may have been lost, and then the last
            // message comes again. So it lingers a while before it stops,
            // for the same reason a closed TCP connection lingers in
            // TIME_WAIT.
            Err(error) if is_timeout(&error) => return Ok(delivered),
            Err(error) => return Err(error),
        };
        let Some((DATA, seq)) = decode(&buffer[..length]) else {
            continue;
        };
        // Acknowledge every copy, even one already delivered: a copy
        // arriving again means our earlier acknowledgement may have been
        // lost, and without a new one the sender would resend forever.
        if seq == expected {
            delivered.push(seq);
            expected += 1;
            println!("  receiver: data {seq} delivered, sends ack {seq}");
        } else {
            println!("  receiver: data {seq} again, a duplicate: discarded, sends ack {seq} again");
        }
        socket.send_to(&encode(ACK, seq), from)?;
    }
}

/// Kind byte of a data message.
const DATA: u8 = b'D';
/// Kind byte of an acknowledgement.
const ACK: u8 = b'A';

/// A message on the wire: one kind byte, then the sequence number as a u32,
/// big-endian. Five bytes is all this protocol needs; a real one would
/// carry a payload after them.
fn encode(kind: u8, seq: u32) -> [u8; 5] {
    let [a, b, c, d] = seq.to_be_bytes();
    [kind, a, b, c, d]
}

/// The kind and sequence number of a message, or `None` if the datagram is
/// not one. Datagrams come from anywhere, so never trust their shape.
fn decode(datagram: &[u8]) -> Option<(u8, u32)> {
    let [kind, a, b, c, d] = *datagram else {
        return None;
    };
    Some((kind, u32::from_be_bytes([a, b, c, d])))
}

/// A read timeout: `WouldBlock` on Unix, `TimedOut` on Windows.
fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The lossy link: a relay thread between one sender and one receiver.
struct Link {
    /// Where the sender sends; the relay forwards from here.
    addr: SocketAddr,
    /// Set by `stop` to end the relay thread.
    stop: Arc<AtomicBool>,
    relay: thread::JoinHandle<()>,
}

impl Link {
    /// Binds the relay's socket and starts the relay thread.
    fn start(receiver: SocketAddr, seed: u64) -> io::Result<Link> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        // The relay wakes up this often even when nothing arrives, to send a
        // held-back datagram and to notice `stop`.
        socket.set_read_timeout(Some(Duration::from_millis(20)))?;
        let addr = socket.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let relay = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || relay(&socket, receiver, Random(seed.max(1)), &stop))
        };
        Ok(Link { addr, stop, relay })
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.relay.join().expect("the relay thread does not panic");
    }
}

/// What the link does to one datagram.
enum Fate {
    Deliver,
    Drop,
    Duplicate,
    /// Hold it back until the next datagram has passed (or the link has
    /// been idle for a moment): the two arrive in the opposite order.
    Delay,
}

/// Forwards datagrams between the sender and `receiver`, choosing a fate
/// for each, until `stop` is set. Errors end the relay quietly: a demo's
/// link simply goes dead, as a real one can.
fn relay(socket: &UdpSocket, receiver: SocketAddr, mut random: Random, stop: &AtomicBool) {
    // The relay learns the sender's address from its first datagram, the
    // way any UDP server learns its peers: from recv_from.
    let mut sender = None;
    let mut held: Option<(Vec<u8>, SocketAddr)> = None;
    let mut buffer = [0u8; 64];
    while !stop.load(Ordering::Relaxed) {
        let (length, from) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            Err(error) if is_timeout(&error) => {
                if let Some((datagram, to)) = held.take() {
                    let _ = socket.send_to(&datagram, to);
                }
                continue;
            }
            Err(_) => return,
        };
        let to = if from == receiver {
            match sender {
                Some(sender) => sender,
                None => continue,
            }
        } else {
            sender = Some(from);
            receiver
        };
        let datagram = &buffer[..length];
        let what = match decode(datagram) {
            Some((DATA, seq)) => format!("data {seq}"),
            Some((_, seq)) => format!("ack {seq}"),
            None => "a stray datagram".to_string(),
        };
        match random.fate() {
            Fate::Deliver => {
                let _ = socket.send_to(datagram, to);
            }
            Fate::Drop => println!("  link:     lost {what}"),
            Fate::Duplicate => {
                println!("  link:     duplicated {what}");
                let _ = socket.send_to(datagram, to);
                let _ = socket.send_to(datagram, to);
            }
            Fate::Delay => {
                println!("  link:     delayed {what}");
                if let Some((earlier, to)) = held.take() {
                    let _ = socket.send_to(&earlier, to);
                }
                held = Some((datagram.to_vec(), to));
                continue;
            }
        }
        // A datagram has passed: one that was held back goes after it.
        if let Some((earlier, to)) = held.take() {
            let _ = socket.send_to(&earlier, to);
        }
    }
}

/// A tiny pseudo-random number generator (xorshift64): the same seed gives
/// the same sequence of fates, so a run can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// 20% lost, 10% duplicated, 10% delayed, the rest delivered.
    fn fate(&mut self) -> Fate {
        match self.next() % 100 {
            0..20 => Fate::Drop,
            20..30 => Fate::Duplicate,
            30..40 => Fate::Delay,
            _ => Fate::Deliver,
        }
    }
}
