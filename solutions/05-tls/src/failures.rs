//! Exercise 4: read a handshake failure correctly.
//!
//! When a TLS handshake fails, tokio-rustls returns an `io::Error`. Its
//! kind says little (`InvalidData` for almost everything); the real reason
//! is a `rustls::Error` inside it, which `error.get_ref()` and
//! `downcast_ref` reach. Each reason calls for a different fix, and exactly
//! one wrong fix tempts every time: turning verification off. A program
//! that names the reason, in words, saves its user from that temptation.
//!
//! The same failure looks different from the two ends. The side that finds
//! the problem gets the reason (`NoApplicationProtocol`, an invalid
//! certificate); it then sends an *alert* to the other side, which only
//! learns the alert's name (`AlertReceived(NoApplicationProtocol)`,
//! `AlertReceived(BadCertificate)`).

use rustls::{AlertDescription, CertificateError};
use std::fmt;
use std::io;

/// Why a TLS handshake failed, in the terms a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeFailure {
    /// The certificate chain does not lead to any CA this side trusts: a
    /// self-signed certificate, or one from a CA it was never given.
    UnknownIssuer,
    /// The chain names a trusted CA as its issuer, but the signature was not
    /// made with that CA's key: another CA that took the same name (a fresh
    /// `make-certs` run, or an impostor).
    ImpostorIssuer,
    /// The certificate is valid, but not for the name the client asked for.
    WrongName,
    /// The certificate's validity period is over (or the clock is wrong).
    Expired,
    /// The two sides have no application protocol (ALPN) in common.
    NoCommonProtocol,
    /// The peer does not speak TLS at all: plain text sent to a TLS port,
    /// or a TLS client talking to a plain-text server that answered.
    NotTls,
    /// The peer closed the connection in the middle of the handshake,
    /// without a TLS alert: often a plain-text server that got bytes it did
    /// not understand.
    ClosedDuringHandshake,
    /// The peer refused the handshake with an alert (the text is the alert's
    /// name): this side's certificate, or lack of one, did not satisfy it.
    RefusedByPeer(String),
    /// Anything else, with the error's text.
    Other(String),
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            HandshakeFailure::UnknownIssuer => {
                "the certificate is not signed by a CA this side trusts: give the client the CA \
                 that signed it (curl --cacert ca.pem), never turn verification off"
            }
            HandshakeFailure::ImpostorIssuer => {
                "the certificate names a trusted CA as its issuer, but that CA's key did not \
                 sign it: another CA with the same name (did make-certs run again? give the \
                 client the new ca.pem)"
            }
            HandshakeFailure::WrongName => {
                "the certificate is not valid for the name the client asked for: connect with a \
                 name the certificate lists, or issue one for this name (and IP SANs for \
                 addresses)"
            }
            HandshakeFailure::Expired => {
                "the certificate has expired, or this machine's clock is wrong: renew it"
            }
            HandshakeFailure::NoCommonProtocol => {
                "client and server offered no ALPN protocol in common: make their lists overlap"
            }
            HandshakeFailure::NotTls => {
                "the peer does not speak TLS: plain text on a TLS port, or TLS to a plain-text \
                 port (http:// vs https://, or the wrong port)"
            }
            HandshakeFailure::ClosedDuringHandshake => {
                "the peer closed the connection during the handshake: is it a TLS server at all?"
            }
            HandshakeFailure::RefusedByPeer(alert) => {
                return write!(
                    f,
                    "the peer refused the handshake with the alert {alert}: it did not accept \
                     this side's certificate (or its lack of one)"
                );
            }
            HandshakeFailure::Other(text) => return write!(f, "the handshake failed: {text}"),
        };
        f.write_str(text)
    }
}

/// Sorts the `io::Error` of a failed TLS handshake (from
/// `TlsConnector::connect` on the client or `TlsAcceptor::accept` on the
/// server) into a [`HandshakeFailure`].
///
/// Looks inside the error for the `rustls::Error` that tokio-rustls wraps:
///
/// - an invalid certificate (`InvalidCertificate`): `UnknownIssuer`,
///   `BadSignature` (an impostor CA), not valid for the name (with or
///   without context), expired (with or without context);
/// - no common ALPN protocol: `NoApplicationProtocol` on the side that
///   found out, the alert `NoApplicationProtocol` on the other;
/// - bytes that are not TLS records (`InvalidMessage`): not TLS;
/// - any other alert received: refused by the peer, with the alert's name.
///
/// An error without a rustls error inside is `ClosedDuringHandshake` when it
/// is an `UnexpectedEof`, and `Other` otherwise; so is a rustls error none of
/// the above describes.
pub fn classify(error: &io::Error) -> HandshakeFailure {
    // get_ref() is the error tokio-rustls wrapped with io::Error::new(kind,
    // rustls_error); downcast_ref checks that it is a rustls::Error.
    let Some(tls_error) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        // No rustls error: the socket itself failed. An end of file in the
        // middle of the handshake means the peer hung up without a word.
        return match error.kind() {
            io::ErrorKind::UnexpectedEof => HandshakeFailure::ClosedDuringHandshake,
            _ => HandshakeFailure::Other(error.to_string()),
        };
    };
    match tls_error {
        rustls::Error::InvalidCertificate(certificate_error) => match certificate_error {
            CertificateError::UnknownIssuer => HandshakeFailure::UnknownIssuer,
            // The verifier found a trusted CA with the issuer's name, and
            // the signature did not check out with that CA's key.
            CertificateError::BadSignature => HandshakeFailure::ImpostorIssuer,
            // rustls 0.23 reports the "Context" forms, which carry the name
            // or the dates; the bare forms exist too. Match both.
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                HandshakeFailure::WrongName
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                HandshakeFailure::Expired
            }
            other => HandshakeFailure::Other(format!("invalid certificate: {other:?}")),
        },
        rustls::Error::NoApplicationProtocol
        | rustls::Error::AlertReceived(AlertDescription::NoApplicationProtocol) => {
            HandshakeFailure::NoCommonProtocol
        }
        // The first bytes were not a TLS record header: plain text.
        rustls::Error::InvalidMessage(_) => HandshakeFailure::NotTls,
        rustls::Error::AlertReceived(alert) => {
            HandshakeFailure::RefusedByPeer(format!("{alert:?}"))
        }
        other => HandshakeFailure::Other(other.to_string()),
    }
}
