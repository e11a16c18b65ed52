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

use crate::http::RequestLog;
use crate::keep_alive::serve_connection;
use crate::server::{Limits, OpenConnection, TimedStream};
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
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
    let certs = load_certs(cert_path)?;
    let key = load_private_key(key_path)?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|error| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: {error}", key_path.display()),
                )
            })?;
    // The only protocol this server speaks. A client that offers only h2
    // fails the handshake (no_application_protocol); one that offers
    // nothing gets HTTP/1.1 all the same.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
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
    let timed = TimedStream::new(stream, request_timeout)?;
    let session = ServerConnection::new(config).map_err(io::Error::other)?;
    let mut tls = StreamOwned::new(session, timed);
    serve_connection(&mut tls, root, log)?;
    // serve_connection flushed every response into the TLS session; this
    // adds the close_notify alert and writes it out before the socket
    // closes.
    tls.conn.send_close_notify();
    tls.flush()
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
    let root = Arc::new(root);
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("httpd: a client was lost before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("httpd: accept failed, retrying soon: {error}");
                    thread::sleep(ACCEPT_BACKOFF);
                    continue;
                }
                AcceptFailure::ListenerBroken => {
                    eprintln!("httpd: the listener is broken: {error}");
                    return Err(error);
                }
            },
        };
        // Only this loop adds to the count, as in exercise 7.
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            turn_away_tls(stream, peer);
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let place = OpenConnection(Arc::clone(&open));
        let root = Arc::clone(&root);
        let config = Arc::clone(&config);
        let spawned = thread::Builder::new()
            .name(format!("httpd {peer}"))
            .spawn(move || {
                let _place = place;
                let log = |entry: RequestLog| entry.print(peer);
                if let Err(error) =
                    serve_tls_connection(stream, &root, limits.request_timeout, config, log)
                {
                    eprintln!("httpd: {peer}: {error}");
                }
            });
        if let Err(error) = spawned {
            eprintln!("httpd: no thread for {peer}: {error}");
        }
    }
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
