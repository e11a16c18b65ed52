//! Exercise 6: one connection, many requests (`src/keep_alive.rs`). The
//! connection is a fake one: the requests are handed over a few bytes per
//! `read`, and the responses are collected, so the tests need no socket,
//! except the last, which uses a real one. Every request answered must
//! also be logged: `serve_connection` hands a `RequestLog` to its `log`.

use lesson7::http::RequestLog;
use lesson7::keep_alive::serve_connection;
use netlings_helpers::fake_io::{ChunkedReader, ChunkedWriter};
use netlings_helpers::net::{Client, accept, loopback_listener};
use netlings_helpers::printable;
use netlings_helpers::temp_dir::TempDir;
use std::fs;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A connection made of a reader (what the client sent) and a writer (what
/// the server answers).
struct FakeConnection {
    client_sent: ChunkedReader,
    server_wrote: ChunkedWriter,
}

impl Read for FakeConnection {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.client_sent.read(buffer)
    }
}

impl Write for FakeConnection {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.server_wrote.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.server_wrote.flush()
    }
}

/// A parsed response: status, header lines, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A root with `a.txt` and `b.txt`.
fn site() -> (TempDir, PathBuf) {
    let dir = TempDir::new("httpd-keep-alive");
    fs::write(dir.path().join("a.txt"), "file a\n").expect("writing a.txt");
    fs::write(dir.path().join("b.txt"), "file b, longer\n").expect("writing b.txt");
    let root = dir.path().to_path_buf();
    (dir, root)
}

/// Runs `serve_connection` over `requests`, handed over `chunk` bytes per
/// read, and splits what it wrote into responses; `methods` says which of
/// them answer a HEAD (no body).
#[track_caller]
fn exchange(requests: &str, chunk: usize, heads: &[bool]) -> Vec<Answer> {
    exchange_logged(requests, chunk, heads).0
}

/// [`exchange`], and what `serve_connection` logged, in order.
#[track_caller]
fn exchange_logged(requests: &str, chunk: usize, heads: &[bool]) -> (Vec<Answer>, Vec<RequestLog>) {
    let (_dir, root) = site();
    let mut connection = FakeConnection {
        client_sent: ChunkedReader::new(requests.as_bytes(), chunk),
        server_wrote: ChunkedWriter::new(7),
    };
    let mut logged = Vec::new();
    if let Err(error) = serve_connection(&mut connection, &root, |entry| logged.push(entry)) {
        panic!(
            "serve_connection failed with {error} on {}",
            printable(requests.as_bytes())
        );
    }
    (
        parse_responses(connection.server_wrote.written(), heads),
        logged,
    )
}

/// The log, as `(method, target, status, body bytes)`, without the times.
fn logged_lines(logged: &[RequestLog]) -> Vec<(&str, &str, u16, usize)> {
    logged
        .iter()
        .map(|entry| {
            (
                entry.method.as_str(),
                entry.target.as_str(),
                entry.status,
                entry.body_bytes,
            )
        })
        .collect()
}

#[track_caller]
fn parse_responses(mut bytes: &[u8], heads: &[bool]) -> Vec<Answer> {
    let all = bytes;
    let mut answers = Vec::new();
    while !bytes.is_empty() {
        let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") else {
            panic!(
                "a response without an empty line after its head: {}",
                printable(bytes)
            );
        };
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?} in {}", printable(all)));
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or_else(|| panic!("a response without Content-Length: {head:?}"));
        bytes = &bytes[end + 4..];
        let head_only = heads.get(answers.len()).copied().unwrap_or(false);
        let body_length = if head_only {
            0
        } else {
            length.min(bytes.len())
        };
        answers.push(Answer {
            status,
            headers,
            body: bytes[..body_length].to_vec(),
        });
        bytes = &bytes[body_length..];
    }
    answers
}

#[track_caller]
fn expect_statuses(answers: &[Answer], expected: &[u16], sent: &str) {
    let statuses: Vec<u16> = answers.iter().map(|answer| answer.status).collect();
    assert_eq!(
        statuses,
        expected,
        "the statuses of the responses, in order, to {}",
        printable(sent.as_bytes())
    );
}

const GET_A: &str = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
const GET_B: &str = "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n";

#[netlings_helpers::test]
fn answers_several_requests_on_one_connection() {
    let sent = format!("{GET_A}{GET_B}{GET_A}");
    let (answers, logged) = exchange_logged(&sent, 1, &[]);
    expect_statuses(&answers, &[200, 200, 200], &sent);
    assert_eq!(
        logged_lines(&logged),
        [
            ("GET", "/a.txt", 200, 7),
            ("GET", "/b.txt", 200, 15),
            ("GET", "/a.txt", 200, 7)
        ],
        "the log: one entry per request answered (call `log` after each answer), with its \
         method, target, status and the bytes of body sent"
    );
    let bodies: Vec<&[u8]> = answers
        .iter()
        .map(|answer| answer.body.as_slice())
        .collect();
    assert_eq!(
        bodies,
        [&b"file a\n"[..], b"file b, longer\n", b"file a\n"],
        "HTTP/1.1 keeps the connection open: every request gets its answer, in order"
    );
}

#[netlings_helpers::test]
fn answers_pipelined_requests_in_order() {
    // The three requests come in a single read: the bytes read past the
    // first belong to the next requests, and must not be lost.
    let sent = format!("{GET_B}{GET_A}{GET_B}");
    let answers = exchange(&sent, sent.len(), &[]);
    expect_statuses(&answers, &[200, 200, 200], &sent);
    assert_eq!(answers[1].body, b"file a\n", "the second answer is a.txt");
    assert_eq!(
        answers[2].body, b"file b, longer\n",
        "the third answer is b.txt"
    );
}

#[netlings_helpers::test]
fn closes_after_connection_close() {
    for option in ["close", "CLOSE", "Keep-Alive, Close"] {
        let sent = format!("GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: {option}\r\n\r\n{GET_B}");
        let answers = exchange(&sent, sent.len(), &[]);
        expect_statuses(&answers, &[200], &sent);
        assert_eq!(
            answers[0].header("Connection"),
            Some("close"),
            "the answer to `Connection: {option}` says `Connection: close`, and it is the last \
             on the connection (options are compared without regard to case)"
        );
    }
}

#[netlings_helpers::test]
fn http_1_0_closes_unless_asked_to_keep_alive() {
    let sent = format!("GET /a.txt HTTP/1.0\r\n\r\n{GET_B}");
    let answers = exchange(&sent, sent.len(), &[]);
    expect_statuses(&answers, &[200], &sent);
    assert_eq!(answers[0].header("Connection"), Some("close"));
    let sent = format!("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n{GET_B}");
    let answers = exchange(&sent, sent.len(), &[]);
    expect_statuses(&answers, &[200, 200], &sent);
    assert_eq!(
        answers[0].header("Connection"),
        Some("keep-alive"),
        "an HTTP/1.0 client that asked for keep-alive is told it got it"
    );
}

#[netlings_helpers::test]
fn skips_a_request_body_before_the_next_request() {
    let sent = format!(
        "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 19\r\n\r\nGET /b.txt HTTP/1.1{GET_A}"
    );
    let answers = exchange(&sent, 1, &[]);
    expect_statuses(&answers, &[405, 200], &sent);
    assert_eq!(
        answers[1].body, b"file a\n",
        "the 19 bytes of the POST's body (a request line, but inside the body) are its body, not a request"
    );
}

#[netlings_helpers::test]
fn closes_after_a_refused_request() {
    for (first, status) in [
        ("GET  /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("POST /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 411),
        (
            "POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            501,
        ),
    ] {
        let sent = format!("{first}{GET_A}");
        let (answers, logged) = exchange_logged(&sent, sent.len(), &[]);
        expect_statuses(&answers, &[status], &sent);
        // The request line of the 400 could not be read: `-` for both.
        let (method, target) = if status == 400 {
            ("-", "-")
        } else {
            ("POST", "/a.txt")
        };
        assert_eq!(
            logged_lines(&logged),
            [(method, target, status, answers[0].body.len())],
            "a refused request is logged too, after its answer, with the method and target \
             when its head was read (`-` for both when it was not): {}",
            printable(sent.as_bytes())
        );
        assert_eq!(
            answers[0].header("Connection"),
            Some("close"),
            "after a refused request nobody knows where the next one starts: answer, say \
             `Connection: close`, and end the connection"
        );
    }
}

#[netlings_helpers::test]
fn a_head_answer_has_no_body_on_a_kept_connection() {
    let sent = format!("HEAD /b.txt HTTP/1.1\r\nHost: x\r\n\r\n{GET_A}");
    let (answers, logged) = exchange_logged(&sent, sent.len(), &[true, false]);
    expect_statuses(&answers, &[200, 200], &sent);
    assert_eq!(
        logged_lines(&logged),
        [("HEAD", "/b.txt", 200, 0), ("GET", "/a.txt", 200, 7)],
        "the log counts the bytes of body *sent*: none for HEAD"
    );
    assert_eq!(answers[0].header("Content-Length"), Some("15"));
    assert_eq!(
        answers[1].body, b"file a\n",
        "the answer to HEAD must have no body: the client reads the bytes after its head as the \
         next response"
    );
}

#[netlings_helpers::test]
fn serves_a_real_connection() {
    let (_dir, root) = site();
    let (listener, address) = loopback_listener();
    let mut client = Client::connect(address);
    let (stream, _) = accept(&listener, "the test's own client to connect");
    let (log_tx, log) = mpsc::channel();
    std::thread::spawn(move || {
        serve_connection(stream, &root, |entry| {
            let _ = log_tx.send((entry, Instant::now()));
        })
    });
    let next_log = |waiting_for: &str| match log.recv_timeout(netlings_helpers::STEP) {
        Ok(logged) => logged,
        Err(_) => panic!(
            "deadline: waited {:?} for the log entry of {waiting_for} (call `log` after each \
             answer)",
            netlings_helpers::STEP
        ),
    };
    client.send(GET_A.as_bytes());
    next_log("the first request");
    // The client thinks for a moment before its next request, as a person
    // at a browser does: the connection is idle, and that time is nobody's
    // request.
    std::thread::sleep(Duration::from_millis(100));
    let sent = Instant::now();
    client.send(b"GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let (second, logged_at) = next_log("the second request");
    assert!(
        second.took <= logged_at - sent,
        "the second request was sent {:?} before its log entry, and the log says it took {:?}: \
         the clock must start at the request's first byte (wait for it with fill_buf), not \
         while the connection is idle between requests",
        logged_at - sent,
        second.took
    );
    let received = client.read_to_end(
        "two responses, then the end of the connection (the second request said Connection: close)",
    );
    let answers = parse_responses(&received, &[]);
    let bodies: Vec<&[u8]> = answers
        .iter()
        .map(|answer| answer.body.as_slice())
        .collect();
    assert_eq!(bodies, [&b"file a\n"[..], b"file b, longer\n"]);
}
