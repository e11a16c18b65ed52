//! Exercise 1: the request line (`src/request_line.rs`).

use lesson7::http::{RequestLine, Version};
use lesson7::request_line::parse_request_line;

/// The status `parse_request_line` refused `line` with, or a failure that
/// says it was accepted.
#[track_caller]
fn refusal(line: &str) -> u16 {
    match parse_request_line(line) {
        Ok(parsed) => panic!(
            "the request line {line:?} was accepted as {parsed:?}; it must be refused (try it: \
             printf '{} \\r\\nHost: x\\r\\n\\r\\n' | nc 127.0.0.1 8080)",
            line.escape_default()
        ),
        Err(error) => error.status,
    }
}

#[netlings_helpers::test]
fn parses_a_simple_get() {
    assert_eq!(
        parse_request_line("GET /index.html HTTP/1.1"),
        Ok(RequestLine {
            method: "GET".to_string(),
            target: "/index.html".to_string(),
            version: Version::HTTP_1_1,
        })
    );
}

#[netlings_helpers::test]
fn keeps_the_method_and_target_as_sent() {
    // Methods are case-sensitive (`get` is not `GET`), and the target is
    // decoded later, by the file server: here it stays as it came.
    let parsed = parse_request_line("get /a%20b.html?lang=en&x=%2F HTTP/1.0")
        .expect("a well-formed request line with a lower-case method");
    assert_eq!(parsed.method, "get", "the method must be kept as sent");
    assert_eq!(parsed.target, "/a%20b.html?lang=en&x=%2F");
    assert_eq!(parsed.version, Version::HTTP_1_0);
    let parsed = parse_request_line("M-SEARCH * HTTP/1.1").expect("a token method and a *");
    assert_eq!(parsed.method, "M-SEARCH");
}

#[netlings_helpers::test]
fn accepts_every_minor_version_of_http_1() {
    for (text, minor) in [("HTTP/1.0", 0), ("HTTP/1.1", 1), ("HTTP/1.9", 9)] {
        let line = format!("GET / {text}");
        match parse_request_line(&line) {
            Ok(parsed) => assert_eq!(parsed.version, Version { major: 1, minor }, "{line:?}"),
            Err(error) => {
                panic!("{line:?} was refused with {error}; any HTTP/1.x is served (RFC 9110, 6.2)")
            }
        }
    }
}

#[netlings_helpers::test]
fn refuses_garbage_with_400() {
    for line in [
        "",
        "GET",
        "GET /",
        "GET  / HTTP/1.1",
        " GET / HTTP/1.1",
        "GET / HTTP/1.1 ",
        "GET\t/ HTTP/1.1",
        "GET / HTTP/1.1 extra",
        "GE(T / HTTP/1.1",
        "GET /a\u{7f}b HTTP/1.1",
        "GET /caf\u{e9} HTTP/1.1",
        "GET / http/1.1",
        "GET / Http/1.1",
        "GET / HTTPS/1.1",
        "GET / HTTP/1",
        "GET / HTTP/1.",
        "GET / HTTP/1.1.1",
        "GET / HTTP/11.1",
        "GET / HTTP/1.10",
        "GET / HTTP/+1.1",
        "GET / HTTP/a.b",
        "GET / HTTP/1.x",
        "GET / HTTP/x.1",
    ] {
        assert_eq!(
            refusal(line),
            400,
            "the request line {line:?} does not have the shape METHOD SP TARGET SP HTTP/d.d; \
             the answer is 400 Bad Request"
        );
    }
}

#[netlings_helpers::test]
fn answers_505_to_another_major_version() {
    for line in ["GET / HTTP/2.0", "GET / HTTP/0.9", "GET / HTTP/3.0"] {
        assert_eq!(
            refusal(line),
            505,
            "{line:?} is well-formed HTTP of a version this server does not speak: 505 HTTP \
             Version Not Supported, not 400"
        );
    }
}
