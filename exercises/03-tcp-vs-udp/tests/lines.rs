//! Exercise 2: lines, with a limit (`src/lines.rs`).

use lesson3::lines::{LineError, LineReader};
use netlings_helpers::fake_io::ChunkedReader;
use netlings_helpers::net::{self, Client};
use netlings_helpers::{STEP, printable, within};
use std::error::Error;
use std::io::{self, Read};
use std::net::TcpStream;

/// A connection on loopback: the test's client, and a `LineReader` with
/// `max_line` on the accepted end.
fn connection(max_line: usize) -> (Client, LineReader<TcpStream>) {
    let (listener, address) = net::loopback_listener();
    let client = Client::connect(address);
    let (server_side, _) = net::accept(&listener, "the test's own client");
    (client, LineReader::new(server_side, max_line))
}

/// A reader whose every read fails with `ConnectionReset`, as a socket's
/// reads do once the peer has reset the connection.
struct ResetReader;

impl Read for ResetReader {
    fn read(&mut self, _buffer: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::ConnectionReset.into())
    }
}

/// Calls `read_line` with a deadline and gives the reader back with the
/// outcome.
fn read_line(
    mut lines: LineReader<TcpStream>,
    waiting_for: &str,
) -> (Result<Option<Vec<u8>>, LineError>, LineReader<TcpStream>) {
    within(STEP, waiting_for, move || {
        let outcome = lines.read_line();
        (outcome, lines)
    })
}

/// What `read_line` returned, readably: bytes in quotes, not as numbers.
fn describe(outcome: &Result<Option<Vec<u8>>, LineError>) -> String {
    match outcome {
        Ok(Some(line)) => format!("the line {}", printable(line)),
        Ok(None) => String::from("Ok(None), a clean end of the stream"),
        Err(LineError::TooLong { limit }) => format!("Err(TooLong {{ limit: {limit} }})"),
        Err(LineError::EndedMidLine { partial }) => {
            format!("Err(EndedMidLine {{ partial: {} }})", printable(partial))
        }
        Err(LineError::Io(error)) => format!("Err(Io({error}))"),
    }
}

/// Reads a line and expects it to be `expected`. `sent` is every byte the
/// client sent, quoted in a failure; `note` (may be empty) adds why.
fn expect_line(
    lines: LineReader<TcpStream>,
    expected: &[u8],
    sent: &[u8],
    note: &str,
) -> LineReader<TcpStream> {
    let (outcome, lines) = read_line(
        lines,
        &format!("read_line() to return the line {}", printable(expected)),
    );
    match outcome {
        Ok(Some(line)) => assert_eq!(
            line,
            expected,
            "the client sent {}{note}; read_line() returned the line {}, expected {} (without \
             its \\n)",
            printable(sent),
            printable(&line),
            printable(expected)
        ),
        other => panic!(
            "the client sent {}{note}; read_line() returned {}, expected the line {}",
            printable(sent),
            describe(&other),
            printable(expected)
        ),
    }
    lines
}

#[netlings_helpers::test]
fn reads_one_line() {
    let (mut client, lines) = connection(64);
    client.send(b"hello\n");
    expect_line(lines, b"hello", b"hello\n", "");
}

#[netlings_helpers::test]
fn reads_lines_that_arrive_together_and_in_pieces() {
    let (mut client, lines) = connection(64);
    // Two lines and the start of a third in one write, then the rest.
    client.send(b"one\ntwo\nthr");
    client.send(b"ee\n");
    let sent = b"one\ntwo\nthree\n";
    let lines = expect_line(lines, b"one", sent, "");
    // A reader that loses what followed the first newline fails here.
    let lines = expect_line(
        lines,
        b"two",
        sent,
        " (what followed the first newline must be kept for the next call)",
    );
    expect_line(lines, b"three", sent, "");
}

#[netlings_helpers::test]
fn returns_none_when_the_peer_closes_between_lines() {
    let (mut client, lines) = connection(64);
    client.send(b"last\n");
    drop(client);
    let lines = expect_line(lines, b"last", b"last\n", "");
    let (outcome, _) = read_line(
        lines,
        "read_line() after the last line, when the client has closed the connection",
    );
    assert!(
        matches!(outcome, Ok(None)),
        "the client sent \"last\\n\" and closed the connection; after that line read_line() \
         returned {}, expected Ok(None): a read of 0 bytes between lines is a clean end",
        describe(&outcome)
    );
}

#[netlings_helpers::test]
fn accepts_a_line_of_exactly_the_limit() {
    let (mut client, lines) = connection(8);
    assert_eq!(
        lines.max_line(),
        8,
        "LineReader::max_line() gives the limit"
    );
    client.send(b"12345678\n");
    // The limit counts the line, not its newline.
    expect_line(
        lines,
        b"12345678",
        b"12345678\n",
        " (8 bytes and a newline, to a reader with max_line = 8)",
    );
}

#[netlings_helpers::test]
fn rejects_a_line_one_byte_over_the_limit() {
    let (mut client, lines) = connection(8);
    client.send(b"123456789\n");
    let (outcome, _) = read_line(lines, "read_line() on a 9-byte line, with a limit of 8");
    assert!(
        matches!(outcome, Err(LineError::TooLong { limit: 8 })),
        "the client sent \"123456789\\n\", a line of 9 bytes, to a reader with max_line = 8; \
         read_line() returned {}, expected Err(LineError::TooLong {{ limit: 8 }})",
        describe(&outcome)
    );
    if let Err(error) = &outcome {
        let message = error.to_string();
        assert!(
            message.contains('8'),
            "LineError::TooLong's message should give the limit, 8; it says {message:?}"
        );
    }
}

#[netlings_helpers::test]
fn gives_up_on_an_endless_line_without_waiting_for_its_end() {
    let (mut client, lines) = connection(1024);
    // 64 KiB and no newline, and the connection stays open: a reader that
    // waits for the newline waits for ever.
    client.send(&vec![b'x'; 64 * 1024]);
    let (outcome, _) = read_line(
        lines,
        "read_line() to give up on a line that passed its limit of 1024 bytes (the client sent \
         64 KiB without a newline and keeps the connection open: the newline never comes)",
    );
    assert!(
        matches!(outcome, Err(LineError::TooLong { limit: 1024 })),
        "the client sent 64 KiB without a newline to a reader with max_line = 1024; read_line() \
         returned {}, expected Err(LineError::TooLong {{ limit: 1024 }})",
        describe(&outcome)
    );
    drop(client);
}

#[netlings_helpers::test]
fn reports_a_line_cut_off_by_the_end_of_the_stream() {
    // 9 bytes, exactly the limit: not too long, only cut off.
    let (mut client, lines) = connection(9);
    client.send(b"half a li");
    drop(client);
    let (outcome, _) = read_line(
        lines,
        "read_line() after the client sent \"half a li\" and closed the connection",
    );
    match outcome {
        Err(LineError::EndedMidLine { partial }) => assert_eq!(
            partial,
            b"half a li",
            "EndedMidLine carries the bytes received: expected \"half a li\", got {}",
            printable(&partial)
        ),
        other => panic!(
            "the client sent \"half a li\" (9 bytes, no newline) to a reader with max_line = 9 \
             and closed the connection; read_line() returned {}, expected \
             Err(LineError::EndedMidLine {{ partial: \"half a li\" }}): the peer's close cut the \
             line off, and 9 bytes are not over the limit",
            describe(&other)
        ),
    }

    // A read that fails is neither a line nor an end: the error is passed
    // on, as LineError::Io, with the read's own error as its source.
    let outcome = within(
        STEP,
        "read_line() from a reader whose every read fails with ConnectionReset (a failed read \
         is returned, not tried again)",
        || LineReader::new(ResetReader, 64).read_line(),
    );
    match &outcome {
        Err(error @ LineError::Io(io_error))
            if io_error.kind() == io::ErrorKind::ConnectionReset =>
        {
            assert!(
                error.source().is_some(),
                "LineError::Io should give the io::Error behind it as its source()"
            );
        }
        _ => panic!(
            "every read failed with ConnectionReset (the peer reset the connection); read_line() \
             returned {}, expected Err(LineError::Io(..)) with that error: a failed read is not \
             the peer's clean close",
            describe(&outcome)
        ),
    }
}

#[netlings_helpers::test]
fn keeps_every_byte_of_a_line_even_when_it_comes_one_byte_per_read() {
    // Bytes in, bytes out: a \r before the \n and bytes that are not UTF-8
    // belong to the line. The reader fails its first read with Interrupted
    // (a signal arrived), then hands over one byte per read.
    let sent: &[u8] = b"crlf\r\n\xff\xfe\x00 not UTF-8\n";
    let reader = ChunkedReader::new(sent.to_vec(), 1).interrupted_first();
    let lines = LineReader::new(reader, 64);
    let (first, second) = within(
        STEP,
        "read_line() twice, from a reader that returns one byte per read",
        move || {
            let mut lines = lines;
            let first = lines.read_line();
            let second = first.as_ref().ok().map(|_| lines.read_line());
            (first, second)
        },
    );
    let what = "one byte per read, after a first read that failed with Interrupted";
    match first {
        Ok(Some(line)) => assert!(
            line == b"crlf\r",
            "the reader handed over {} {what}; the first read_line() returned the line {}, \
             expected \"crlf\\r\": only the \\n goes, a \\r before it stays in the line",
            printable(sent),
            printable(&line)
        ),
        Err(LineError::Io(error)) if error.kind() == io::ErrorKind::Interrupted => panic!(
            "the first read failed with Interrupted and read_line() returned that error: \
             Interrupted means a signal arrived before any byte did; read again (BufRead's \
             read_until does)"
        ),
        other => panic!(
            "the reader handed over {} {what}; the first read_line() returned {}, expected the \
             line \"crlf\\r\"",
            printable(sent),
            describe(&other)
        ),
    }
    match second {
        Some(Ok(Some(line))) => assert!(
            line == b"\xff\xfe\x00 not UTF-8",
            "the second line was {}; read_line() returned {}. A line is bytes, not text: \
             keep every byte as it came, UTF-8 or not",
            printable(b"\xff\xfe\x00 not UTF-8"),
            printable(&line)
        ),
        Some(other) => panic!(
            "the second line was {} (bytes that are not UTF-8, and a NUL); read_line() returned \
             {}, expected that line. A line is bytes, not text: no String, no UTF-8 check",
            printable(b"\xff\xfe\x00 not UTF-8"),
            describe(&other)
        ),
        None => unreachable!("the first line was checked above"),
    }
}
