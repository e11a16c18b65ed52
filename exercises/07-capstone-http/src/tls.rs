//! Exercise 9: HTTPS = HTTP + TLS + TCP.
//!
//! Nothing of HTTP changes under TLS. `serve_connection` takes any
//! `Read + Write`; a TLS stream is one, which encrypts what is written and
//! decrypts what is read, over the TCP connection underneath:
//!
//! ```text
//! serve_connection      HTTP/1.1: request line, headers, body, responses
//!   StreamOwned         TLS: handshake, records, close_notify   (rustls)
//!     TimedStream       the request deadline of exercise 7
//!       TcpStream       the connection                          (lesson 1)
//! ```
//!
//! Two things are new. **ALPN** (lesson 5): during the handshake, the client
//! offers the protocols it speaks (`h2`, `http/1.1`) and the server picks
//! one. A server that speaks HTTP/1.1 only must offer only `http/1.1`, or a
//! browser would start talking HTTP/2 to it. And **close_notify**: a TLS
//! connection ends with an alert that says "this is really the end", so that
//! a client can tell a complete response from a cut one.
//!
//! The handshake happens inside the stream, on the first read: so it runs on
//! the connection's own thread and within its deadline. A client that
//! connects and never says hello holds nobody up.
//!
//! Useful: `crate::keep_alive::serve_connection`,
//! `crate::server::TimedStream`, `rustls::{ServerConnection, StreamOwned}`,
//! `std::io::Write` (for `flush`), `std::thread`, and the accept-loop rule
//! in `netlings_cli::accept`; for the limit, `crate::server::OpenConnection`
//! and `std::sync::atomic::{AtomicUsize, Ordering}`.

use crate::http::RequestLog;
use crate::server::Limits;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The certificates of a PEM file (lesson 5, exercise 2), leaf first.
///
/// # Errors
///
/// The file cannot be read, or holds no certificate; the message starts
/// with the path.
pub fn load_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|error| pem_error(path, error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(path, error))?;
    if certs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no CERTIFICATE section in the file", path.display()),
        ));
    }
    Ok(certs)
}

/// The private key of a PEM file (lesson 5, exercise 2).
///
/// # Errors
///
/// The file cannot be read, or holds no key; the message starts with the
/// path.
pub fn load_private_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|error| pem_error(path, error))
}

fn pem_error(path: &Path, error: rustls::pki_types::pem::Error) -> io::Error {
    let kind = match &error {
        rustls::pki_types::pem::Error::Io(io_error) => io_error.kind(),
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, format!("{}: {error}", path.display()))
}

/// The TLS configuration of an HTTPS server: the certificate chain in
/// `cert_path` and the key in `key_path` (loaded with [`load_certs`] and
/// [`load_private_key`]), no client certificates, the `ring` provider of the
/// course (`rustls::crypto::ring::default_provider()`) with its safe default
/// protocol versions, and ALPN: `http/1.1`, and nothing else.
///
/// # Errors
///
/// A file that cannot be loaded, or a key that does not match the
/// certificate (`InvalidInput`, naming `key_path`).
pub fn https_config(cert_path: &Path, key_path: &Path) -> io::Result<Arc<ServerConfig>> {
    todo!(
        "load the chain and the key, build a ServerConfig on the ring provider with no client auth, and set its ALPN protocols to http/1.1 alone"
    )
}

/// Serves one HTTPS connection: `stream` wrapped in a [`TimedStream`] with
/// `request_timeout`, then in a TLS server session of `config`
/// (`ServerConnection::new`, `StreamOwned::new`), then exercise 6's
/// `serve_connection`. The handshake happens on the first read, within the
/// request deadline.
///
/// `log` gets each request's `RequestLog`, as in `serve_connection`.
///
/// When `serve_connection` ends without an error, sends close_notify
/// (`stream.conn.send_close_notify()`, then `flush`), so that the client
/// knows the last response was complete.
///
/// # Errors
///
/// A failed handshake (an `io::Error` wrapping the `rustls::Error`: a
/// client that is not speaking TLS, or offers only protocols other than
/// `http/1.1`), the errors of `serve_connection`, a failed flush.
pub fn serve_tls_connection(
    stream: TcpStream,
    root: &Path,
    request_timeout: Duration,
    config: Arc<ServerConfig>,
    log: impl FnMut(RequestLog),
) -> io::Result<()> {
    todo!(
        "wrap the stream in a TimedStream, then in a rustls StreamOwned with a new ServerConnection, serve_connection over it, then send close_notify and flush"
    )
}

/// Exercise 7's `serve` for HTTPS: the accept loop (with the accept-loop
/// rule), a thread per connection running [`serve_tls_connection`] with
/// `limits.request_timeout`, one log line per request and its error
/// printed with the client's address, and exercise 7's connection limit:
/// past `limits.max_connections` open connections, a new client is closed
/// at once, with no handshake and no answer (see [`turn_away_tls`]); an
/// `OpenConnection` moved into each thread gives the place back.
///
/// # Errors
///
/// A broken listener, as in exercise 7.
pub fn serve_https(
    listener: TcpListener,
    root: PathBuf,
    limits: Limits,
    config: Arc<ServerConfig>,
) -> io::Result<()> {
    todo!(
        "exercise 7's accept loop and connection limit (turn_away_tls past it), with serve_tls_connection on a thread of its own for each connection"
    )
}

/// Closes a connection over the limit, from the accept loop. A 503 would
/// need a TLS handshake first, and the accept loop must never wait on a
/// client (a thread for it is what the limit refuses), so the client gets
/// no answer: its handshake fails on a closed connection (curl says "SSL
/// connection error"), and it may try again later.
pub fn turn_away_tls(stream: TcpStream, peer: std::net::SocketAddr) {
    eprintln!("httpd: {peer}: too many connections; closed before the handshake");
    drop(stream);
}
