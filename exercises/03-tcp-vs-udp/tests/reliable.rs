//! Exercise 7: reliable delivery over an unreliable link (`src/reliable.rs`).
//!
//! The first tests play one side of the protocol by hand, to check each rule
//! on its own; the last runs your sender and your receiver through a lossy
//! link, with a seed that a failure prints.

use lesson3::reliable::{Packet, RETRANSMIT_AFTER, WINDOW, receive_reliably, send_reliably};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::lossy::{Faults, LossyLink, SeededRng};
use netlings_helpers::net::refused_udp_address;
use netlings_helpers::{STEP, likely_cause, printable};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a learner types to run this exercise again.
const CHECK_COMMAND: &str = "cargo xtask check lesson3/7";

/// A UDP socket on 127.0.0.1, on a port the OS chose.
fn udp_socket() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1:0");
    let address = socket.local_addr().expect("a bound socket has an address");
    (socket, address)
}

/// A socket for the sender, connected to `peer`.
fn connected_to(peer: SocketAddr) -> UdpSocket {
    let (socket, _) = udp_socket();
    socket
        .connect(peer)
        .expect("connecting the sender's socket");
    socket
}

/// Receives the next packet on `socket`, the test's side of the protocol,
/// within [`STEP`], and the address it came from. Fails at once when `peer`
/// (the code under test) finishes first: with its panic, or with what it
/// returned.
fn next_packet(
    socket: &UdpSocket,
    peer: &Background<io::Result<()>>,
    waiting_for: &str,
) -> (Packet, SocketAddr) {
    let deadline = Instant::now() + STEP;
    let mut buffer = vec![0; 65_536];
    loop {
        if let Some(result) = peer.finished() {
            panic!(
                "while the test waited for {waiting_for}, {} returned {result:?}",
                peer.name()
            );
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            panic!("deadline: waited {STEP:?} for {waiting_for}, and no datagram came");
        }
        socket
            .set_read_timeout(Some(left.min(Duration::from_millis(20))))
            .expect("setting a read timeout");
        match socket.recv_from(&mut buffer) {
            Ok((len, from)) => match Packet::decode(&buffer[..len]) {
                Some(packet) => return (packet, from),
                None => panic!(
                    "while waiting for {waiting_for}, a datagram came that is no packet: {}",
                    printable(&buffer[..len])
                ),
            },
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(error) => panic!(
                "while waiting for {waiting_for}, receiving failed: {error}. Likely cause: {}",
                likely_cause(&error)
            ),
        }
    }
}

/// Sends `packet` from the test's socket.
fn send_packet(socket: &UdpSocket, packet: &Packet, to: SocketAddr) {
    socket
        .send_to(&packet.encode(), to)
        .unwrap_or_else(|error| panic!("sending {packet:?} to {to} failed: {error}"));
}

fn data(seq: u32, payload: &[u8]) -> Packet {
    Packet::Data {
        seq,
        payload: payload.to_vec(),
    }
}

/// Runs `receive_reliably` on a fresh socket; gives its address, the
/// channel it delivers into, and the running receiver.
fn start_receiver() -> (
    SocketAddr,
    mpsc::Receiver<Vec<u8>>,
    Background<io::Result<()>>,
) {
    let (socket, address) = udp_socket();
    let (deliver, delivered) = mpsc::channel();
    let receiving = run_in_background("receive_reliably()", move || {
        receive_reliably(socket, deliver)
    });
    (address, delivered, receiving)
}

/// Runs `send_reliably` with `messages` on a socket connected to `peer`.
fn start_sender(peer: SocketAddr, messages: &[&[u8]]) -> Background<io::Result<()>> {
    let socket = connected_to(peer);
    let messages: Vec<Vec<u8>> = messages.iter().map(|message| message.to_vec()).collect();
    run_in_background("send_reliably()", move || send_reliably(&socket, &messages))
}

/// The next message the receiver delivers, within [`STEP`].
fn next_delivery(
    delivered: &mpsc::Receiver<Vec<u8>>,
    receiving: &Background<io::Result<()>>,
    waiting_for: &str,
) -> Vec<u8> {
    match delivered.recv_timeout(STEP) {
        Ok(message) => message,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "deadline: waited {STEP:?} for {waiting_for}, and receive_reliably() delivered nothing"
        ),
        // The receiver dropped its sender: it has ended.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let result = receiving.returned("receive_reliably() to end");
            panic!(
                "while the test waited for {waiting_for}, receive_reliably() returned {result:?}"
            )
        }
    }
}

/// Expects the packet to be `Ack { seq }`.
fn expect_ack(packet: Packet, seq: u32, after: &str) {
    assert_eq!(
        packet,
        Packet::Ack { seq },
        "after {after}, the receiver sent {packet:?}; expected Ack {{ seq: {seq} }}"
    );
}

/// Expects the next delivered messages to be `expected`, in this order.
fn expect_deliveries(
    delivered: &mpsc::Receiver<Vec<u8>>,
    receiving: &Background<io::Result<()>>,
    expected: &[&[u8]],
    what_was_sent: &str,
) {
    let mut got = Vec::new();
    for (index, message) in expected.iter().enumerate() {
        let delivery = next_delivery(
            delivered,
            receiving,
            &format!(
                "delivery {} of {} ({what_was_sent})",
                index + 1,
                expected.len()
            ),
        );
        got.push(printable(&delivery));
        assert!(
            delivery == *message,
            "the test sent {what_was_sent}; receive_reliably() delivered [{}], expected [{}]",
            got.join(", "),
            expected
                .iter()
                .map(|message| printable(message))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

#[netlings_helpers::test]
fn receiver_acknowledges_and_delivers_messages_in_order() {
    let (receiver, delivered, receiving) = start_receiver();
    let (test, _) = udp_socket();
    for (seq, message) in [&b"zero"[..], b"one", b""].into_iter().enumerate() {
        let seq = seq as u32;
        send_packet(&test, &data(seq, message), receiver);
        let (packet, _) = next_packet(&test, &receiving, &format!("the Ack of Data {seq}"));
        expect_ack(packet, seq, &format!("Data {{ seq: {seq} }}"));
    }
    expect_deliveries(
        &delivered,
        &receiving,
        &[b"zero", b"one", b""],
        "Data 0 \"zero\", Data 1 \"one\", Data 2 \"\"",
    );
    // Nobody wants more messages: the receiver finds out at its next
    // delivery, and returns.
    drop(delivered);
    send_packet(&test, &data(3, b"three"), receiver);
    let result = receiving.returned(
        "receive_reliably() to return once the channel's receiving end was dropped and Data 3 \
         came to be delivered (deliver.send fails then: nobody receives any more)",
    );
    assert!(
        result.is_ok(),
        "receive_reliably() returned {result:?} after the channel's receiving end was dropped; \
         expected Ok(()): nobody wanting more messages is the normal end"
    );
}

#[netlings_helpers::test]
fn sender_sends_numbered_data_and_returns_when_all_are_acknowledged_or_refused() {
    let (test, test_address) = udp_socket();
    let messages: [&[u8]; 3] = [b"first", b"", b"third"];
    let sending = start_sender(test_address, &messages);
    let mut first_copies: Vec<Option<Vec<u8>>> = vec![None; messages.len()];
    let deadline = Instant::now() + STEP;
    // The test acknowledges every Data packet, until send_reliably returns.
    let outcome = loop {
        if let Some(outcome) = sending.finished() {
            break outcome;
        }
        assert!(
            Instant::now() < deadline,
            "deadline: the test acknowledged every Data packet for {STEP:?}, and send_reliably() \
             never returned (packets received: {first_copies:?})"
        );
        test.set_read_timeout(Some(Duration::from_millis(20)))
            .expect("setting a read timeout");
        let mut buffer = vec![0; 65_536];
        let Ok((len, from)) = test.recv_from(&mut buffer) else {
            continue;
        };
        match Packet::decode(&buffer[..len]) {
            Some(Packet::Data { seq, payload }) => {
                let slot = first_copies.get_mut(seq as usize).unwrap_or_else(|| {
                    panic!(
                        "the sender sent Data {{ seq: {seq} }}, but there are only {} messages, \
                         numbered from 0",
                        messages.len()
                    )
                });
                slot.get_or_insert(payload);
                send_packet(&test, &Packet::Ack { seq }, from);
            }
            other => panic!(
                "the sender sent {}, which is no Data packet ({other:?})",
                printable(&buffer[..len])
            ),
        }
    };
    if let Err(error) = outcome {
        panic!("send_reliably() failed: {error}");
    }
    for (seq, (got, expected)) in first_copies.iter().zip(messages).enumerate() {
        assert!(
            got.as_deref() == Some(expected),
            "Data {{ seq: {seq} }} should carry message {seq}, {}; the sender sent {}",
            printable(expected),
            match got {
                Some(payload) => printable(payload),
                None => String::from("no such packet before it returned"),
            }
        );
    }

    // Nothing listens where the next sender sends: the kernel answers its
    // first datagram with ICMP port unreachable, and the connected socket's
    // next recv fails with ConnectionRefused. That is an error to return,
    // not a timeout to retransmit after.
    let (_holder, nobody) = refused_udp_address();
    let sending = start_sender(nobody, &[b"anyone there?"]);
    let outcome = sending.returned(
        "send_reliably() to return the ConnectionRefused that a port where nothing listens \
         causes (only WouldBlock and TimedOut mean a retransmission is due)",
    );
    assert!(
        matches!(&outcome, Err(error) if error.kind() == io::ErrorKind::ConnectionRefused),
        "nothing listens on {nobody}; send_reliably() returned {outcome:?}, expected the error \
         ConnectionRefused"
    );
}

#[netlings_helpers::test]
fn receiver_delivers_a_duplicate_only_once() {
    let (receiver, delivered, receiving) = start_receiver();
    let (test, _) = udp_socket();
    // Noise first: a datagram that is no packet, and an Ack, which a
    // receiver never gets in this protocol. Both are ignored.
    test.send_to(b"hello", receiver)
        .expect("sending a datagram that is no packet");
    send_packet(&test, &Packet::Ack { seq: 0 }, receiver);
    // The second copy is what a sender sends when the first Ack was lost.
    for (seq, message) in [(0, &b"zero"[..]), (0, b"zero"), (1, b"one")] {
        send_packet(&test, &data(seq, message), receiver);
        let (packet, _) = next_packet(
            &test,
            &receiving,
            &format!(
                "the Ack of Data {seq} (every copy is acknowledged: the Ack of the first may be lost)"
            ),
        );
        expect_ack(packet, seq, &format!("Data {{ seq: {seq} }}"));
    }
    expect_deliveries(
        &delivered,
        &receiving,
        &[b"zero", b"one"],
        "Data 0 \"zero\" twice, then Data 1 \"one\"; a message is delivered once, however many \
         copies arrive",
    );
}

#[netlings_helpers::test]
fn receiver_holds_an_early_message_until_the_gap_is_filled() {
    let (receiver, delivered, receiving) = start_receiver();
    let (test, _) = udp_socket();
    for (seq, message) in [(1, &b"one"[..]), (0, b"zero")] {
        send_packet(&test, &data(seq, message), receiver);
        let (packet, _) = next_packet(&test, &receiving, &format!("the Ack of Data {seq}"));
        expect_ack(packet, seq, &format!("Data {{ seq: {seq} }}"));
    }
    expect_deliveries(
        &delivered,
        &receiving,
        &[b"zero", b"one"],
        "Data 1 \"one\" first, then Data 0 \"zero\"; message 1 waits until message 0 is \
         delivered, and is not thrown away",
    );
}

#[netlings_helpers::test]
fn sender_retransmits_a_message_until_it_is_acknowledged() {
    let (test, test_address) = udp_socket();
    let sending = start_sender(test_address, &[b"only"]);
    let mut sender_address = None;
    // The test plays a link that loses the first two copies: it never
    // acknowledges them.
    for copy in 1..=3 {
        let waiting_for = if copy == 1 {
            String::from("Data 0, the only message")
        } else {
            format!(
                "copy {copy} of Data 0: the test did not acknowledge the ones before, so the \
                 sender must send it again after RETRANSMIT_AFTER ({RETRANSMIT_AFTER:?})"
            )
        };
        let (packet, from) = next_packet(&test, &sending, &waiting_for);
        assert_eq!(
            packet,
            data(0, b"only"),
            "while waiting for {waiting_for}, the sender sent {packet:?}"
        );
        sender_address = Some(from);
    }
    let sender_address = sender_address.expect("three copies came");
    send_packet(&test, &Packet::Ack { seq: 0 }, sender_address);
    let outcome = sending.returned("send_reliably() to return after the Ack of its only message");
    assert!(
        outcome.is_ok(),
        "send_reliably() failed after its message was acknowledged: {outcome:?}"
    );
}

#[netlings_helpers::test]
fn sender_keeps_at_most_window_messages_unacknowledged() {
    let (test, test_address) = udp_socket();
    let messages: Vec<Vec<u8>> = (0..WINDOW * 2 + 2)
        .map(|index| format!("message {index}").into_bytes())
        .collect();
    let message_slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let sending = start_sender(test_address, &message_slices);
    let mut buffer = vec![0; 65_536];
    // The test acknowledges nothing until every message it has seen came a
    // second time: a retransmission of each one in flight (a window of one,
    // stop and wait, is allowed). Meanwhile only messages 0 to WINDOW - 1 may
    // be on their way.
    let mut copies = vec![0_usize; messages.len()];
    let deadline = Instant::now() + STEP;
    while copies[0] < 2 || copies.contains(&1) {
        if let Some(outcome) = sending.finished() {
            panic!("send_reliably() returned {outcome:?} before any message was acknowledged");
        }
        if Instant::now() >= deadline {
            let once: Vec<usize> = (0..copies.len()).filter(|&seq| copies[seq] == 1).collect();
            panic!(
                "deadline: for {STEP:?} the test acknowledged nothing, and the sender sent \
                 messages {once:?} only once (copies of each: {copies:?}). Every message without \
                 its Ack is sent again after RETRANSMIT_AFTER, not only the oldest"
            );
        }
        test.set_read_timeout(Some(Duration::from_millis(20)))
            .expect("setting a read timeout");
        if let Ok((len, _)) = test.recv_from(&mut buffer)
            && let Some(Packet::Data { seq, .. }) = Packet::decode(&buffer[..len])
        {
            assert!(
                (seq as usize) < WINDOW,
                "the sender sent Data {{ seq: {seq} }} while messages 0 to {} were all \
                 unacknowledged: at most WINDOW ({WINDOW}) messages may wait for their Ack; \
                 send a new one only when an Ack moves the window",
                WINDOW - 1
            );
            copies[seq as usize] += 1;
        }
    }
    // Then the test acknowledges every Data packet, until send_reliably
    // returns.
    let deadline = Instant::now() + STEP;
    let outcome = loop {
        if let Some(outcome) = sending.finished() {
            break outcome;
        }
        assert!(
            Instant::now() < deadline,
            "deadline: the test acknowledged every Data packet for {STEP:?}, and send_reliably() \
             with {} messages never returned",
            messages.len()
        );
        test.set_read_timeout(Some(Duration::from_millis(20)))
            .expect("setting a read timeout");
        if let Ok((len, from)) = test.recv_from(&mut buffer)
            && let Some(Packet::Data { seq, .. }) = Packet::decode(&buffer[..len])
        {
            send_packet(&test, &Packet::Ack { seq }, from);
        }
    };
    assert!(
        outcome.is_ok(),
        "send_reliably() failed after every message was acknowledged: {outcome:?}"
    );
}

/// The test's answer to the sender in the next test: it acknowledges Data 0
/// only, and adds noise the sender must ignore: a repeated Ack, an Ack for a
/// message that does not exist, and datagrams that are no packets.
fn acknowledge_message_0_only(test: &UdpSocket, packet: &Packet, sender: SocketAddr) {
    if let Packet::Data { seq: 0, .. } = packet {
        for noise in [
            Packet::Ack { seq: 0 }.encode(),
            Packet::Ack { seq: 0 }.encode(),
            Packet::Ack { seq: 7 }.encode(),
            b"hello".to_vec(),
            // An Ack of message 1 with a payload: no packet at all.
            b"A\x00\x00\x00\x01extra".to_vec(),
        ] {
            test.send_to(&noise, sender)
                .expect("sending an Ack to the sender");
        }
    }
}

#[netlings_helpers::test]
fn sender_finishes_only_when_every_message_is_acknowledged() {
    let (test, test_address) = udp_socket();
    let sending = start_sender(test_address, &[b"a", b"b"]);
    let (first, sender_address) = next_packet(&test, &sending, "the first Data packet");
    acknowledge_message_0_only(&test, &first, sender_address);
    // For five retransmission periods message 1 gets no Ack, and
    // send_reliably() must not return. The one bounded wait: proving that
    // something does not happen.
    let mut buffer = vec![0; 65_536];
    let until = Instant::now() + RETRANSMIT_AFTER * 5;
    while Instant::now() < until {
        if let Some(outcome) = sending.finished() {
            panic!(
                "send_reliably() returned {outcome:?} while message 1 was not acknowledged: it \
                 must keep sending until every message has its Ack"
            );
        }
        test.set_read_timeout(Some(Duration::from_millis(5)))
            .expect("setting a read timeout");
        if let Ok((len, from)) = test.recv_from(&mut buffer)
            && let Some(packet) = Packet::decode(&buffer[..len])
        {
            acknowledge_message_0_only(&test, &packet, from);
        }
    }
    send_packet(&test, &Packet::Ack { seq: 1 }, sender_address);
    let outcome =
        sending.returned("send_reliably() to return once both messages were acknowledged");
    assert!(
        outcome.is_ok(),
        "send_reliably() failed after both messages were acknowledged: {outcome:?}"
    );
}

/// The number a message of the lossy test starts with (`message 7: ...`).
fn message_number(message: &[u8]) -> Option<usize> {
    let rest = message.strip_prefix(b"message ")?;
    let digits = rest.split(|&byte| byte == b':').next()?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Why `delivered` came where message `expected` should have.
fn wrong_delivery(expected: usize, delivered: &[u8]) -> String {
    match message_number(delivered) {
        Some(number) if number < expected => {
            format!("message {number} again: a duplicate, delivered a second time")
        }
        Some(number) if number == expected => format!(
            "message {number}, but not the bytes that were sent ({} bytes)",
            delivered.len()
        ),
        Some(number) => {
            format!("message {number}: out of order, before message {expected} was delivered")
        }
        None => format!(
            "{}, which is no message the test sent",
            printable(&delivered[..delivered.len().min(16)])
        ),
    }
}

#[netlings_helpers::test]
fn delivers_every_message_once_and_in_order_over_a_lossy_link() {
    let (receiver, delivered, receiving) = start_receiver();
    let link = LossyLink::start(receiver, Faults::MODERATE, CHECK_COMMAND);
    link.explain_failures(|| {
        let mut random = SeededRng::new(link.seed());
        let messages: Vec<Vec<u8>> = (0..50)
            .map(|index| {
                let mut message = format!("message {index}: ").into_bytes();
                let len = random.below(1200) as usize;
                message.extend(random.bytes(len));
                message
            })
            .collect();
        let socket = connected_to(link.address());
        let to_send = messages.clone();
        let sending =
            run_in_background("send_reliably()", move || send_reliably(&socket, &to_send));
        let outcome = sending.returned(
            "send_reliably() to get 50 messages acknowledged through a link that loses 20% of \
             the datagrams each way, duplicates 10% and reorders 10%",
        );
        if let Err(error) = outcome {
            panic!("send_reliably() failed: {error}");
        }
        for (index, expected) in messages.iter().enumerate() {
            let delivery = next_delivery(
                &delivered,
                &receiving,
                &format!("message {index} of 50, all acknowledged already"),
            );
            assert!(
                delivery == *expected,
                "message {index} should have been delivered next; receive_reliably() delivered {}",
                wrong_delivery(index, &delivery)
            );
        }
        // Late copies still on the link must not come out as messages. The
        // one bounded wait: proving that nothing more is delivered.
        if let Ok(extra) = delivered.recv_timeout(Duration::from_millis(50)) {
            panic!(
                "after all 50 messages, receive_reliably() delivered {}",
                wrong_delivery(50, &extra)
            );
        }
    });
}
