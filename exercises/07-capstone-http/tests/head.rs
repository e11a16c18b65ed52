//! Exercise 2: the head of a request, read from a byte stream
//! (`src/head.rs`). The requests come through readers that hand over one
//! byte per `read` (or fail once with `Interrupted`), as a slow network
//! can; no socket is involved.

use lesson7::head::read_head;
use lesson7::http::{MAX_HEAD, Request, RequestError, Version};
use netlings_helpers::fake_io::ChunkedReader;
use netlings_helpers::printable;
use std::io::{BufReader, Read};

/// A reader of `bytes`, `chunk` bytes per `read`, behind a `BufReader`.
fn reader(bytes: &[u8], chunk: usize) -> BufReader<ChunkedReader> {
    BufReader::new(ChunkedReader::new(bytes, chunk))
}

/// The head read from `bytes`, or a failure that says what came instead.
#[track_caller]
fn head_of(bytes: &[u8]) -> Request {
    match read_head(&mut reader(bytes, 1)) {
        Ok(Some(request)) => request,
        Ok(None) => panic!("read_head returned None for {}", printable(bytes)),
        Err(error) => panic!(
            "read_head refused {}: {error}; it is a valid request",
            printable(bytes)
        ),
    }
}

/// The status the head in `bytes` was refused with.
#[track_caller]
fn refusal(bytes: &[u8]) -> u16 {
    match read_head(&mut reader(bytes, 1)) {
        Err(RequestError::Refused(error)) => error.status,
        Err(RequestError::Io(error)) => panic!(
            "read_head failed with an I/O error ({error}) on {}; the request is complete, and \
             must be refused with a status",
            printable(bytes)
        ),
        Ok(request) => panic!(
            "read_head accepted {} as {request:?}; it must be refused",
            printable(bytes)
        ),
    }
}

#[netlings_helpers::test]
fn reads_a_head_split_at_every_byte() {
    let request = b"GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
    let mut input = BufReader::new(ChunkedReader::new(&request[..], 1).interrupted_first());
    let head = match read_head(&mut input) {
        Ok(Some(head)) => head,
        other => panic!(
            "read_head on {} (one byte per read, the first read interrupted) returned {other:?}",
            printable(request)
        ),
    };
    assert_eq!(head.line.method, "GET");
    assert_eq!(head.line.target, "/index.html");
    assert_eq!(head.line.version, Version::HTTP_1_1);
    assert_eq!(
        head.headers.fields,
        [
            ("host".to_string(), "localhost:8080".to_string()),
            ("user-agent".to_string(), "curl/8.5.0".to_string()),
            ("accept".to_string(), "*/*".to_string()),
        ],
        "the header fields, in order, names in lower case"
    );
}

#[netlings_helpers::test]
fn reads_nothing_past_the_empty_line() {
    // What follows the head (a body, the next request) belongs to the next
    // reader of the connection. Here it all arrives in one read.
    let input =
        b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n";
    for chunk in [input.len(), 1] {
        let mut reader = reader(input, chunk);
        read_head(&mut reader).expect("a valid head");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).expect("reading what is left");
        assert_eq!(
            rest, b"helloGET / HTTP/1.1\r\n",
            "after the head, the body and the next request must still be in the reader (read \
             through the BufRead you were given, line by line, never more)"
        );
    }
}

#[netlings_helpers::test]
fn header_names_are_case_insensitive_and_values_trimmed() {
    let head = head_of(
        b"GET / HTTP/1.1\r\nhOsT: example\r\nCONTENT-length:   5 \t\r\nX-Token:\tAbC dEf\r\n\r\n",
    );
    assert_eq!(head.headers.get("host"), Some("example"));
    assert_eq!(
        head.headers.get("content-length"),
        Some("5"),
        "names are stored in lower case, values without the spaces and tabs around them"
    );
    assert_eq!(
        head.headers.get("x-token"),
        Some("AbC dEf"),
        "a value keeps its case and its inner spaces"
    );
}

#[netlings_helpers::test]
fn accepts_bare_lf_line_endings() {
    let head = head_of(b"GET /a HTTP/1.1\nHost: x\n\n");
    assert_eq!(head.line.target, "/a");
    assert_eq!(head.headers.get("host"), Some("x"));
}

#[netlings_helpers::test]
fn tells_a_closed_connection_from_a_cut_request() {
    match read_head(&mut reader(b"", 1)) {
        Ok(None) => {}
        other => panic!(
            "the client closed before sending a byte: read_head must return Ok(None), the \
             normal end of a connection; it returned {other:?}"
        ),
    }
    let cut = b"GET / HTTP/1.1\r\nHost: x\r\n";
    match read_head(&mut reader(cut, 1)) {
        Err(RequestError::Io(error)) if error.kind() == std::io::ErrorKind::UnexpectedEof => {}
        other => panic!(
            "the client closed after {} (no empty line yet): that is a request cut short, an \
             Io error of kind UnexpectedEof, not the end of the connection; read_head returned \
             {other:?}",
            printable(cut)
        ),
    }
}

#[netlings_helpers::test]
fn joins_duplicate_fields_and_refuses_ambiguous_ones() {
    let head = head_of(
        b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nContent-Length: 0\r\naccept: */*\r\ncontent-length: 0\r\n\r\n",
    );
    assert_eq!(
        head.headers.get("accept"),
        Some("text/html, */*"),
        "a field sent twice is one field, its values joined with \", \" in order"
    );
    assert_eq!(head.headers.get("content-length"), Some("0"));
    assert_eq!(
        head.headers
            .fields
            .iter()
            .filter(|(name, _)| name == "accept" || name == "content-length")
            .count(),
        2,
        "each name is stored once: {:?}",
        head.headers.fields
    );
    for (bytes, why) in [
        (
            &b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"[..],
            "two Host fields: which site is meant?",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "two different Content-Length fields: where does the body end?",
        ),
        (
            b"GET / HTTP/1.1\r\n\r\n",
            "an HTTP/1.1 request without a Host field",
        ),
    ] {
        assert_eq!(refusal(bytes), 400, "{why} {}", printable(bytes));
    }
    let head = head_of(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(head.headers.fields, [], "HTTP/1.0 needs no Host field");
}

#[netlings_helpers::test]
fn refuses_folded_and_malformed_fields_with_400() {
    for (bytes, why) in [
        (
            &b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: first\r\n second\r\n\r\n"[..],
            "a line that starts with a space continues the previous one (obsolete folding): refuse it",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: first\r\n\tsecond\r\n\r\n",
            "a line that starts with a tab is folding too",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: first\r\n X-Injected: yes\r\n\r\n",
            "a folded line that looks like a field is still folding, not a field",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n",
            "a space before the colon (a smuggling trick): refuse it",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
            "a line without a colon",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n",
            "an empty name",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
            "a space inside the name",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r2\r\n\r\n",
            "a bare CR inside a line",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n",
            "bytes that are not UTF-8",
        ),
        (
            b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
            "a bad request line (exercise 1)",
        ),
    ] {
        assert_eq!(refusal(bytes), 400, "{why}: {}", printable(bytes));
    }
    assert_eq!(
        refusal(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
        505,
        "the request line's own status (exercise 1) goes through"
    );
}

#[netlings_helpers::test]
fn refuses_a_head_past_the_cap_with_431() {
    // Browsers send 400 to 800 bytes of head, more with cookies; 7 KB of
    // cookie is large but legitimate, and within MAX_HEAD (8 KiB).
    let cookie = "c".repeat(7000);
    let bytes = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0\r\nCookie: {cookie}\r\n\r\n"
    );
    let head = head_of(bytes.as_bytes());
    assert_eq!(head.headers.get("cookie").map(str::len), Some(7000));
    let start = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    let end = b"\r\n\r\n";
    let exactly = |size: usize| {
        let mut head = start.to_vec();
        head.resize(size - end.len(), b'a');
        head.extend_from_slice(end);
        head
    };
    let at_the_cap = exactly(MAX_HEAD);
    let mut input = reader(&at_the_cap, 4096);
    assert!(
        matches!(read_head(&mut input), Ok(Some(_))),
        "a head of exactly MAX_HEAD ({MAX_HEAD}) bytes, line endings included, is accepted"
    );
    let over = exactly(MAX_HEAD + 1);
    match read_head(&mut reader(&over, 4096)) {
        Err(RequestError::Refused(error)) => assert_eq!(
            error.status, 431,
            "a head of MAX_HEAD + 1 bytes: 431 Request Header Fields Too Large, got {error}"
        ),
        other => panic!("a head of MAX_HEAD + 1 bytes must be refused with 431, got {other:?}"),
    }
    // A megabyte with no newline at all: the cap must stop the reading, not
    // a newline that never comes (or the end of the data).
    let endless = vec![b'a'; 1 << 20];
    let mut input = BufReader::new(ChunkedReader::new(endless, 4096));
    match read_head(&mut input) {
        Err(RequestError::Refused(error)) => assert_eq!(error.status, 431, "{error}"),
        other => panic!(
            "a request line of a megabyte with no newline must be refused with 431 once \
             MAX_HEAD bytes have come, without reading the rest; got {other:?}"
        ),
    }
    let left = input.get_ref().unread() + input.buffer().len();
    assert!(
        left >= (1 << 20) - 2 * MAX_HEAD,
        "read_head read {} bytes of an endless line; stop at the cap (Read::take)",
        (1 << 20) - left
    );
    // The same after a few lines: the cap is for the whole head, so each
    // line may take only what the lines before it left. One byte per read,
    // so that nothing is read ahead: read_head takes MAX_HEAD + 1 bytes
    // (the one that proves the head too long) and not one more.
    let mut endless_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ".to_vec();
    endless_header.resize(4 * MAX_HEAD, b'a');
    let total = endless_header.len();
    let mut input = BufReader::new(ChunkedReader::new(endless_header, 1));
    match read_head(&mut input) {
        Err(RequestError::Refused(error)) => assert_eq!(error.status, 431, "{error}"),
        other => panic!("an endless header line must be refused with 431, got {other:?}"),
    }
    let taken = total - input.get_ref().unread() - input.buffer().len();
    assert_eq!(
        taken,
        MAX_HEAD + 1,
        "read_head took {taken} bytes of a head that never ends; MAX_HEAD ({MAX_HEAD}) plus the \
         one byte that shows it is too long is all it may read: each line's limit is what is \
         left of MAX_HEAD after the lines before it"
    );
}
