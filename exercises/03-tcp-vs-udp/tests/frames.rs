//! Exercise 3: length-prefixed frames (`src/frames.rs`).

use lesson3::frames::{FrameError, MAX_FRAME, frame_codec, read_frame, serve, write_frame};
use netlings_helpers::background::run_in_background;
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::fake_io::{ChunkedReader, ChunkedWriter};
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{Program, STEP, printable, within};
use std::error::Error;
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use tokio_util::bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// A connection on loopback: the test's client, and the accepted end that
/// `read_frame` reads from.
fn connection() -> (Client, TcpStream) {
    let (listener, address) = net::loopback_listener();
    let client = Client::connect(address);
    let (server_side, _) = net::accept(&listener, "the test's own client");
    (client, server_side)
}

type Outcome = Result<Option<Vec<u8>>, FrameError>;

/// Calls `read_frame(stream, max_len)` with a deadline and gives the stream
/// back with the outcome.
fn read_with_deadline(
    mut stream: TcpStream,
    max_len: usize,
    waiting_for: &str,
) -> (Outcome, TcpStream) {
    within(STEP, waiting_for, move || {
        let outcome = read_frame(&mut stream, max_len);
        (outcome, stream)
    })
}

/// What `read_frame` returned, readably: bytes in quotes, not as numbers.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(Some(payload)) => format!("the frame {}", printable(payload)),
        Ok(None) => String::from("Ok(None), a clean end of the stream"),
        Err(FrameError::TooLarge { announced, limit }) => {
            format!("Err(TooLarge {{ announced: {announced}, limit: {limit} }})")
        }
        Err(FrameError::EndedMidFrame) => String::from("Err(EndedMidFrame)"),
        Err(FrameError::Io(error)) => format!("Err(Io({error}))"),
    }
}

/// Reads a frame and expects its payload to be `expected`.
fn expect_frame(stream: TcpStream, max_len: usize, expected: &[u8], sent: &[u8]) -> TcpStream {
    let (outcome, stream) = read_with_deadline(
        stream,
        max_len,
        &format!("read_frame() to return the frame {}", printable(expected)),
    );
    match &outcome {
        Ok(Some(payload)) if payload == expected => {}
        _ => panic!(
            "the client sent {}; read_frame(stream, {max_len}) returned {}, expected the frame {}",
            printable(sent),
            describe(&outcome),
            printable(expected)
        ),
    }
    stream
}

/// A reader whose every read fails with `ConnectionReset`, as a socket's
/// reads do once the peer has reset the connection.
struct ResetReader;

impl Read for ResetReader {
    fn read(&mut self, _buffer: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::ConnectionReset.into())
    }
}

/// `payload` as a frame, written out by hand: the test's own encoder.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

#[netlings_helpers::test]
fn writes_a_big_endian_length_and_the_payload_in_one_buffer_through_short_writes() {
    let mut written = Vec::new();
    write_frame(&mut written, b"hello").expect("writing to a Vec cannot fail");
    assert_eq!(
        written,
        b"\x00\x00\x00\x05hello",
        "write_frame(b\"hello\") wrote {}; expected the length 5 as 4 bytes, most significant \
         first (00 00 00 05, big-endian: to_be_bytes), then the 5 bytes of payload",
        printable(&written)
    );
    let mut written = Vec::new();
    write_frame(&mut written, b"").expect("writing to a Vec cannot fail");
    assert_eq!(
        written,
        b"\x00\x00\x00\x00",
        "an empty payload is a frame of its own: the header 00 00 00 00 and nothing after it; \
         write_frame(b\"\") wrote {}",
        printable(&written)
    );

    // A writer that takes everything it is given counts the write() calls:
    // one frame, one write.
    let (outcome, writer) = within(STEP, "write_frame(b\"hello\")", || {
        let mut writer = ChunkedWriter::new(usize::MAX);
        (write_frame(&mut writer, b"hello"), writer)
    });
    outcome.expect("write_frame to a writer that takes everything");
    assert_eq!(
        writer.writes(),
        1,
        "write_frame(b\"hello\") called write() {} times, with {}; build the frame (header and \
         payload) in one buffer and write it once. A header and a payload in two writes leave \
         as two TCP segments, and Nagle's algorithm holds the second back until the first is \
         acknowledged",
        writer.writes(),
        printable(writer.written())
    );

    // A socket may take fewer bytes than it is offered (a full send
    // buffer), or fail a write with Interrupted (a signal arrived). This
    // writer fails its first write, then takes 3 bytes per call.
    let payload = b"a payload of some length";
    let (outcome, writer) = within(
        STEP,
        "write_frame() to a writer that takes 3 bytes per write",
        move || {
            let mut writer = ChunkedWriter::new(3).interrupted_first();
            (write_frame(&mut writer, payload), writer)
        },
    );
    match outcome {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::Interrupted => panic!(
            "the first write failed with Interrupted and write_frame returned that error: a \
             signal arrived before any byte was taken; write again (write_all does)"
        ),
        Err(error) => {
            panic!("write_frame() to a writer that takes 3 bytes per write failed: {error}")
        }
    }
    assert!(
        writer.written() == frame(payload),
        "the writer took at most 3 bytes per write(); write_frame({}) got {} bytes out, {}, \
         expected the whole frame, {} bytes. write() returns how many bytes it took: write_all \
         calls it again for the rest",
        printable(payload),
        writer.written().len(),
        printable(writer.written()),
        frame(payload).len()
    );
}

#[netlings_helpers::test]
fn reads_frames_that_arrive_back_to_back_and_in_pieces() {
    let (mut client, server_side) = connection();
    let mut sent = frame(b"hello");
    sent.extend(frame(b""));
    sent.extend(frame(b"line one\nline two\n\0"));
    // Two writes, the cut inside the second frame's header.
    client.send(&sent[..11]);
    client.send(&sent[11..]);
    let server_side = expect_frame(server_side, MAX_FRAME, b"hello", &sent);
    let server_side = expect_frame(server_side, MAX_FRAME, b"", &sent);
    expect_frame(server_side, MAX_FRAME, b"line one\nline two\n\0", &sent);

    // The same bytes from a reader that fails its first read with
    // Interrupted (a signal arrived), then returns one byte per read.
    let reader = ChunkedReader::new(sent.clone(), 1).interrupted_first();
    let outcomes = within(
        STEP,
        "read_frame() four times, from a reader that returns one byte per read",
        move || {
            let mut reader = reader;
            let mut outcomes = Vec::new();
            for _ in 0..4 {
                let outcome = read_frame(&mut reader, MAX_FRAME);
                let done = !matches!(outcome, Ok(Some(_)));
                outcomes.push(outcome);
                if done {
                    break;
                }
            }
            outcomes
        },
    );
    let expected: [Option<&[u8]>; 4] = [
        Some(b"hello"),
        Some(b""),
        Some(b"line one\nline two\n\0"),
        None,
    ];
    for (index, (outcome, expected)) in outcomes.iter().zip(expected).enumerate() {
        let as_expected = match (outcome, expected) {
            (Ok(Some(payload)), Some(expected)) => payload == expected,
            (Ok(None), None) => true,
            _ => false,
        };
        if let Err(FrameError::Io(error)) = outcome
            && error.kind() == io::ErrorKind::Interrupted
        {
            panic!(
                "the first read failed with Interrupted and read_frame returned that error: a \
                 signal arrived before any byte did; read again"
            );
        }
        assert!(
            as_expected,
            "the reader handed over three frames, {}, one byte per read, then the end of the \
             stream; call {} of read_frame() returned {}, expected {}. A read may return a \
             single byte, of the header too: count the header bytes, as in exercise 1",
            printable(&sent),
            index + 1,
            describe(outcome),
            match expected {
                Some(payload) => format!("the frame {}", printable(payload)),
                None => String::from("Ok(None)"),
            }
        );
    }
}

#[netlings_helpers::test]
fn accepts_a_frame_of_exactly_the_limit_and_rejects_one_byte_more() {
    let (mut client, server_side) = connection();
    let mut sent = frame(b"sixteen bytes!!!");
    sent.extend(frame(b"seventeen bytes!!"));
    client.send(&sent);
    let server_side = expect_frame(server_side, 16, b"sixteen bytes!!!", &sent);
    let (outcome, _) = read_with_deadline(
        server_side,
        16,
        "read_frame(stream, 16) on a frame of 17 bytes",
    );
    assert!(
        matches!(
            outcome,
            Err(FrameError::TooLarge {
                announced: 17,
                limit: 16
            })
        ),
        "a frame of 17 bytes with max_len = 16: read_frame returned {}, expected \
         Err(FrameError::TooLarge {{ announced: 17, limit: 16 }}); the limit itself is allowed, \
         one byte more is not",
        describe(&outcome)
    );
}

#[netlings_helpers::test]
fn rejects_a_4_gib_announcement_before_the_body_arrives() {
    let (mut client, server_side) = connection();
    // The header announces u32::MAX bytes, 4 GiB, and the client sends
    // nothing more but keeps the connection open.
    client.send(b"\xff\xff\xff\xff");
    let (outcome, _) = read_with_deadline(
        server_side,
        MAX_FRAME,
        "read_frame(stream, 1 MiB) to reject a header that announces 4 GiB (ff ff ff ff); the \
         client sends no payload and keeps the connection open, so a reader that allocates and \
         reads before it checks the length waits for ever",
    );
    assert!(
        matches!(
            outcome,
            Err(FrameError::TooLarge {
                announced: u32::MAX,
                limit: MAX_FRAME
            })
        ),
        "the header ff ff ff ff announces {} bytes, over the limit of {MAX_FRAME}; read_frame \
         returned {}, expected Err(FrameError::TooLarge {{ announced: {}, limit: {MAX_FRAME} }})",
        u32::MAX,
        describe(&outcome),
        u32::MAX
    );
    if let Err(error) = &outcome {
        let message = error.to_string();
        assert!(
            message.contains("4294967295") && message.contains(&MAX_FRAME.to_string()),
            "FrameError::TooLarge's message should give both numbers, the announced length and \
             the limit; it says {message:?}"
        );
    }
    drop(client);
}

#[netlings_helpers::test]
fn tells_a_clean_end_from_a_stream_that_ends_mid_frame() {
    let (mut client, server_side) = connection();
    let sent = frame(b"hello");
    client.send(&sent);
    drop(client);
    let server_side = expect_frame(server_side, MAX_FRAME, b"hello", &sent);
    let (outcome, _) = read_with_deadline(
        server_side,
        MAX_FRAME,
        "read_frame() after the only frame, when the client has closed the connection",
    );
    assert!(
        matches!(outcome, Ok(None)),
        "the client sent one frame and closed the connection; after that frame read_frame() \
         returned {}, expected Ok(None): no byte at all before the end of the stream is a clean \
         end",
        describe(&outcome)
    );

    let cases: [(&[u8], &str); 2] = [
        (
            b"\x00\x00\x00\x0ahel",
            "a header announcing 10 bytes, then 3 of them",
        ),
        (b"\x00\x00", "half a header"),
    ];
    for (sent, what) in cases {
        let (mut client, server_side) = connection();
        client.send(sent);
        drop(client);
        let (outcome, _) = read_with_deadline(
            server_side,
            MAX_FRAME,
            &format!("read_frame() after the client sent {what} and closed the connection"),
        );
        assert!(
            matches!(outcome, Err(FrameError::EndedMidFrame)),
            "the client sent {what} ({}) and closed the connection; read_frame returned {}, \
             expected Err(FrameError::EndedMidFrame)",
            printable(sent),
            describe(&outcome)
        );
    }

    // A read that fails is neither: the error is passed on, as FrameError::Io,
    // with the read's own error as its source.
    let outcome = within(
        STEP,
        "read_frame() from a reader whose every read fails with ConnectionReset (a failed read \
         is returned, not tried again)",
        || read_frame(&mut ResetReader, MAX_FRAME),
    );
    match &outcome {
        Err(error @ FrameError::Io(io_error))
            if io_error.kind() == io::ErrorKind::ConnectionReset =>
        {
            assert!(
                error.source().is_some(),
                "FrameError::Io should give the io::Error behind it as its source()"
            );
        }
        _ => panic!(
            "every read failed with ConnectionReset (the peer reset the connection); read_frame \
             returned {}, expected Err(FrameError::Io(..)) with that error: a failed read is not \
             the peer's clean close, and not a frame cut short",
            describe(&outcome)
        ),
    }
}

#[netlings_helpers::test]
fn the_tokio_codec_speaks_the_same_format() {
    let mut codec = frame_codec(16);
    let mut encoded = BytesMut::new();
    codec
        .encode(Bytes::from_static(b"hello"), &mut encoded)
        .expect("encoding 5 bytes with a limit of 16");
    assert_eq!(
        &encoded[..],
        b"\x00\x00\x00\x05hello",
        "the codec encoded b\"hello\" as {}; expected the same frame as write_frame: 00 00 00 05 \
         (4 bytes, big-endian) and the payload",
        printable(&encoded)
    );

    // Bytes as a socket delivers them: one whole frame and part of the next.
    let mut received = BytesMut::from(&b"\x00\x00\x00\x02hi\x00\x00\x00\x03a"[..]);
    let first = codec.decode(&mut received).expect("a valid frame decodes");
    assert_eq!(
        first.as_deref(),
        Some(&b"hi"[..]),
        "decoding 00 00 00 02 \"hi\" gave {first:?}, expected the payload \"hi\" without its header"
    );
    let second = codec
        .decode(&mut received)
        .expect("part of a frame is no error");
    assert!(
        second.is_none(),
        "decode() of a frame whose payload has not all arrived must ask for more bytes with \
         Ok(None); it returned {second:?}"
    );

    let mut fresh = frame_codec(16);
    let mut oversized = BytesMut::from(&b"\x00\x00\x00\x11"[..]);
    let outcome = fresh.decode(&mut oversized);
    assert!(
        outcome.is_err(),
        "a header announcing 17 bytes to a codec with a limit of 16 must be an error as soon as \
         the header is in; decode() returned {outcome:?} (is max_frame_length set?)"
    );
}

#[netlings_helpers::test]
fn the_frame_echo_program_echoes_frames_and_drops_oversized_ones() {
    let program = Program::start(
        env!("CARGO_BIN_EXE_frame-echo"),
        &["--listen", "127.0.0.1:0"],
    );
    let mut client = Client::connect(program.address());
    let mut sent = frame(b"ping");
    sent.extend(frame(b""));
    sent.extend(frame(&[7; 3000]));
    client.send(&sent);
    // Half-close: frame-echo reads the end of the stream after the last
    // frame, and closes once it has echoed everything.
    client
        .stream()
        .shutdown(Shutdown::Write)
        .expect("shutting down the sending side");
    let echoed = client.read_to_end("frame-echo to echo three frames and close the connection");
    assert!(
        echoed == sent,
        "the client sent three frames ({} bytes: {}); frame-echo sent back {} bytes: {}",
        sent.len(),
        printable(&sent),
        echoed.len(),
        printable(&echoed)
    );

    let mut greedy = Client::connect(program.address());
    let announced = (MAX_FRAME as u32 + 1).to_be_bytes();
    greedy.send(&announced);
    let echoed = greedy
        .read_to_end("frame-echo to close the connection after a header announcing 1 MiB + 1 byte");
    assert!(
        echoed.is_empty(),
        "after a header announcing more than 1 MiB, frame-echo must close the connection without \
         answering; it sent {}",
        printable(&echoed)
    );
}

#[netlings_helpers::test]
fn serve_outlives_running_out_of_descriptors_and_ends_when_its_listener_breaks() {
    // The whole process runs out of descriptors, so this test runs alone in
    // a process of its own.
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        let handle = listener
            .try_clone()
            .expect("cloning the listener's handle, to break it later");
        // A blocking server: run out of descriptors before it starts, or its
        // first accept() would already hold one (see run_out_of_descriptors).
        let mut out = run_out_of_descriptors(1);
        let serving = run_in_background("serve()", move || serve(listener));
        let waiting = out.connect(address);
        out.expect_accept_backoff(&serving, "serve()");

        out.release();
        let mut client = Client::from_connected(waiting);
        let sent = frame(b"still there?");
        client.send(&sent);
        client
            .stream()
            .shutdown(Shutdown::Write)
            .expect("shutting down the sending side");
        let echoed = client.read_to_end(
            "the echo for the client that waited in the accept queue while the process had no \
             descriptors; they are back now",
        );
        assert!(
            echoed == sent,
            "once the descriptors came back, the client that had waited sent {} and got back {}",
            printable(&sent),
            printable(&echoed)
        );

        net::expect_broken_listener_ends(&handle, &serving, "serve()");
    });
}
