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

use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

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
    // PemObject reads every `-----BEGIN CERTIFICATE-----` section and skips
    // other sections (a key in the same file, comments).
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

/// Reads the first private key from the PEM file at `path`, whatever its
/// format (PKCS#8 `PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY`).
///
/// # Errors
///
/// As [`load_certs`]: the file cannot be read, or holds no private key.
pub fn load_private_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|error| pem_error(path, error))
}

/// A PEM error says what went wrong but not in which file: add it.
fn pem_error(path: &Path, error: rustls::pki_types::pem::Error) -> io::Error {
    let kind = match &error {
        rustls::pki_types::pem::Error::Io(io_error) => io_error.kind(),
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, format!("{}: {error}", path.display()))
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
    let certs = load_certs(cert_path)?;
    let key = load_private_key(key_path)?;
    // The course uses the ring provider everywhere: naming it here, instead
    // of relying on a process-wide default, is what keeps a build that
    // happened to enable two providers from panicking.
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            // with_single_cert checks that the key matches the certificate's
            // public key, so a mixed-up pair fails here and not at every handshake.
            .with_single_cert(certs, key)
            .map_err(|error| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} and {}: {error}",
                        cert_path.display(),
                        key_path.display()
                    ),
                )
            })?;
    Ok(Arc::new(config))
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
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => match accept_failure(&error) {
                AcceptFailure::OneConnection => {
                    eprintln!("tls-echo: a connection failed before accept: {error}");
                    continue;
                }
                AcceptFailure::OutOfResources => {
                    eprintln!("tls-echo: accept: {error}; retrying in {ACCEPT_BACKOFF:?}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
                AcceptFailure::ListenerBroken => return Err(error),
            },
        };
        // The handshake happens in the client's task, never in this loop:
        // it takes a round trip at best and forever at worst, and the loop
        // must be back in accept() at once. TlsAcceptor is an Arc inside,
        // so a clone per client is cheap.
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            if let Err(error) = serve_one(tcp, acceptor, handshake_timeout).await {
                eprintln!("tls-echo: {peer}: {error}");
            }
        });
    }
}

async fn serve_one(
    tcp: TcpStream,
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
) -> io::Result<()> {
    // A client that opens TCP and never sends its ClientHello would keep
    // this task, its buffers and a descriptor forever: the deadline ends
    // it. Dropping the unfinished handshake closes the TCP connection.
    let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(tcp)).await {
        Ok(handshake) => handshake.map_err(|error| {
            io::Error::new(error.kind(), format!("TLS handshake failed: {error}"))
        })?,
        Err(_elapsed) => {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no TLS handshake within {handshake_timeout:?}; closed"),
            ));
        }
    };
    echo(tls).await
}

async fn echo(mut tls: TlsStream<TcpStream>) -> io::Result<()> {
    let mut buffer = [0; 4096];
    loop {
        // A read on a TLS stream returns decrypted bytes of one or more
        // records; like a TCP read, it is never "one message".
        let read = tls.read(&mut buffer).await?;
        if read == 0 {
            // 0 bytes: the client sent close_notify, its clean end of the
            // session. A TCP FIN *without* close_notify comes out of read()
            // as an UnexpectedEof error instead, and the `?` above reports
            // it: somebody may have cut the connection mid-message.
            break;
        }
        tls.write_all(&buffer[..read]).await?;
        // write_all hands the bytes to rustls, which seals them into
        // records; flush makes sure those records reach the socket now.
        tls.flush().await?;
    }
    // shutdown() sends our own close_notify, then the TCP FIN: the client
    // learns that it has the whole echo, not a cut-off part of it.
    tls.shutdown().await
}
