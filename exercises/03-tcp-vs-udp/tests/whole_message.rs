//! Exercise 1: one read is not one message (`src/whole_message.rs`).

use lesson3::whole_message::read_message;
use netlings_helpers::fake_io::ChunkedReader;
use netlings_helpers::net::{self, Client};
use netlings_helpers::{STEP, likely_cause, printable, within};
use socket2::SockRef;
use std::io::{self, Read};
use std::mem::MaybeUninit;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A reader whose every read fails with `ConnectionReset`, as a socket's
/// reads do once the peer has reset the connection.
struct ResetReader;

impl Read for ResetReader {
    fn read(&mut self, _buffer: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::ConnectionReset.into())
    }
}

/// A connection on loopback: the test's client, and the accepted end that
/// `read_message` reads from.
fn connection() -> (Client, TcpStream) {
    let (listener, address) = net::loopback_listener();
    let client = Client::connect(address);
    let (server_side, _) = net::accept(&listener, "the test's own client");
    (client, server_side)
}

/// Runs `read_message(stream, len)` with a deadline, and gives the stream
/// back with the outcome.
fn read_with_deadline(
    mut stream: TcpStream,
    len: usize,
    waiting_for: &str,
) -> (io::Result<Vec<u8>>, TcpStream) {
    within(STEP, waiting_for, move || {
        let outcome = read_message(&mut stream, len);
        (outcome, stream)
    })
}

/// Unwraps a message, or fails the test explaining the error.
fn expect_message(outcome: io::Result<Vec<u8>>, sent: &[u8]) -> Vec<u8> {
    outcome.unwrap_or_else(|error| {
        panic!(
            "the test sent {} and read_message failed: {error}. Likely cause: {}",
            printable(sent),
            likely_cause(&error)
        )
    })
}

/// Whether the socket's receive queue is empty: a peek that does not wait
/// (MSG_PEEK | MSG_DONTWAIT) finds nothing. It neither takes bytes out of
/// the queue nor changes the socket's blocking mode, so the reader using the
/// same socket is not disturbed.
fn receive_queue_is_empty(receiving_end: &TcpStream) -> bool {
    let mut peeked = [MaybeUninit::new(0); 1];
    let peek = SockRef::from(receiving_end)
        .recv_with_flags(&mut peeked, libc::MSG_PEEK | libc::MSG_DONTWAIT);
    matches!(peek, Err(error) if error.kind() == io::ErrorKind::WouldBlock)
}

/// Sends `bytes` one at a time, on a thread of its own, each only once the
/// reader has taken the one before out of the receive queue, so that every
/// `read` the reader makes finds exactly one byte. Stops early when `stop`
/// is set (the reader returned) or the reader stops taking bytes for
/// [`STEP`] (the reader's own deadline reports that).
fn trickle(mut client: Client, receiving_end: TcpStream, bytes: Vec<u8>) -> Arc<AtomicBool> {
    client
        .stream()
        .set_nodelay(true)
        .expect("turning off Nagle's algorithm, so each byte leaves at once");
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    thread::spawn(move || {
        for byte in bytes {
            client.send(&[byte]);
            let deadline = Instant::now() + STEP;
            while !receive_queue_is_empty(&receiving_end) {
                if stopped.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return;
                }
                // Polling for an event (the reader took the byte), not
                // sleeping in the hope that it happened.
                thread::sleep(Duration::from_millis(1));
            }
        }
        // Keep the connection open until the reader is done: an end of
        // stream must not be what makes a wrong reader return.
        while !stopped.load(Ordering::Relaxed) {
            thread::park_timeout(Duration::from_millis(10));
        }
    });
    stop
}

#[netlings_helpers::test]
fn reads_a_message_that_arrives_in_one_piece() {
    let (mut client, server_side) = connection();
    client.send(b"HELLO WORLD");
    let (outcome, _) = read_with_deadline(
        server_side,
        11,
        "read_message(stream, 11) after the client sent 11 bytes",
    );
    let message = expect_message(outcome, b"HELLO WORLD");
    assert_eq!(
        message,
        b"HELLO WORLD",
        "the client sent \"HELLO WORLD\" (11 bytes) and read_message(stream, 11) returned {}",
        printable(&message)
    );
}

#[netlings_helpers::test]
fn reads_a_message_that_arrives_one_byte_at_a_time() {
    let (client, server_side) = connection();
    let receiving_end = server_side
        .try_clone()
        .expect("cloning the socket's handle");
    let sent = b"HELLO WORLD".to_vec();
    let stop = trickle(client, receiving_end, sent.clone());
    let (outcome, _) = read_with_deadline(
        server_side,
        11,
        "read_message(stream, 11) while the client sent the 11 bytes one at a time, each after \
         the one before was read (is it reading in a loop until it has all 11?)",
    );
    stop.store(true, Ordering::Relaxed);
    let message = expect_message(outcome, &sent);
    assert_eq!(
        message,
        sent,
        "the client sent \"HELLO WORLD\" one byte per TCP segment, so every read() returned a \
         single byte; read_message(stream, 11) returned {}. One read is not one message: read \
         again until all 11 bytes are in",
        printable(&message)
    );
}

#[netlings_helpers::test]
fn reads_on_after_an_interrupted_read_and_takes_no_byte_of_the_next_message() {
    // A stream on a bad day, with no timing involved: the first read fails
    // with Interrupted (a signal arrived), then every read returns one byte.
    // "NEXT" is the start of the next message.
    let reader = ChunkedReader::new(b"HELLO WORLDNEXT".to_vec(), 1).interrupted_first();
    let (outcome, reader) = within(
        STEP,
        "read_message(reader, 11) from a reader that returns one byte per read",
        move || {
            let mut reader = reader;
            let outcome = read_message(&mut reader, 11);
            (outcome, reader)
        },
    );
    match outcome {
        Ok(message) => assert_eq!(
            message,
            b"HELLO WORLD",
            "the reader handed over \"HELLO WORLD\" one byte per read (after one read that \
             failed with Interrupted); read_message(reader, 11) returned {}. Read into the part of \
             the message still missing, &mut message[filled..], until all 11 bytes are in",
            printable(&message)
        ),
        Err(error) if error.kind() == io::ErrorKind::Interrupted => panic!(
            "the first read failed with Interrupted and read_message returned that error: \
             Interrupted means a signal arrived before any byte did; nothing was lost, so read \
             again"
        ),
        Err(error) => panic!(
            "the reader handed over \"HELLO WORLD\" one byte per read, after one read that failed \
             with Interrupted; read_message(reader, 11) failed: {error}"
        ),
    }
    assert_eq!(
        reader.unread(),
        4,
        "after the 11-byte message, the 4 bytes of the next message (\"NEXT\") must stay unread \
         in the reader; {} are left. Never ask read() for more than the bytes still missing",
        reader.unread()
    );
}

#[netlings_helpers::test]
fn leaves_the_next_message_unread() {
    let (mut client, server_side) = connection();
    // Two messages in one write: they leave as one segment and arrive together.
    client.send(b"FIRSTSECOND");
    drop(client);
    let (first, server_side) = read_with_deadline(
        server_side,
        5,
        "read_message(stream, 5), the first of two messages sent together",
    );
    let first = expect_message(first, b"FIRSTSECOND");
    assert_eq!(
        first,
        b"FIRST",
        "the client sent \"FIRST\" and \"SECOND\" in one write; read_message(stream, 5) returned {}",
        printable(&first)
    );
    let (second, _) = read_with_deadline(
        server_side,
        6,
        "read_message(stream, 6), the second message",
    );
    match second {
        Ok(second) => assert_eq!(
            second,
            b"SECOND",
            "the second read_message(stream, 6) returned {}, expected \"SECOND\"",
            printable(&second)
        ),
        Err(error) => panic!(
            "the client sent \"FIRST\" and \"SECOND\" together, then closed. After the first call \
             returned \"FIRST\", read_message(stream, 6) failed: {error}. The first call took \
             \"SECOND\" out of the socket and threw it away: read no more than the message (a \
             BufReader made inside the function reads ahead, and its buffer is lost when it is \
             dropped)"
        ),
    }
}

#[netlings_helpers::test]
fn reports_a_peer_that_closes_mid_message() {
    let (mut client, server_side) = connection();
    client.send(b"HEL");
    drop(client);
    let (outcome, _) = read_with_deadline(
        server_side,
        11,
        "read_message(stream, 11) after the client sent 3 bytes and closed (a read that returns \
         0 means the peer closed: stop there)",
    );
    match outcome {
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {}
        Err(error) => panic!(
            "the client sent 3 of 11 bytes and closed; read_message failed with {error} (kind \
             {:?}), expected an error of kind UnexpectedEof",
            error.kind()
        ),
        Ok(message) => panic!(
            "the client sent 3 of 11 bytes and closed; read_message returned {} as if it were \
             the whole message, expected an error of kind UnexpectedEof",
            printable(&message)
        ),
    }

    // A read that fails for any other reason than Interrupted is returned
    // as it is, not tried again.
    let outcome = within(
        STEP,
        "read_message() from a reader whose every read fails with ConnectionReset (only \
         Interrupted means read again)",
        || read_message(&mut ResetReader, 11),
    );
    match outcome {
        Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {}
        other => panic!(
            "every read failed with ConnectionReset (the peer reset the connection); \
             read_message returned {other:?}, expected that error, as it is"
        ),
    }
}

#[netlings_helpers::test]
fn a_message_of_zero_bytes_needs_no_read() {
    let (client, server_side) = connection();
    let (outcome, _) = read_with_deadline(
        server_side,
        0,
        "read_message(stream, 0) on a connection where nothing is sent (an empty message is \
         complete before any read)",
    );
    let message = expect_message(outcome, b"");
    assert!(
        message.is_empty(),
        "read_message(stream, 0) returned {}, expected an empty message",
        printable(&message)
    );
    drop(client);
}
