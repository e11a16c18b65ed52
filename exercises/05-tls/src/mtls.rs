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

use rustls::ServerConfig;
use rustls::pki_types::CertificateDer;
use std::io;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

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
    todo!(
        "put the certificates of client_ca_path in a RootCertStore, build a WebPkiClientVerifier over it, and a ServerConfig with_client_cert_verifier and with_single_cert"
    )
}

/// The client's name in its certificate (DER): the first DNS name among its
/// subject alternative names, or `None` if it has none or is malformed.
pub fn client_name(certificate: &CertificateDer<'_>) -> Option<String> {
    todo!(
        "parse the certificate with webpki::EndEntityCert::try_from and return its first valid_dns_names()"
    )
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
pub async fn greet_client(tls: TlsStream<TcpStream>) -> io::Result<()> {
    todo!(
        "take the first of tls.get_ref().1.peer_certificates(), its client_name, write hello, NAME and a newline, then shutdown()"
    )
}
