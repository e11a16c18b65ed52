//! Exercise 3: the body of a request, and where it ends (`src/body.rs`).
//! The heads are built here, so that these tests need exercise 3 alone.

use lesson7::body::read_body;
use lesson7::http::{Headers, MAX_BODY, Request, RequestError, RequestLine, Version};
use netlings_helpers::fake_io::ChunkedReader;
use netlings_helpers::printable;
use std::io::{BufReader, Read};

/// A request head with `method` and the header `fields` (lower-case names).
fn request(method: &str, fields: &[(&str, &str)]) -> Request {
    Request {
        line: RequestLine {
            method: method.to_string(),
            target: "/upload".to_string(),
            version: Version::HTTP_1_1,
        },
        headers: Headers {
            fields: fields
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        },
    }
}

/// The status `read_body` refused `request` with, the bytes after its head
/// being `after`.
#[track_caller]
fn refusal(request: &Request, after: &[u8]) -> u16 {
    let mut input = BufReader::new(ChunkedReader::new(after, 1));
    match read_body(&mut input, request) {
        Err(RequestError::Refused(error)) => error.status,
        Err(RequestError::Io(error)) => panic!(
            "read_body failed with an I/O error ({error}) for {:?}; it must refuse the request \
             with a status, from its head alone",
            request.headers.fields
        ),
        Ok(body) => panic!(
            "read_body accepted a body of {} for {:?}; it must refuse the request",
            printable(&body),
            request.headers.fields
        ),
    }
}

#[netlings_helpers::test]
fn reads_a_content_length_body_split_at_every_byte() {
    let head = request("POST", &[("host", "x"), ("content-length", "11")]);
    let after = b"hello worldGET / HTTP/1.1\r\n";
    let mut input = BufReader::new(ChunkedReader::new(&after[..], 1).interrupted_first());
    let body = match read_body(&mut input, &head) {
        Ok(body) => body,
        Err(error) => panic!(
            "read_body failed on an 11-byte body that came one byte per read: {error}. One \
             read is not one message: read until all 11 bytes came"
        ),
    };
    assert_eq!(
        body,
        b"hello world",
        "Content-Length: 11 and {} after the head",
        printable(after)
    );
    let mut rest = Vec::new();
    input.read_to_end(&mut rest).expect("reading what is left");
    assert_eq!(
        rest, b"GET / HTTP/1.1\r\n",
        "exactly Content-Length bytes are the body; the next request must stay in the reader"
    );
}

#[netlings_helpers::test]
fn a_request_without_a_body_reads_nothing() {
    let after = b"GET /next HTTP/1.1\r\n";
    for method in ["GET", "HEAD", "DELETE"] {
        let mut input = BufReader::new(ChunkedReader::new(&after[..], 1));
        let body = read_body(&mut input, &request(method, &[("host", "x")]))
            .unwrap_or_else(|error| panic!("a {method} without a body was refused: {error}"));
        assert_eq!(body, b"", "a {method} without Content-Length has no body");
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).expect("reading what is left");
        assert_eq!(
            rest, after,
            "a {method} without Content-Length has no body: the next request must stay unread"
        );
    }
    let mut input = BufReader::new(ChunkedReader::new(&b"GET"[..], 1));
    let body = read_body(&mut input, &request("POST", &[("content-length", "0")]))
        .expect("Content-Length: 0 is an empty body");
    assert_eq!(body, b"");
}

#[netlings_helpers::test]
fn asks_for_a_length_with_411() {
    for method in ["POST", "PUT"] {
        assert_eq!(
            refusal(&request(method, &[("host", "x")]), b"data"),
            411,
            "a {method} without Content-Length: 411 Length Required (reading to the end of the \
             connection would make keep-alive impossible)"
        );
    }
}

#[netlings_helpers::test]
fn refuses_content_length_with_transfer_encoding() {
    let smuggler = request(
        "POST",
        &[("content-length", "4"), ("transfer-encoding", "chunked")],
    );
    assert_eq!(
        refusal(&smuggler, b"0\r\n\r\nGET /admin HTTP/1.1\r\n"),
        400,
        "Content-Length and Transfer-Encoding together is the classic request smuggling \
         request: a proxy that reads one and a server that reads the other disagree on where \
         the next request starts. Refuse it with 400, whichever comes first"
    );
}

#[netlings_helpers::test]
fn refuses_transfer_encoding_with_501() {
    for coding in ["chunked", "gzip, chunked", "identity"] {
        assert_eq!(
            refusal(
                &request("POST", &[("transfer-encoding", coding)]),
                b"5\r\nhello\r\n0\r\n\r\n"
            ),
            501,
            "Transfer-Encoding: {coding} is not implemented here: 501 Not Implemented (never \
             ignore it: the body would be read as the next request)"
        );
    }
}

#[netlings_helpers::test]
fn refuses_a_malformed_content_length_with_400() {
    for value in [
        "+5",
        "-1",
        "5 5",
        "0x10",
        "1e3",
        "5,5",
        "",
        "five",
        "99999999999999999999999",
    ] {
        assert_eq!(
            refusal(&request("POST", &[("content-length", value)]), b"hello"),
            400,
            "Content-Length {value:?} is not 1*DIGIT: 400 (str::parse alone takes \"+5\")"
        );
    }
}

#[netlings_helpers::test]
fn refuses_a_body_over_the_limit_with_413_before_reading_it() {
    let too_long = (MAX_BODY + 1).to_string();
    // Only a few bytes of the announced body are there: a server that reads
    // before it checks runs into the end of the data instead of answering.
    assert_eq!(
        refusal(
            &request("POST", &[("content-length", &too_long)]),
            b"a few bytes"
        ),
        413,
        "Content-Length: {too_long} is more than MAX_BODY ({MAX_BODY}): 413 Content Too Large, \
         decided from the head, before reading the body"
    );
    let upload = vec![b'u'; 100_000];
    let mut input = BufReader::new(ChunkedReader::new(upload, 4096));
    let body = read_body(
        &mut input,
        &request("POST", &[("content-length", "100000")]),
    )
    .unwrap_or_else(|error| panic!("an upload of 100 000 bytes is within MAX_BODY: {error}"));
    assert_eq!(body.len(), 100_000);
    let at_the_limit = vec![b'x'; MAX_BODY as usize];
    let mut input = BufReader::new(ChunkedReader::new(at_the_limit, 64 * 1024));
    let body = read_body(
        &mut input,
        &request("POST", &[("content-length", &MAX_BODY.to_string())]),
    )
    .unwrap_or_else(|error| panic!("a body of exactly MAX_BODY bytes is allowed: {error}"));
    assert_eq!(body.len() as u64, MAX_BODY);
}
