//! Lesson 5: TLS. The socket is wrapped: the bytes on the wire become
//! unreadable and tamper-evident, and the client learns who the server is,
//! because a certificate authority it trusts vouches for the server's name.
//!
//! Read `lessons/05-tls/README.md` first, then work through the exercises in
//! order; `cargo xtask check lesson5` tells you which one is next and which
//! file to open.
//!
//! 1. [`certs`]: a course CA and the certificates it signs, as PEM files
//!    (run it: `cargo run -p lesson5 --bin make-certs -- --out certs`).
//! 2. [`echo_server`]: a TLS echo server that survives clients who fail
//!    their handshake (run it: `cargo run -p lesson5 --bin tls-echo -- --cert
//!    certs/server.pem --key certs/server.key`).
//! 3. [`client`]: a client that trusts only the course CA, checks the name
//!    it was given, and ends its request with close_notify.
//! 4. [`failures`]: sort a handshake failure into what a person can act on.
//! 5. [`truncation`]: tell a clean close (close_notify) from a cut
//!    connection, and never act on a cut message.
//! 6. [`mtls`]: mutual TLS, a server that requires a client certificate from
//!    the course CA and greets the client by its name (run it: `tls-echo`
//!    with `--client-ca certs/ca.pem`).
//! 7. [`sni`]: one listener, two names, the right certificate for each, and
//!    no certificate at all for a name it does not serve.
//! 8. [`alpn`]: offer `h2` and `http/1.1`, report what the server chose,
//!    and fail cleanly when nothing is in common.

pub mod alpn;
pub mod certs;
pub mod client;
pub mod echo_server;
pub mod failures;
pub mod mtls;
pub mod sni;
pub mod truncation;
