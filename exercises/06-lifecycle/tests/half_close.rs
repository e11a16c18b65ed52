//! Exercise 3: half-close: a request ended by EOF, and its reply
//! (`src/half_close.rs`).

use lesson6::half_close::{MAX_REQUEST, answer_one, read_to_eof, request};
use netlings_helpers::background::run_in_background;
use netlings_helpers::fake_io::ChunkedReader;
use netlings_helpers::kernel_table::wait_until_peer_has_read;
use netlings_helpers::net::{self, Client, loopback_listener};
use netlings_helpers::{STEP, likely_cause, printable, within};
use std::io::{self, Write};
use std::net::Shutdown;

/// `length` bytes that are not all alike, so a piece in the wrong place shows.
fn pattern(length: usize) -> Vec<u8> {
    (0..length).map(|index| (index % 251) as u8).collect()
}

#[netlings_helpers::test]
fn read_to_eof_reads_until_the_end_however_it_arrives() {
    let data = pattern(10_000);
    // Three bytes per read, and a first read interrupted by a signal: what a
    // socket can do to any reader.
    let mut reader = ChunkedReader::new(data.clone(), 3).interrupted_first();
    let read = read_to_eof(&mut reader, MAX_REQUEST).unwrap_or_else(|error| {
        panic!(
            "read_to_eof failed: {error}. The reader handed out 3 bytes per read after one read \
             that failed with Interrupted (read again: nothing was lost)"
        )
    });
    assert_eq!(
        read.len(),
        data.len(),
        "the reader held 10000 bytes, 3 per read, then EOF: keep reading until a read returns 0"
    );
    assert_eq!(read, data, "the bytes, in order");
}

/// A reader whose first read fails as a socket's does when the peer aborts.
struct ResetReader;

impl std::io::Read for ResetReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::ConnectionReset.into())
    }
}

#[netlings_helpers::test]
fn read_to_eof_passes_on_a_reset_and_respects_the_limit() {
    let outcome = within(STEP, "read_to_eof to return the reader's error", || {
        read_to_eof(ResetReader, 1000).map_err(|error| error.kind())
    });
    assert_eq!(
        outcome,
        Err(io::ErrorKind::ConnectionReset),
        "the reader failed with ConnectionReset: only Interrupted is worth a retry; any other \
         error goes back to the caller at once"
    );
    let at_limit = read_to_eof(ChunkedReader::new(pattern(1000), 7), 1000);
    assert_eq!(
        at_limit
            .map(|read| read.len())
            .map_err(|error| error.to_string()),
        Ok(1000),
        "1000 bytes with a limit of 1000 are fine"
    );
    match read_to_eof(ChunkedReader::new(pattern(1001), 7), 1000) {
        Ok(read) => panic!(
            "1001 bytes with a limit of 1000 must fail with InvalidData; read_to_eof returned {} \
             bytes",
            read.len()
        ),
        Err(error) => assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}"),
    }
}

#[netlings_helpers::test]
fn read_to_eof_stops_reading_past_the_limit() {
    // A peer that sends a megabyte against a limit of 1000: the reading must
    // stop soon after the limit, not at the end of the data.
    let mut reader = ChunkedReader::new(pattern(1 << 20), 100);
    let outcome = read_to_eof(&mut reader, 1000);
    assert!(
        outcome.is_err(),
        "a megabyte against a limit of 1000 bytes must fail"
    );
    assert!(
        reader.unread() > (1 << 20) - 100_000,
        "read_to_eof read {} bytes of a megabyte before giving up on a limit of 1000: check the \
         limit after every read, so that a peer that never stops cannot fill the memory",
        (1 << 20) - reader.unread()
    );
}

/// The test plays the server: accepts `request`'s connection, reads the
/// request until the client's EOF, answers `reply` and closes. Returns the
/// request it read and what `request` returned.
fn exchange(body: Vec<u8>, reply: Vec<u8>) -> (Vec<u8>, io::Result<Vec<u8>>) {
    let (listener, address) = loopback_listener();
    let client = run_in_background("request()", move || request(address, &body));
    let (stream, peer) = net::accept(&listener, "request() to connect");
    let mut server_side = Client::from_accepted(stream, peer);
    let received = server_side.read_to_end(
        "the end of the request: request() must shut down its writing side \
         (stream.shutdown(Shutdown::Write)) after the body, or the server never sees EOF",
    );
    server_side.send(&reply);
    drop(server_side);
    (received, client.returned("request() to return the reply"))
}

#[netlings_helpers::test]
fn request_ends_its_request_with_eof_and_reads_the_reply() {
    let (received, returned) = exchange(b"hello".to_vec(), b"olleh".to_vec());
    assert_eq!(
        received,
        b"hello",
        "the server received {}; request(.., b\"hello\") must send exactly the body",
        printable(&received)
    );
    match returned {
        Ok(reply) => assert_eq!(
            reply,
            b"olleh",
            "the server answered \"olleh\" and closed; request() returned {}",
            printable(&reply)
        ),
        Err(error) => panic!(
            "the server answered \"olleh\" and closed, yet request() failed: {error}. Likely \
             cause: {}. After shutdown(Write) the reading side is still open: read the reply \
             until EOF",
            likely_cause(&error)
        ),
    }
}

#[netlings_helpers::test]
fn request_reads_a_reply_of_any_length_until_eof() {
    // A reply much longer than the request and than any one read.
    let long_reply = pattern(300_000);
    let (_, returned) = exchange(b"short".to_vec(), long_reply.clone());
    let reply = returned.unwrap_or_else(|error| panic!("request() failed: {error}"));
    assert_eq!(
        reply.len(),
        long_reply.len(),
        "the server sent a 300000-byte reply and then closed; request() returned {} bytes. \
         The reply ends at EOF (a read that returns 0), not after one read or a fixed count",
        reply.len()
    );
    assert!(reply == long_reply, "the reply's bytes came back changed");
}

#[netlings_helpers::test]
fn request_reports_a_reset_instead_of_a_short_reply() {
    let (listener, address) = loopback_listener();
    let client = run_in_background("request()", move || request(address, b"hello"));
    let (stream, peer) = net::accept(&listener, "request() to connect");
    let mut server_side = Client::from_accepted(stream, peer);
    server_side.read_to_end("the end of the request");
    server_side.send(b"partial");
    // The server aborts mid-reply: an RST, not a FIN.
    server_side.reset();
    match client.returned("request() to return once the server reset the connection") {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionReset,
            "the server aborted the connection with a reset; request() failed with {error}"
        ),
        Ok(reply) => panic!(
            "the server sent \"partial\" and then reset the connection (RST), yet request() \
             returned Ok({}): a reset is an error, not the end of the reply",
            printable(&reply)
        ),
    }
}

#[netlings_helpers::test]
fn answer_one_replies_to_the_whole_request_after_eof() {
    let (listener, address) = loopback_listener();
    let mut client = Client::connect(address);
    let (stream, _) = net::accept(&listener, "the test's own client");
    let server = run_in_background("answer_one()", move || answer_one(stream));
    // The first half, then wait until the server has read it: a server that
    // answers what it has so far would answer now.
    client.send(b"first half, ");
    wait_until_peer_has_read(
        client.local_addr(),
        address,
        "answer_one() to read the first half of the request",
    );
    client.send(b"second half");
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("shutting down the test's writing side");
    let reply = client.read_to_end("the reply, then the server's EOF");
    assert_eq!(
        reply,
        b"flah dnoces ,flah tsrif",
        "the request was \"first half, second half\" (sent in two pieces, then EOF); the reply \
         must answer all of it, after the EOF: got {}",
        printable(&reply)
    );
    let outcome = server.returned("answer_one() to return after replying");
    assert!(outcome.is_ok(), "answer_one() failed: {outcome:?}");
}

#[netlings_helpers::test]
fn answer_one_refuses_a_request_over_the_limit() {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let (stream, _) = net::accept(&listener, "the test's own client");
    let server = run_in_background("answer_one()", move || answer_one(stream));
    // One byte over the limit, written by a thread of its own: the server
    // may stop reading, and then the write can block.
    let mut writer = client.stream().try_clone().expect("cloning the client");
    std::thread::spawn(move || {
        let _ = writer.write_all(&pattern(MAX_REQUEST + 1));
        let _ = writer.shutdown(Shutdown::Write);
    });
    match server.returned("answer_one() to give up on a request over MAX_REQUEST") {
        Err(error) => assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}"),
        Ok(()) => panic!(
            "the request was MAX_REQUEST + 1 bytes, yet answer_one() returned Ok: read it with \
             read_to_eof(&mut stream, MAX_REQUEST)"
        ),
    }
}
