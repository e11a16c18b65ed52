//! Reading the names in a certificate, for the note after a handshake.
//!
//! A certificate names its owner twice. The *subject* is a distinguished
//! name, a list of attributes such as `CN=localhost` (common name) and
//! `O=...` (organisation); the *subject alternative names* (SANs) are the
//! DNS names and IP addresses the certificate is valid for. Clients check
//! the SANs only; the subject is what tools such as `openssl s_client`
//! show. talk shows both, and the issuer, the CA that signed it.
//!
//! A certificate is DER: every value is a tag byte, a length, then its
//! contents, which may be more values. rustls has already checked the
//! certificate when talk reads it, so this file only walks the structure
//! (RFC 5280, section 4.1) to the parts it shows:
//!
//! ```text
//! Certificate SEQUENCE
//!   tbsCertificate SEQUENCE                 "to be signed"
//!     [0] version, serialNumber, signature algorithm,
//!     issuer SEQUENCE, validity, subject SEQUENCE, subjectPublicKeyInfo,
//!     [3] extensions: SEQUENCE of SEQUENCE { OID, critical?, OCTET STRING }
//!         2.5.29.17 subjectAltName: SEQUENCE of [2] dNSName | [7] iPAddress
//!   signatureAlgorithm, signature
//! ```

use rustls::pki_types::CertificateDer;
use std::net::IpAddr;

/// `subject CN=localhost, issued by CN=netlings course CA, for localhost,
/// 127.0.0.1`, or a sentence saying the certificate could not be read.
pub fn describe(certificate: &CertificateDer<'_>) -> String {
    let Some(parts) = Parts::read(certificate) else {
        return "(not a certificate talk can read)".to_string();
    };
    let names = if parts.alternative_names.is_empty() {
        "no DNS name or IP address (no subjectAltName)".to_string()
    } else {
        parts.alternative_names.join(", ")
    };
    format!(
        "subject {}, issued by {}, for {names}",
        distinguished_name(parts.subject),
        distinguished_name(parts.issuer),
    )
}

/// The parts of a certificate talk shows, still in DER where they are names.
struct Parts<'a> {
    issuer: &'a [u8],
    subject: &'a [u8],
    alternative_names: Vec<String>,
}

impl<'a> Parts<'a> {
    fn read(certificate: &'a [u8]) -> Option<Parts<'a>> {
        let (0x30, certificate) = DerItems(certificate).next()? else {
            return None;
        };
        let (0x30, to_be_signed) = DerItems(certificate).next()? else {
            return None;
        };
        let mut fields = DerItems(to_be_signed).peekable();
        // The version is optional, an explicit [0]; version 1 leaves it out.
        fields.next_if(|&(tag, _)| tag == 0xa0);
        let _serial_number = fields.next()?;
        let _signature_algorithm = fields.next()?;
        let (0x30, issuer) = fields.next()? else {
            return None;
        };
        let _validity = fields.next()?;
        let (0x30, subject) = fields.next()? else {
            return None;
        };
        let _public_key = fields.next()?;
        let alternative_names = fields
            .find(|&(tag, _)| tag == 0xa3)
            .map(|(_, extensions)| alternative_names(extensions))
            .unwrap_or_default();
        Some(Parts {
            issuer,
            subject,
            alternative_names,
        })
    }
}

/// The DNS names and IP addresses of the subjectAltName extension, found
/// in the `[3]` extensions field.
fn alternative_names(extensions: &[u8]) -> Vec<String> {
    let Some((0x30, extensions)) = DerItems(extensions).next() else {
        return Vec::new();
    };
    for (_, extension) in DerItems(extensions) {
        let mut parts = DerItems(extension);
        // OID 2.5.29.17, subjectAltName, encoded 0x55 0x1d 0x11.
        if parts.next() != Some((0x06, &[0x55, 0x1d, 0x11][..])) {
            continue;
        }
        // Its value is an OCTET STRING (0x04) after an optional BOOLEAN
        // (critical) and holds a SEQUENCE of GeneralName.
        let Some((_, value)) = parts.find(|&(tag, _)| tag == 0x04) else {
            return Vec::new();
        };
        let Some((0x30, general_names)) = DerItems(value).next() else {
            return Vec::new();
        };
        return DerItems(general_names)
            .filter_map(|(tag, name)| match tag {
                0x82 => Some(String::from_utf8_lossy(name).into_owned()),
                0x87 => ip_address(name).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect();
    }
    Vec::new()
}

fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// A distinguished name as text, `CN=localhost, O=Example`, from the DER
/// bytes inside its outer SEQUENCE. Attributes other than the common ones
/// are left out; bytes that do not parse give `(unreadable)`.
///
/// A name is a SEQUENCE of SETs (tag `0x31`), each holding a SEQUENCE
/// (`0x30`) of an object identifier (`0x06`, which attribute) and a string
/// (its value).
pub fn distinguished_name(der: &[u8]) -> String {
    let mut attributes = Vec::new();
    for (tag, set) in DerItems(der) {
        let Some((0x30, pair)) = DerItems(set).next().filter(|_| tag == 0x31) else {
            return "(unreadable)".to_string();
        };
        let mut pair = DerItems(pair);
        let (Some((0x06, oid)), Some((_, value))) = (pair.next(), pair.next()) else {
            return "(unreadable)".to_string();
        };
        // 2.5.4.x, encoded as 0x55 0x04 x: the X.500 attribute types.
        let label = match oid {
            [0x55, 0x04, 0x03] => "CN",
            [0x55, 0x04, 0x06] => "C",
            [0x55, 0x04, 0x07] => "L",
            [0x55, 0x04, 0x08] => "ST",
            [0x55, 0x04, 0x0a] => "O",
            [0x55, 0x04, 0x0b] => "OU",
            _ => continue,
        };
        attributes.push(format!("{label}={}", String::from_utf8_lossy(value)));
    }
    if attributes.is_empty() {
        "(empty)".to_string()
    } else {
        attributes.join(", ")
    }
}

/// The DER values one after another in a byte slice: (tag, contents).
/// Stops at the end, or at bytes that do not parse.
struct DerItems<'a>(&'a [u8]);

impl<'a> Iterator for DerItems<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let (&tag, rest) = self.0.split_first()?;
        let (&first, rest) = rest.split_first()?;
        // A length below 128 is the byte itself; otherwise the low bits
        // say how many bytes of length follow, big-endian.
        let (length, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count > 4 || rest.len() < count {
                return None;
            }
            let (length_bytes, rest) = rest.split_at(count);
            let length = length_bytes
                .iter()
                .fold(0usize, |length, &byte| (length << 8) | usize::from(byte));
            (length, rest)
        };
        if rest.len() < length {
            self.0 = &[];
            return None;
        }
        let (contents, rest) = rest.split_at(length);
        self.0 = rest;
        Some((tag, contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlings_helpers::tls::TestCa;
    use rustls::pki_types::pem::PemObject;

    fn der(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).expect("the test CA writes valid PEM")
    }

    #[test]
    fn describes_subject_issuer_and_alternative_names() {
        let ca = TestCa::new("netlings test CA");
        let client = ca.issue_client("alice.example");
        assert_eq!(
            describe(&der(&client.cert_pem)),
            "subject CN=alice.example, issued by CN=netlings test CA, for alice.example"
        );
        let server = ca.issue_server(&["localhost", "127.0.0.1", "::1"]);
        assert!(
            describe(&der(&server.cert_pem))
                .ends_with("issued by CN=netlings test CA, for localhost, 127.0.0.1, ::1"),
            "{}",
            describe(&der(&server.cert_pem))
        );
        assert_eq!(
            describe(&ca.cert_der()),
            "subject CN=netlings test CA, issued by CN=netlings test CA, for no DNS name or IP \
             address (no subjectAltName)"
        );
    }

    #[test]
    fn says_so_when_the_certificate_does_not_parse() {
        let certificate = der(&TestCa::new("a CA").issue_client("bob").cert_pem);
        let cut = CertificateDer::from(certificate[..40].to_vec());
        assert_eq!(describe(&cut), "(not a certificate talk can read)");
    }

    #[test]
    fn reads_long_lengths_and_skips_unknown_attributes() {
        let long_value = "x".repeat(200);
        // SET { SEQUENCE { OID 2.5.4.10, UTF8String of 200 bytes } }, and
        // an attribute talk does not name (2.5.4.5, a serial number).
        let mut pair = vec![0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x81, 200];
        pair.extend_from_slice(long_value.as_bytes());
        let mut der = vec![
            0x31,
            0x81,
            (pair.len() + 3) as u8,
            0x30,
            0x81,
            pair.len() as u8,
        ];
        der.extend_from_slice(&pair);
        der.extend_from_slice(&[
            0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x05, 0x13, 0x01, b'7',
        ]);
        assert_eq!(distinguished_name(&der), format!("O={long_value}"));
    }

    #[test]
    fn says_so_when_the_bytes_do_not_parse() {
        assert_eq!(
            distinguished_name(&[0x30, 0x02, 0x01, 0x01]),
            "(unreadable)"
        );
        assert_eq!(distinguished_name(&[]), "(empty)");
    }
}
