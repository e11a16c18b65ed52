//! Demos for lesson 5. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson5-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `mitm` | a man in the middle on loopback reads the password of a client that accepts any certificate, and is refused by one that verifies |
//! | `handshake-failures` | every handshake failure of section 6, produced for real, as each side sees it |
//! | `tls-cost` | what TLS costs: full and resumed handshakes per second, bulk throughput against plain TCP |
//!
//! This file holds what the programs share: a certificate authority made in
//! memory for the run (no key is ever written to disk; the tests' own, from
//! `netlings_helpers::tls`), and the verifier that accepts anything, which
//! only `mitm` uses, to show why nobody should.
//! The programs only ever bind loopback addresses.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The certificate authority, made in memory for each run, is the one the
/// lesson's tests use, so it is written once, in the course's test helpers:
/// `TestCa::new(name)` makes a CA with a fresh key, `issue_server(names)`
/// and `issue_expired_server(names)` certificates it signs, and
/// `server_config(&leaf)` and `client_config(&ca)` the two sides of a
/// handshake on rustls's `ring` provider (`provider()`).
pub use netlings_helpers::tls::{TestCa, client_config, provider, server_config};

/// THE MISTAKE this lesson warns about: a verifier that says yes to every
/// certificate. The handshake still encrypts, but to whoever answered.
/// Only the `mitm` demo uses it, to show what it costs.
#[derive(Debug)]
pub struct AcceptAnyCertificate;

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}
