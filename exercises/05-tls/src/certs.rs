//! Exercise 1: a course certificate authority, and certificates it signs.
//!
//! A TLS client believes a server is `localhost` because a certificate
//! authority (CA) it trusts has signed a certificate that says so. Public
//! CAs do this for real domain names; for a server on your own machine you
//! make your own CA, trust it in your own clients, and nowhere else. That
//! is what `mkcert` does for developers, and what this exercise does with
//! `rcgen`.
//!
//! A certificate is a public key plus statements about it (the names it is
//! valid for, whether it may sign other certificates, what it may be used
//! for), signed by the issuer's private key. The client checks the
//! signature chain up to a CA it trusts, then checks the name it connected
//! to against the certificate's *subject alternative names* (SANs). An IP
//! address is a SAN of its own kind: a client that connects to `127.0.0.1`
//! looks for an IP SAN `127.0.0.1`, never for a DNS name.

use rcgen::{CertifiedIssuer, KeyPair};
use std::io;
use std::path::Path;

/// The names the course's server certificate is valid for: the name
/// `localhost` and both loopback addresses, so that a client may connect by
/// name, by `127.0.0.1` or by `::1`.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The name in the course's client certificate, for mutual TLS.
pub const CLIENT_NAME: &str = "learner";

/// A certificate authority: its self-signed certificate, and the private key
/// that signs the certificates it issues.
pub type CertificateAuthority = CertifiedIssuer<'static, KeyPair>;

/// A certificate and its private key, both PEM-encoded, as files hold them.
#[derive(Debug, Clone)]
pub struct IssuedCert {
    /// `-----BEGIN CERTIFICATE-----`...: public, hand it to anyone.
    pub cert_pem: String,
    /// `-----BEGIN PRIVATE KEY-----`...: secret, only its owner reads it.
    pub key_pem: String,
}

/// Makes a new certificate authority named `common_name`, with a fresh key
/// pair, its certificate signed by its own key.
///
/// The certificate says that it belongs to a CA (basic constraints `CA:TRUE`)
/// and may sign certificates (key usage `keyCertSign`): a client refuses a
/// chain whose issuer does not say both.
///
/// # Errors
///
/// An error from `rcgen` if the key cannot be generated or the certificate
/// cannot be signed.
pub fn make_ca(common_name: &str) -> Result<CertificateAuthority, rcgen::Error> {
    todo!(
        "make CertificateParams with a common name, is_ca and the keyCertSign usage, a KeyPair, and CertifiedIssuer::self_signed"
    )
}

/// Issues a server certificate for `names` (DNS names such as `localhost`,
/// or IP addresses such as `127.0.0.1` and `::1`), signed by `ca`, with a
/// new key pair.
///
/// Each name becomes a SAN of the right kind: a text that parses as an IP
/// address becomes an IP SAN, anything else a DNS SAN. The certificate is
/// not a CA, and says it is for server authentication.
///
/// # Errors
///
/// An error from `rcgen`, for example for a name that is not a valid DNS
/// name.
pub fn issue_server_cert(
    ca: &CertificateAuthority,
    names: &[&str],
) -> Result<IssuedCert, rcgen::Error> {
    todo!(
        "make CertificateParams::new(names) for server authentication and sign it with a new KeyPair by the CA (params.signed_by)"
    )
}

/// Issues a client certificate for mutual TLS, naming the client
/// `client_name` (as its common name and as a DNS SAN), signed by `ca`, with
/// a new key pair. It says it is for client authentication.
///
/// # Errors
///
/// An error from `rcgen`, for example for a name that is not a valid DNS
/// name.
pub fn issue_client_cert(
    ca: &CertificateAuthority,
    client_name: &str,
) -> Result<IssuedCert, rcgen::Error> {
    todo!(
        "make CertificateParams for client_name, for client authentication, and sign it with a new KeyPair by the CA"
    )
}

/// Makes the course's certificates in `dir` (which must exist): a new CA,
/// a server certificate for [`SERVER_NAMES`] and a client certificate for
/// [`CLIENT_NAME`], written as `ca.pem`, `server.pem`, `server.key`,
/// `client.pem` and `client.key`. Existing files are replaced.
///
/// The two `.key` files are readable and writable by their owner only
/// (mode `0600`), also when they replace an older file with a looser mode.
/// The CA's own key is not written: nobody can sign more certificates with
/// this CA afterwards, which is what you want from a throwaway CA.
///
/// # Errors
///
/// The first error making a certificate or writing a file, with the file's
/// path in the message.
pub fn write_course_certs(dir: &Path) -> io::Result<()> {
    todo!(
        "make the CA, the server and the client certificates, and write the five files, the keys with mode 0600"
    )
}
