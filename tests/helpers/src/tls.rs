//! A certificate authority for lesson 5's tests, made fresh in memory for
//! every test, so that no private key is ever committed and no two tests
//! share one.
//!
//! The tests need certificates that a learner's code did not make (a test of
//! the echo server must not depend on the learner's certificate exercise),
//! and they need *wrong* ones on purpose: signed by another CA, for another
//! name, expired. [`TestCa`] makes all of them; [`TempDir`] holds PEM files
//! for code that reads files; [`server_config`] and [`client_config`] build
//! the test's own side of a handshake on the same `ring` provider the course
//! uses.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::sync::Arc;

/// Temporary directories for PEM files; they live in [`crate::temp_dir`],
/// which lessons without TLS use too.
pub use crate::temp_dir::TempDir;

/// The crypto provider of the course: rustls on `ring`.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate authority that exists only in this test's memory.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate signed by a [`TestCa`], with its private key.
pub struct Leaf {
    /// The certificate, PEM-encoded, as a `.pem` file holds it.
    pub cert_pem: String,
    /// The private key, PEM-encoded (PKCS#8), as a `.key` file holds it.
    pub key_pem: String,
    cert: CertificateDer<'static>,
    key: Vec<u8>,
}

impl TestCa {
    /// A new CA whose certificate's subject is `common_name`. Two CAs made
    /// with the same name have different keys: a client that trusts one
    /// must refuse certificates the other signed.
    pub fn new(common_name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new())
            .expect("no names to parse in a CA's parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("generating the test CA's key");
        let issuer =
            CertifiedIssuer::self_signed(params, key).expect("signing the test CA's certificate");
        TestCa { issuer }
    }

    /// The CA's certificate, PEM-encoded, as a `ca.pem` file holds it.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA's certificate, DER-encoded.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A root store that trusts this CA and nothing else.
    pub fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.cert_der())
            .expect("a test CA's certificate is a valid trust anchor");
        roots
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid
    /// from 1975 to 4096.
    pub fn issue_server(&self, names: &[&str]) -> Leaf {
        self.issue(names, ExtendedKeyUsagePurpose::ServerAuth, None)
    }

    /// A client certificate for mutual TLS, naming the client `name`.
    pub fn issue_client(&self, name: &str) -> Leaf {
        self.issue(&[name], ExtendedKeyUsagePurpose::ClientAuth, Some(name))
    }

    /// A server certificate for `names` that expired in 2020.
    pub fn issue_expired_server(&self, names: &[&str]) -> Leaf {
        let mut leaf_params = self.params(names, ExtendedKeyUsagePurpose::ServerAuth, None);
        leaf_params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        leaf_params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        self.sign(leaf_params)
    }

    fn issue(&self, names: &[&str], usage: ExtendedKeyUsagePurpose, cn: Option<&str>) -> Leaf {
        self.sign(self.params(names, usage, cn))
    }

    fn params(
        &self,
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
        common_name: Option<&str>,
    ) -> CertificateParams {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("valid names for a test certificate");
        if let Some(common_name) = common_name {
            params
                .distinguished_name
                .push(DnType::CommonName, common_name);
        }
        params.extended_key_usages = vec![usage];
        params
    }

    fn sign(&self, params: CertificateParams) -> Leaf {
        let key = KeyPair::generate().expect("generating a test certificate's key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signing a test certificate");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert: cert.der().clone(),
            key: key.serialize_der(),
        }
    }
}

impl Leaf {
    /// The certificate chain a server or client presents: the leaf alone
    /// (the peer holds the CA).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.cert.clone()]
    }

    /// The private key, DER-encoded.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }
}

/// The test's own TLS server configuration: presents `leaf`, asks for no
/// client certificate. Not in an `Arc`, so that a test can set its ALPN
/// protocols first.
pub fn server_config(leaf: &Leaf) -> ServerConfig {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(leaf.chain(), leaf.key())
        .expect("a test certificate and its own key")
}

/// The test's own TLS client configuration: trusts `ca` and nothing else,
/// presents no client certificate.
pub fn client_config(ca: &TestCa) -> ClientConfig {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(ca.roots())
        .with_no_client_auth()
}

/// `name` as the server name a TLS client checks the certificate against:
/// a DNS name (sent as SNI) or an IP address (not sent).
pub fn server_name(name: &str) -> ServerName<'static> {
    ServerName::try_from(name.to_string()).expect("a valid DNS name or IP address")
}
