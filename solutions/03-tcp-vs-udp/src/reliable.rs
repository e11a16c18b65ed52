//! Exercise 7: reliable delivery over an unreliable link.
//!
//! UDP may drop a datagram, deliver it twice, or deliver it after one sent
//! later. TCP hides all three from you with sequence numbers,
//! acknowledgements and retransmission; here you build the same three
//! things on top of datagrams.
//!
//! - Every message travels in a `Data` packet with a sequence number: the
//!   first message is 0, the next 1, and so on.
//! - The receiver answers every `Data` packet with an `Ack` carrying its
//!   sequence number, even one it has seen before (the first `Ack` may have
//!   been lost).
//! - The sender sends again any message that has no `Ack` after
//!   [`RETRANSMIT_AFTER`], as often as it takes.
//! - The receiver delivers each message once, in order: it forgets
//!   duplicates, and holds a message that arrives early until the gap
//!   before it is filled.
//!
//! ```text
//! sender                       link                  receiver
//! Data 0 "a"  ------------------------------------>  deliver "a", Ack 0
//! Data 1 "b"  -------------X (lost)
//! Data 2 "c"  ------------------------------------>  hold "c" (1 is missing), Ack 2
//!             <------------------------------------  Ack 0, Ack 2
//! (no Ack 1 after RETRANSMIT_AFTER)
//! Data 1 "b"  ------------------------------------>  deliver "b", then "c"; Ack 1
//! ```
//!
//! The sender may keep up to [`WINDOW`] messages in flight before it waits
//! for acknowledgements (one at a time, "stop and wait", is correct too, but
//! slow). The receiver must be ready for any order either way.
//!
//! Limits, on purpose: the sender never gives up on a peer that stays
//! silent, there is no handshake or end-of-stream packet, sequence numbers
//! never wrap around, and the receiver holds early messages without a
//! bound. TCP solves each of these.
//!
//! Edit `send_reliably` and `receive_reliably`; `Packet` and the constants
//! are given.

use std::collections::BTreeMap;
use std::io;
use std::net::UdpSocket;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the sender waits for a message's `Ack` before it sends the
/// message again.
pub const RETRANSMIT_AFTER: Duration = Duration::from_millis(20);

/// How many messages the sender may have sent and not yet seen acknowledged.
pub const WINDOW: usize = 8;

/// One datagram of the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// Message number `seq` (the first message is 0), with its bytes.
    Data { seq: u32, payload: Vec<u8> },
    /// The receiver got message number `seq`.
    Ack { seq: u32 },
}

impl Packet {
    /// The datagram for this packet: `D`, the sequence number as 4 bytes in
    /// big-endian order, then the payload; or `A` and the sequence number.
    pub fn encode(&self) -> Vec<u8> {
        let (kind, seq, payload) = match self {
            Packet::Data { seq, payload } => (b'D', seq, payload.as_slice()),
            Packet::Ack { seq } => (b'A', seq, &[][..]),
        };
        let mut datagram = Vec::with_capacity(5 + payload.len());
        datagram.push(kind);
        datagram.extend_from_slice(&seq.to_be_bytes());
        datagram.extend_from_slice(payload);
        datagram
    }

    /// Reads a packet back from a datagram, or `None` when the datagram is
    /// not one (too short, an unknown kind, an `Ack` with a payload).
    pub fn decode(datagram: &[u8]) -> Option<Packet> {
        let (&kind, rest) = datagram.split_first()?;
        let (seq, payload) = rest.split_first_chunk::<4>()?;
        let seq = u32::from_be_bytes(*seq);
        match kind {
            b'D' => Some(Packet::Data {
                seq,
                payload: payload.to_vec(),
            }),
            b'A' if payload.is_empty() => Some(Packet::Ack { seq }),
            _ => None,
        }
    }
}

/// Sends `messages` over `socket`, which is connected to the receiver, so
/// that each one arrives: message `i` goes as `Packet::Data` with sequence
/// number `i`, and is sent again every [`RETRANSMIT_AFTER`] until its
/// `Packet::Ack` comes back. Returns once every message is acknowledged, and
/// not before.
///
/// At most [`WINDOW`] messages are unacknowledged at any time. An `Ack` of a
/// message already acknowledged (a duplicate, or a late one), or a datagram
/// that is not a packet, is ignored.
///
/// # Errors
///
/// A failed send or receive is returned, except the read timeout that marks
/// a retransmission due (`WouldBlock`, or `TimedOut` on some systems). For
/// example `ConnectionRefused` when nothing listens at the receiver's port.
pub fn send_reliably(socket: &UdpSocket, messages: &[Vec<u8>]) -> io::Result<()> {
    if u32::try_from(messages.len()).is_err() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "more messages than sequence numbers",
        ));
    }
    // For every message sent so far (its index is its sequence number):
    // when it was last sent, or None once its Ack came. Messages from
    // `sent.len()` on have not been sent yet.
    let mut sent: Vec<Option<Instant>> = Vec::with_capacity(messages.len());
    // The oldest message not yet acknowledged: the window starts here.
    let mut base = 0;
    // Acks are 5 bytes; anything longer is not an Ack, cut or not.
    let mut buffer = [0; 16];

    while base < messages.len() {
        // Fill the window: new messages go out while fewer than WINDOW
        // sent ones wait for their Ack.
        while sent.len() < messages.len() && sent.len() < base + WINDOW {
            let seq = sent.len();
            send_data(socket, seq, &messages[seq])?;
            sent.push(Some(Instant::now()));
        }

        // Retransmit every message whose Ack is overdue. The Data packet or
        // its Ack was lost (or is very late; then the receiver gets a
        // duplicate, and forgets it).
        let now = Instant::now();
        for (seq, last_sent) in sent.iter_mut().enumerate().skip(base) {
            if let Some(at) = last_sent
                && now.duration_since(*at) >= RETRANSMIT_AFTER
            {
                send_data(socket, seq, &messages[seq])?;
                *at = now;
            }
        }

        // Wait for an Ack, but only until the next retransmission is due:
        // SO_RCVTIMEO makes recv(2) give up then.
        let next_due = sent[base..]
            .iter()
            .flatten()
            .map(|at| *at + RETRANSMIT_AFTER)
            .min()
            .unwrap_or(now);
        // A zero timeout means "block for ever" to the kernel, and std
        // refuses it; wait at least a millisecond.
        let wait = next_due
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        socket.set_read_timeout(Some(wait))?;
        // recv(2) on a connected socket: only the receiver is heard.
        match socket.recv(&mut buffer) {
            Ok(len) => {
                if let Some(Packet::Ack { seq }) = Packet::decode(&buffer[..len]) {
                    // An Ack for a message never sent is nonsense, and one
                    // for a message already acknowledged changes nothing.
                    if let Some(last_sent) = sent.get_mut(seq as usize) {
                        *last_sent = None;
                    }
                    // Slide the window past every acknowledged message.
                    while base < sent.len() && sent[base].is_none() {
                        base += 1;
                    }
                }
            }
            // The timeout: some retransmission is due; the loop sends it.
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Receives `Packet::Data` on `socket` forever and sends each message,
/// once and in order of sequence number, into `deliver`.
///
/// Every `Data` packet is answered with a `Packet::Ack` of its sequence
/// number, sent to the address the packet came from: the first one, and
/// every duplicate too. A message whose number was already delivered is not
/// delivered again. One that arrives before some earlier message is kept
/// until every message before it was delivered. Datagrams that are not
/// packets, and `Ack` packets, are ignored.
///
/// # Errors
///
/// Returns `Ok(())` when `deliver`'s receiving end is gone (nobody wants
/// more messages; noticed at the next delivery), and the error when
/// receiving or sending fails.
pub fn receive_reliably(socket: UdpSocket, deliver: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    // The sequence number to deliver next: everything before it has been
    // delivered, once.
    let mut next: u32 = 0;
    // Messages that came before `next` was theirs, by sequence number. A
    // BTreeMap keeps them sorted, though only lookups of `next` are needed.
    let mut early: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    // Big enough for any datagram, so none is ever cut.
    let mut buffer = vec![0; 65_507];
    loop {
        let (len, from) = socket.recv_from(&mut buffer)?;
        // Anything that is not a Data packet is noise: ignore it.
        let Some(Packet::Data { seq, payload }) = Packet::decode(&buffer[..len]) else {
            continue;
        };
        // Acknowledge every copy, old ones too: if the sender is sending
        // again, our earlier Ack was lost (or is late), and without another
        // one it would retransmit for ever.
        socket.send_to(&Packet::Ack { seq }.encode(), from)?;
        // Below `next`: a duplicate of a message already delivered. At or
        // after it: keep it, unless an earlier copy is already kept.
        if seq >= next {
            early.entry(seq).or_insert(payload);
        }
        // Deliver in order, for as long as the next message is here. One
        // arrival can fill the gap before many held messages.
        while let Some(message) = early.remove(&next) {
            if deliver.send(message).is_err() {
                // Nobody receives any more: we are done.
                return Ok(());
            }
            next += 1;
        }
    }
}

/// Sends message number `seq` as one `Data` datagram.
fn send_data(socket: &UdpSocket, seq: usize, payload: &[u8]) -> io::Result<()> {
    let packet = Packet::Data {
        // `send_reliably` checked that every index fits.
        seq: seq as u32,
        payload: payload.to_vec(),
    };
    socket.send(&packet.encode())?;
    Ok(())
}
