//! Exercise 4: writing a response (`src/response.rs`). The writer takes
//! three bytes per `write` (after failing the first with `Interrupted`), as
//! a socket with a full send buffer can.

use lesson7::http::Response;
use lesson7::response::{http_date, write_response};
use netlings_helpers::fake_io::ChunkedWriter;
use netlings_helpers::printable;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// What `write_response` wrote for `response`, and how often it flushed.
#[track_caller]
fn written(response: &Response, head_only: bool) -> (String, usize) {
    let mut writer = ChunkedWriter::new(3).interrupted_first();
    if let Err(error) = write_response(&mut writer, response, head_only) {
        panic!("write_response failed: {error}");
    }
    let text = String::from_utf8(writer.written().to_vec())
        .unwrap_or_else(|_| panic!("the response is not UTF-8: {}", printable(writer.written())));
    (text, writer.flushes())
}

/// The head's lines (without `\r\n`) and the body, split at the empty line.
#[track_caller]
fn split(text: &str) -> (Vec<&str>, &str) {
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        panic!(
            "no empty line (\\r\\n\\r\\n) ends the head in {}",
            printable(text.as_bytes())
        )
    };
    (head.split("\r\n").collect(), body)
}

#[netlings_helpers::test]
fn formats_dates_as_imf_fixdate() {
    for (seconds, expected) in [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_704_067_199, "Sun, 31 Dec 2023 23:59:59 GMT"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
    ] {
        assert_eq!(
            http_date(at(seconds)),
            expected,
            "{seconds} seconds after 1970-01-01 00:00:00 UTC (2000 is a leap year, 2100 is not)"
        );
    }
}

#[netlings_helpers::test]
fn writes_the_status_line_the_fields_and_the_body() {
    let mut response = Response::new(404, "text/plain", "no such page\n");
    response
        .headers
        .push(("Connection".to_string(), "close".to_string()));
    let (text, flushes) = written(&response, false);
    let (lines, body) = split(&text);
    assert_eq!(
        lines[0], "HTTP/1.1 404 Not Found",
        "the status line: version, status, reason (http::reason)"
    );
    for field in [
        "Content-Length: 13",
        "Content-Type: text/plain",
        "Connection: close",
    ] {
        assert!(
            lines.contains(&field),
            "the head must have the line {field:?}; it is {lines:?} (each line ends with \\r\\n, \
             and every byte must be written: write_all, not write)"
        );
    }
    assert_eq!(body, "no such page\n");
    assert!(
        flushes >= 1,
        "write_response never flushed: behind a BufWriter (or TLS) the response would wait in \
         memory while the client waits for it"
    );
}

#[netlings_helpers::test]
fn names_every_status_with_its_reason() {
    for (status, reason) in [
        (200, "OK"),
        (400, "Bad Request"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (408, "Request Timeout"),
        (411, "Length Required"),
        (413, "Content Too Large"),
        (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"),
        (501, "Not Implemented"),
        (503, "Service Unavailable"),
        (505, "HTTP Version Not Supported"),
    ] {
        let (text, _) = written(&Response::new(status, "text/plain", ""), false);
        let (lines, _) = split(&text);
        assert_eq!(
            lines[0],
            format!("HTTP/1.1 {status} {reason}"),
            "the status line of a {status} response (the reason comes from http::reason)"
        );
    }
}

#[netlings_helpers::test]
fn a_head_response_has_the_length_but_no_body() {
    let response = Response::new(200, "text/html", "<h1>hello</h1>\n");
    let (text, _) = written(&response, true);
    let (lines, body) = split(&text);
    assert_eq!(lines[0], "HTTP/1.1 200 OK");
    assert!(
        lines.contains(&"Content-Length: 15"),
        "the answer to HEAD says how long the body of a GET would be: Content-Length: 15; the \
         head is {lines:?}"
    );
    assert_eq!(
        body, "",
        "the answer to HEAD has no body: the client would read it as the next response"
    );
}

#[netlings_helpers::test]
fn counts_the_length_in_bytes() {
    let response = Response::new(200, "text/plain; charset=utf-8", "h\u{e9}llo \u{2603}");
    let (text, _) = written(&response, false);
    let (lines, body) = split(&text);
    assert!(
        lines.contains(&"Content-Length: 10"),
        "\"h\u{e9}llo \u{2603}\" is 7 characters but 10 bytes in UTF-8: Content-Length counts \
         bytes; the head is {lines:?}"
    );
    assert_eq!(body, "h\u{e9}llo \u{2603}");
}

#[netlings_helpers::test]
fn dates_the_response_now() {
    let before = SystemTime::now();
    let (text, _) = written(&Response::new(200, "text/plain", "x"), false);
    let after = SystemTime::now();
    let (lines, _) = split(&text);
    assert_eq!(
        lines
            .get(1)
            .copied()
            .unwrap_or("")
            .split_once(": ")
            .map(|(name, _)| name),
        Some("Date"),
        "the line after the status line is the Date field; the head is {lines:?}"
    );
    let date = lines[1].trim_start_matches("Date: ");
    let seconds = |time: SystemTime| time.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let now: Vec<String> = (seconds(before)..=seconds(after))
        .map(|second| http_date(at(second)))
        .collect();
    assert!(
        now.iter().any(|expected| expected == date),
        "the Date field must be the time the response is written ({now:?}); it is {date:?}"
    );
}
