//! Exercise 6: mutual TLS, where the server asks who the client is.
//!
//! In ordinary TLS only the server shows a certificate; the client is
//! anonymous until it logs in with a password over the encrypted
//! connection. In *mutual* TLS the server also asks for a client
//! certificate (a CertificateRequest in its part of the handshake), and
//! verifies it exactly as a client verifies a server's: chain to a CA the
//! server trusts for clients, dates, usage (client authentication). Service
//! meshes (Istio, Linkerd), PostgreSQL's `clientcert=verify-full`, and
//! many internal APIs work this way: the certificate *is* the login.
//!
//! The server then knows the client's name from the certificate, and can
//! greet it, or authorise it, by that name.

use rustls::pki_types::CertificateDer;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use std::io;
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::echo_server::{load_certs, load_private_key};

/// Builds a server configuration that presents the chain in `cert_path`
/// with the key in `key_path`, and *requires* every client to present a
/// certificate signed by a CA in `client_ca_path`, valid for client
/// authentication. A client without one, or with another, fails its
/// handshake.
///
/// # Errors
///
/// Any error reading the three files (the message names the file), a CA
/// certificate that cannot be a trust anchor, or a key that does not belong
/// to the certificate.
pub fn mtls_server_config(
    cert_path: &Path,
    key_path: &Path,
    client_ca_path: &Path,
) -> io::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // The CAs this server trusts *for clients*: often not the CA of its own
    // certificate. Only these; nothing else.
    let mut client_roots = RootCertStore::empty();
    for ca in load_certs(client_ca_path)? {
        client_roots.add(ca).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: not a usable CA certificate: {error}",
                    client_ca_path.display()
                ),
            )
        })?;
    }
    // The webpki client verifier checks the client's chain as a client
    // checks a server's, minus the name: a client connects from anywhere.
    // Its builder also has allow_unauthenticated(), which lets clients
    // without a certificate through: not what "mutual" means.
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(client_roots), provider.clone())
            .build()
            .map_err(io::Error::other)?;
    let certs = load_certs(cert_path)?;
    let key = load_private_key(key_path)?;
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_client_cert_verifier(verifier)
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

/// The client's name in its certificate (DER): the first DNS name among its
/// subject alternative names, or `None` if it has none or is malformed.
pub fn client_name(certificate: &CertificateDer<'_>) -> Option<String> {
    // rustls has already verified the chain; this only reads a field of it.
    let parsed = webpki::EndEntityCert::try_from(certificate).ok()?;
    parsed.valid_dns_names().next().map(str::to_string)
}

/// Greets the client of an accepted mutual-TLS session by the name in its
/// certificate: writes `hello, NAME\n`, then ends the session with
/// close_notify.
///
/// # Errors
///
/// `PermissionDenied` if the session has no client certificate or no name
/// in it (a server configured without client authentication lets such a
/// client this far), and any error writing.
pub async fn greet_client(mut tls: TlsStream<TcpStream>) -> io::Result<()> {
    // After the handshake, the connection holds the chain the client
    // presented, leaf first; rustls verified it during the handshake.
    let name = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(client_name)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the client presented no certificate with a name",
            )
        })?;
    tls.write_all(format!("hello, {name}\n").as_bytes()).await?;
    tls.shutdown().await
}
