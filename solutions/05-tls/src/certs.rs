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

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
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
    // A CA certificate names no host, so it has no SANs, only a subject.
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    // Without `is_ca`, a verifier treats the certificates it signs as signed
    // by an ordinary leaf, and refuses them.
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // KeyPair::generate() makes an ECDSA P-256 key, which every TLS library
    // supports and which is fast to generate.
    let key = KeyPair::generate()?;
    CertifiedIssuer::self_signed(params, key)
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
    // CertificateParams::new parses each text: an IP address becomes an IP
    // SAN, anything else a DNS SAN. A name written as a DNS SAN "127.0.0.1"
    // would never match a client connecting to that address.
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let mut params = CertificateParams::new(names.clone())?;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Clients ignore the subject's common name (only SANs count), but
    // people read it in `openssl s_client`: make it the first name instead
    // of rcgen's placeholder.
    if let Some(first) = names.first() {
        params
            .distinguished_name
            .push(DnType::CommonName, first.to_string());
    }
    sign_with_new_key(ca, params)
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
    let mut params = CertificateParams::new(vec![client_name.to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, client_name);
    // A server that asks for client certificates checks this usage: a
    // certificate marked for server authentication only is refused.
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    sign_with_new_key(ca, params)
}

/// Every certificate gets a key of its own: sharing the CA's key would let
/// anyone who holds the server's key sign certificates.
fn sign_with_new_key(
    ca: &CertificateAuthority,
    params: CertificateParams,
) -> Result<IssuedCert, rcgen::Error> {
    let key = KeyPair::generate()?;
    // signed_by puts the CA's name in the issuer field and signs with the
    // CA's key: that signature is what the client checks.
    let cert = params.signed_by(&key, ca)?;
    Ok(IssuedCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
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
    let ca = make_ca("netlings course CA").map_err(io::Error::other)?;
    let server = issue_server_cert(&ca, &SERVER_NAMES).map_err(io::Error::other)?;
    let client = issue_client_cert(&ca, CLIENT_NAME).map_err(io::Error::other)?;
    write_public(&dir.join("ca.pem"), &ca.pem())?;
    write_public(&dir.join("server.pem"), &server.cert_pem)?;
    write_private(&dir.join("server.key"), &server.key_pem)?;
    write_public(&dir.join("client.pem"), &client.cert_pem)?;
    write_private(&dir.join("client.key"), &client.key_pem)?;
    Ok(())
}

fn write_public(path: &Path, contents: &str) -> io::Result<()> {
    fs::write(path, contents).map_err(|error| in_file(path, error))
}

/// Writes a private key so that no other user can ever read it.
fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    // mode(0o600) applies when the file is created, so the key is never
    // readable by others, not even for an instant.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| in_file(path, error))?;
    // A file that already existed keeps its old mode: tighten it before the
    // key goes in.
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|error| in_file(path, error))?;
    file.write_all(contents.as_bytes())
        .map_err(|error| in_file(path, error))
}

fn in_file(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}
