//! Exercise 3: a client that trusts only what it should.
//!
//! A TLS client decides whom to trust *before* it connects: its root store
//! holds the certificate authorities whose signatures it believes. Your
//! operating system ships a store of about 150 public CAs; this client
//! trusts exactly one, the course CA in `ca.pem`, so that a certificate from
//! anywhere else, however valid, is refused.
//!
//! The client also decides which name to check. It connects its TCP socket
//! to an address, but it verifies the certificate against a *name*, given
//! separately: the name is the identity you want, the address is only where
//! you found it today.

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Builds a client configuration that trusts the CA certificates in the PEM
/// file `ca_path`, and no other CA: not the system's store, not the
/// server's own say-so.
///
/// # Errors
///
/// The file cannot be read or holds no certificate (the message names the
/// file), or a certificate in it cannot be a trust anchor (`InvalidData`).
pub fn client_config(ca_path: &Path) -> io::Result<Arc<ClientConfig>> {
    // An empty store, then the course CA: nothing else is trusted.
    let mut roots = RootCertStore::empty();
    for ca in crate::echo_server::load_certs(ca_path)? {
        roots.add(ca).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: not a usable CA certificate: {error}",
                    ca_path.display()
                ),
            )
        })?;
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            // with_root_certificates installs rustls's standard verifier
            // (webpki): chain to a root, dates, usage, and the name. There is
            // no switch to turn it off, only a `dangerous()` door to replace
            // it; a client that walks through that door encrypts to anyone.
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Connects to `server` over TCP, runs the TLS handshake with `config`,
/// checking the server's certificate against `server_name` (a DNS name such
/// as `localhost`, or an IP address in text), sends all of `request`, ends
/// its side of the session with close_notify, and returns everything the
/// server sends until the server's own close_notify.
///
/// # Errors
///
/// The first failed step: the TCP connect; the handshake (a refused
/// certificate arrives as `InvalidData` wrapping a `rustls::Error`); a write;
/// a read, including `UnexpectedEof` when the server closes TCP without
/// close_notify. `InvalidInput` when `server_name` is neither a DNS name nor
/// an IP address.
pub async fn exchange(
    config: Arc<ClientConfig>,
    server: SocketAddr,
    server_name: &str,
    request: &[u8],
) -> io::Result<Vec<u8>> {
    // The name, not the address, is what the certificate must match. A DNS
    // name also travels as SNI in the ClientHello; an IP address does not.
    let name = ServerName::try_from(server_name.to_string()).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{server_name:?} is not a server name: {error}"),
        )
    })?;
    let tcp = TcpStream::connect(server).await?;
    // connect() runs the whole handshake; it returns only once the server's
    // certificate has been verified and both Finished messages exchanged.
    let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
    // write_all, not write: one write hands rustls as much as fits in its
    // buffer, which can be less than the whole request.
    tls.write_all(request).await?;
    // shutdown() flushes, sends close_notify and then shuts down the TCP
    // write side: the server reads a clean end of the request. The read side
    // stays open for the reply, as with lesson 3's half-close.
    tls.shutdown().await?;
    // read_to_end reads until the server's close_notify; a FIN without it
    // fails with UnexpectedEof, so a cut reply is never taken as whole.
    let mut reply = Vec::new();
    tls.read_to_end(&mut reply).await?;
    Ok(reply)
}
