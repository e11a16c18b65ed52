//! Lesson 7, the capstone: an HTTP/1.1 server on raw sockets. HTTP is text
//! over a TCP byte stream, and every part of it is a lesson already done:
//! framing (lesson 3), many clients, timeouts and limits (lesson 4), the
//! accept loop that survives (lesson 2), and the life of each connection
//! (lesson 6).
//!
//! Read `lessons/07-capstone-http/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson7` tells you which one is
//! next. [`http`] holds the types every exercise shares, given in full.
//!
//! 1. [`request_line`]: `GET /index.html HTTP/1.1`, taken apart strictly:
//!    400 for garbage, 505 for another major version.
//! 2. [`head`]: header fields read from a byte stream: case-insensitive
//!    names, duplicates, folding refused, a size cap (431).
//! 3. [`body`]: where the body ends: Content-Length, 411, 413, 501, and the
//!    smuggling request refused.
//! 4. [`response`]: status line, `Date`, `Content-Length`, body; HEAD has no
//!    body.
//! 5. [`files`]: static files from a root, path traversal refused in every
//!    form, 404, 405 with `Allow`, content types.
//! 6. [`keep_alive`]: many requests on one connection, pipelining,
//!    `Connection: close`, HTTP/1.0.
//! 7. [`server`]: a thread per connection, a request timeout against
//!    slowloris, a connection limit (503), the accept-loop rule (run it:
//!    `cargo run -p lesson7 --bin httpd -- --root lessons/07-capstone-http/www`).
//! 8. [`shutdown`]: a graceful stop: refuse new clients, finish the
//!    requests in flight, close idle connections, then return.
//! 9. [`tls`]: HTTPS = HTTP + TLS + TCP: the same `serve_connection` over a
//!    rustls stream, with ALPN `http/1.1` and close_notify (run it: `httpd`
//!    with `--tls-cert` and `--tls-key`).

pub mod body;
pub mod files;
pub mod head;
pub mod http;
pub mod keep_alive;
pub mod request_line;
pub mod response;
pub mod server;
pub mod shutdown;
pub mod tls;
