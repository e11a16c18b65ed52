//! TLS over the TCP connection, as lesson 5 builds it: rustls on the `ring`
//! provider, trusting only the CA you name with `--ca`.
//!
//! The handshake is where TLS decides everything: the version, the cipher,
//! the application protocol (ALPN), and above all whether the server is who
//! you meant. talk says what it found, and when the handshake fails, which
//! check failed and what to change.

use crate::CONNECT_TIMEOUT;
use crate::certificate;
use crate::notes::{explain, note};
use anyhow::{Context, Result, bail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{AlertDescription, CertificateError, ClientConfig, ProtocolVersion, RootCertStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The TLS part of the command line.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The CA certificate to trust (PEM), and nothing else: the system's
    /// store does not know the course's CA.
    pub ca: PathBuf,
    /// The name to check the server's certificate against (and to send as
    /// SNI); by default the host part of the address.
    pub name: Option<String>,
    /// A client certificate and its key (PEM), for mutual TLS.
    pub client_identity: Option<(PathBuf, PathBuf)>,
    /// Application protocols to offer, in order of preference (ALPN).
    pub alpn: Vec<String>,
}

/// Builds the client's configuration from the files the options name.
/// Called before connecting, so that a wrong path is reported before any
/// packet is sent.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    for certificate in read_certificates(&options.ca)? {
        roots
            .add(certificate)
            .with_context(|| format!("trusting the certificate in {}", options.ca.display()))?;
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .context("choosing the TLS versions")?
            .with_root_certificates(roots);
    let mut config = match &options.client_identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let chain = read_certificates(cert)?;
            let key = PrivateKeyDer::from_pem_file(key)
                .with_context(|| format!("reading a private key from {}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .context("pairing the client certificate with its key")?
        }
    };
    config.alpn_protocols = options
        .alpn
        .iter()
        .map(|protocol| protocol.as_bytes().to_vec())
        .collect();
    Ok(Arc::new(config))
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("reading certificates from {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading certificates from {}", path.display()))?;
    if certificates.is_empty() {
        bail!("{} holds no PEM certificate", path.display());
    }
    Ok(certificates)
}

/// Runs the TLS handshake over `tcp` and says how it went. The server's
/// certificate is checked against `--name`, or else `host` (the host part
/// of the address you typed).
///
/// A DNS name is also sent in the ClientHello as SNI, so that a server with
/// several names can pick the right certificate; an IP address is never
/// sent, and the certificate then needs that IP among its names.
pub async fn handshake(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
    options: &TlsOptions,
) -> Result<TlsStream<TcpStream>> {
    let name = options.name.as_deref().unwrap_or(host);
    let server_name = ServerName::try_from(name.to_string())
        .with_context(|| format!("{name:?} is neither a DNS name nor an IP address"))?;
    let connector = TlsConnector::from(config);
    let session =
        match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(server_name, tcp)).await {
            Ok(Ok(session)) => session,
            Ok(Err(error)) => {
                note(format!("TLS handshake failed: {}", explain(&error)));
                return Err(error).context(format!("TLS handshake with {name}"));
            }
            Err(_elapsed) => {
                note(format!(
                    "TLS handshake failed: no answer to the ClientHello in {CONNECT_TIMEOUT:?}: is \
                 the server speaking TLS?"
                ));
                bail!("TLS handshake with {name}: timed out");
            }
        };
    describe_session(session.get_ref().1, name, options);
    Ok(session)
}

/// The notes after a successful handshake.
fn describe_session(session: &rustls::ClientConnection, name: &str, options: &TlsOptions) {
    let version = match session.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "an unknown version".to_string(),
    };
    let cipher = session.negotiated_cipher_suite().map_or_else(
        || "an unknown cipher".to_string(),
        |suite| format!("{:?}", suite.suite()),
    );
    note(format!(
        "TLS handshake done: {version}, {cipher}; the server's certificate is signed by your CA \
         and names {name}"
    ));
    if let Some(leaf) = session.peer_certificates().and_then(|chain| chain.first()) {
        note(format!(
            "server certificate: {}",
            certificate::describe(leaf)
        ));
    }
    if !options.alpn.is_empty() {
        match session.alpn_protocol() {
            Some(protocol) => note(format!(
                "ALPN: the server chose {}",
                String::from_utf8_lossy(protocol)
            )),
            None => note(format!(
                "ALPN: the server chose none of {} (it ignores ALPN)",
                options.alpn.join(", ")
            )),
        }
    }
    if let Some((cert, _key)) = &options.client_identity {
        note(format!(
            "sent the client certificate in {} (mutual TLS); in TLS 1.3 the server judges it \
             after this side's handshake is done, so a refusal arrives on the first read",
            cert.display()
        ));
    }
}

/// What a TLS error most likely means, and what to change.
pub fn explain_tls_error(error: &rustls::Error) -> String {
    use rustls::Error;
    let cause = match error {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is not signed by the CA you trust (--ca)"
        }
        Error::InvalidCertificate(CertificateError::BadSignature) => {
            "the certificate's signature does not verify against your CA: was it signed by \
             another CA with the same name?"
        }
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the certificate does not hold the name talk checked; give one it holds with --name",
        Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired",
        Error::InvalidCertificate(
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. },
        ) => "the server's certificate is not valid yet (is this machine's clock right?)",
        Error::AlertReceived(AlertDescription::CertificateRequired) => {
            "the server requires a client certificate (mutual TLS): pass --cert and --key"
        }
        Error::AlertReceived(AlertDescription::UnknownCA | AlertDescription::BadCertificate) => {
            "the server refused the certificate it got: it does not trust the CA that signed it"
        }
        Error::AlertReceived(AlertDescription::NoApplicationProtocol)
        | Error::NoApplicationProtocol => "the server speaks none of the ALPN protocols offered",
        Error::InvalidMessage(_) => "what came back is not TLS: is the server speaking plain TCP?",
        _ => "the TLS layer failed",
    };
    format!("{cause} ({error})")
}
