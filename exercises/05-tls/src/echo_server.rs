//! Exercise 2: a TLS echo server that survives its clients.
//!
//! TLS runs on top of a TCP connection that is already open. The server
//! accepts TCP exactly as in lesson 4, then runs the TLS handshake over that
//! connection: the client says hello, the server proves it holds the key of
//! its certificate, both derive keys, and from then on every byte is
//! encrypted and authenticated. `tokio_rustls::TlsAcceptor::accept(tcp)`
//! does all of it and returns a stream you read and write like the TCP one.
//!
//! The handshake is where things go wrong: a client that does not trust the
//! certificate, a browser that speaks plain HTTP to the TLS port, a port
//! scanner that connects and says nothing. None of that is the server's
//! problem, and none of it may stop the server or hold a task forever.

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long the `tls-echo` program gives a client to finish its handshake.
/// A real client needs one round trip, milliseconds on loopback.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads every certificate from the PEM file at `path`, in file order: the
/// server's own certificate first, then any intermediate CA certificates.
///
/// # Errors
///
/// `NotFound` and the like if the file cannot be read; `InvalidData` if it
/// holds no certificate or a malformed one. Every message names the file.
pub fn load_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    todo!(
        "read every CERTIFICATE section with CertificateDer::pem_file_iter(path), and name the file in every error"
    )
}

/// Reads the first private key from the PEM file at `path`, whatever its
/// format (PKCS#8 `PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY`).
///
/// # Errors
///
/// As [`load_certs`]: the file cannot be read, or holds no private key.
pub fn load_private_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    todo!("read the key with PrivateKeyDer::from_pem_file(path), and name the file in the error")
}

/// Builds a server configuration that presents the certificate chain in
/// `cert_path` with the private key in `key_path`, and asks clients for no
/// certificate.
///
/// # Errors
///
/// Any error of [`load_certs`] or [`load_private_key`], or `InvalidInput`
/// when the key does not belong to the certificate.
pub fn load_server_config(cert_path: &Path, key_path: &Path) -> io::Result<Arc<ServerConfig>> {
    todo!(
        "load the chain and the key, and build a ServerConfig on the ring provider with no client auth and with_single_cert"
    )
}

/// Accepts clients on `listener` forever. For each, in a task of its own:
/// runs the TLS handshake with `acceptor`, giving up after
/// `handshake_timeout`; then echoes every byte the client sends until the
/// client ends the TLS session with close_notify; then ends the session
/// with its own close_notify.
///
/// A client that fails its handshake, is too slow, or cuts the connection
/// is logged to stderr and never affects another client or the loop.
///
/// # Errors
///
/// Follows the course's accept-loop rule (`netlings_cli::accept`): only a
/// broken listener ends the server, with that error.
pub async fn serve_tls_echo(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
) -> io::Result<()> {
    todo!(
        "accept forever (netlings_cli::accept rule) and spawn a task per client that runs acceptor.accept(tcp) under tokio::time::timeout, then echoes until close_notify and shuts down"
    )
}
