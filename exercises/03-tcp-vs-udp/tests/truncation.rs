//! Exercise 5: a datagram too big for the buffer (`src/truncation.rs`).

use lesson3::truncation::{RecvError, recv_datagram};
use netlings_helpers::net::loopback_udp;
use netlings_helpers::{STEP, printable, within};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// A receiver and a sender on 127.0.0.1, and their addresses. The
/// receiver's receives give up after [`STEP`].
fn pair() -> (UdpSocket, SocketAddr, UdpSocket, SocketAddr) {
    let (receiver, receiver_address) = loopback_udp();
    let (sender, sender_address) = loopback_udp();
    (receiver, receiver_address, sender, sender_address)
}

fn send(sender: &UdpSocket, datagram: &[u8], to: SocketAddr) {
    sender.send_to(datagram, to).unwrap_or_else(|error| {
        panic!(
            "sending a datagram of {} bytes failed: {error}",
            datagram.len()
        )
    });
}

/// Calls `recv_datagram` with a buffer of `buffer_len` bytes, under a
/// deadline; returns the outcome and the buffer.
fn receive(
    receiver: &UdpSocket,
    buffer_len: usize,
    waiting_for: &str,
) -> (Result<(usize, SocketAddr), RecvError>, Vec<u8>) {
    let receiver = receiver.try_clone().expect("cloning the socket's handle");
    within(STEP, waiting_for, move || {
        let mut buffer = vec![0; buffer_len];
        let outcome = recv_datagram(&receiver, &mut buffer);
        (outcome, buffer)
    })
}

/// `len` bytes that differ from one position to the next.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|index| b'a' + (index % 26) as u8).collect()
}

#[netlings_helpers::test]
fn receives_a_datagram_that_fits() {
    let (receiver, receiver_address, sender, sender_address) = pair();
    send(&sender, b"hello", receiver_address);
    let (outcome, buffer) = receive(&receiver, 16, "recv_datagram() with a 16-byte buffer");
    match outcome {
        Ok((5, from)) if from == sender_address && &buffer[..5] == b"hello" => {}
        other => panic!(
            "the sender at {sender_address} sent \"hello\" (5 bytes) into a 16-byte buffer; \
             recv_datagram returned {other:?} with the buffer starting {}; expected Ok((5, \
             {sender_address})) and \"hello\" in the buffer",
            printable(&buffer[..5])
        ),
    }
}

#[netlings_helpers::test]
fn a_datagram_that_exactly_fills_the_buffer_is_whole() {
    let (receiver, receiver_address, sender, sender_address) = pair();
    let sent = pattern(10);
    send(&sender, &sent, receiver_address);
    let (outcome, buffer) = receive(&receiver, 10, "recv_datagram() with a 10-byte buffer");
    match outcome {
        Ok((10, from)) if from == sender_address && buffer == sent => {}
        other => panic!(
            "a datagram of exactly 10 bytes into a 10-byte buffer fits: recv_datagram returned \
             {other:?}, expected Ok((10, {sender_address})). A full buffer is not proof of a cut: \
             ask the kernel (MSG_TRUNC, RecvFlags::is_truncated)"
        ),
    }
}

#[netlings_helpers::test]
fn reports_a_datagram_too_big_for_the_buffer() {
    let (receiver, receiver_address, sender, sender_address) = pair();
    let sent = pattern(100);
    send(&sender, &sent, receiver_address);
    let (outcome, buffer) = receive(&receiver, 10, "recv_datagram() with a 10-byte buffer");
    match outcome {
        Err(error @ RecvError::Truncated { kept: 10, from }) if from == sender_address => {
            let message = error.to_string();
            assert!(
                message.contains("10") && message.contains(&sender_address.to_string()),
                "RecvError::Truncated's message should give the bytes kept and the sender; it \
                 says {message:?}"
            );
            assert_eq!(
                buffer,
                sent[..10],
                "the buffer must hold the first 10 bytes of the datagram, {}; it holds {}",
                printable(&sent[..10]),
                printable(&buffer)
            );
        }
        other => panic!(
            "the sender sent a datagram of 100 bytes into a 10-byte buffer; recv_datagram \
             returned {other:?}, expected Err(RecvError::Truncated {{ kept: 10, from: \
             {sender_address} }}). The kernel kept 10 bytes and discarded 90; recv_from alone \
             returns Ok(10) as if nothing were lost"
        ),
    }
}

#[netlings_helpers::test]
fn the_rest_of_a_cut_datagram_is_gone() {
    let (receiver, receiver_address, sender, sender_address) = pair();
    send(&sender, &pattern(100), receiver_address);
    send(&sender, b"next", receiver_address);
    let (outcome, _) = receive(&receiver, 10, "recv_datagram() of a 100-byte datagram");
    assert!(
        matches!(outcome, Err(RecvError::Truncated { kept: 10, .. })),
        "a 100-byte datagram into a 10-byte buffer: recv_datagram returned {outcome:?}, expected \
         Err(RecvError::Truncated {{ kept: 10, .. }})"
    );
    let (outcome, buffer) = receive(
        &receiver,
        10,
        "recv_datagram() of the 4-byte datagram sent after the 100-byte one",
    );
    match outcome {
        Ok((4, from)) if from == sender_address && &buffer[..4] == b"next" => {}
        other => panic!(
            "after the 100-byte datagram, the sender sent \"next\" (4 bytes); the second \
             recv_datagram returned {other:?}, expected Ok((4, {sender_address})) with \"next\" \
             in the buffer. A cut datagram leaves the queue with its rest discarded: there is no \
             rest to read, and the next receive gets the next datagram"
        ),
    }
}

#[netlings_helpers::test]
fn an_empty_datagram_is_zero_bytes_not_an_error() {
    let (receiver, receiver_address, sender, sender_address) = pair();
    send(&sender, b"", receiver_address);
    let (outcome, _) = receive(&receiver, 10, "recv_datagram() of an empty datagram");
    assert!(
        matches!(outcome, Ok((0, from)) if from == sender_address),
        "the sender sent an empty datagram; recv_datagram returned {outcome:?}, expected Ok((0, \
         {sender_address})): nothing was cut"
    );
}

#[netlings_helpers::test]
fn a_read_timeout_that_passes_is_an_io_error() {
    let (receiver, receiver_address, _sender, _) = pair();
    let timeout = Duration::from_millis(50);
    receiver
        .set_read_timeout(Some(timeout))
        .expect("setting a read timeout");
    let (outcome, _) = receive(
        &receiver,
        10,
        "recv_datagram() to give up when the socket's read timeout of 50 ms passes with no \
         datagram (a receive that retries on WouldBlock never gives up)",
    );
    match outcome {
        Err(ref error @ RecvError::Io(ref io_error))
            if matches!(
                io_error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            assert!(
                std::error::Error::source(&error).is_some(),
                "RecvError::Io should give the io::Error behind it as its source()"
            );
        }
        other => panic!(
            "no datagram was sent to {receiver_address}, whose read timeout is 50 ms; \
             recv_datagram returned {other:?}, expected Err(RecvError::Io(..)) of kind \
             WouldBlock (TimedOut on some systems): the caller chose the timeout, and learns \
             that it passed"
        ),
    }
}
