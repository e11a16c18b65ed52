//! Reading the names in a certificate, for the note after a handshake.
//!
//! A certificate names its owner twice. The *subject* is a distinguished
//! name, a list of attributes such as `CN=localhost` (common name) and
//! `O=...` (organisation); the *subject alternative names* (SANs) are the
//! DNS names and IP addresses the certificate is valid for. Clients check
//! the SANs only; the subject is what tools such as `openssl s_client`
//! show. talk shows both, and the issuer, the CA that signed it.
//!
//! rustls's verifier (webpki) parses the certificate and hands out the
//! subject and issuer as raw DER bytes, which [`distinguished_name`] reads.

use rustls::pki_types::CertificateDer;

/// `subject CN=localhost, issued by CN=netlings course CA, for DNS names
/// localhost`, or a sentence saying the certificate could not be read.
pub fn describe(certificate: &CertificateDer<'_>) -> String {
    let Ok(parsed) = webpki::EndEntityCert::try_from(certificate) else {
        return "(not a certificate webpki can read)".to_string();
    };
    let dns_names: Vec<&str> = parsed.valid_dns_names().collect();
    let names = if dns_names.is_empty() {
        "no DNS names (IP addresses only?)".to_string()
    } else {
        format!("DNS names {}", dns_names.join(", "))
    };
    format!(
        "subject {}, issued by {}, for {names}",
        distinguished_name(parsed.subject()),
        distinguished_name(parsed.issuer()),
    )
}

/// A distinguished name as text, `CN=localhost, O=Example`, from the DER
/// bytes inside its outer SEQUENCE. Attributes other than the common ones
/// are left out; bytes that do not parse give `(unreadable)`.
///
/// In DER every value is a tag byte, a length, then the contents. A name
/// is a SEQUENCE of SETs (tag `0x31`), each holding a SEQUENCE (`0x30`) of
/// an object identifier (`0x06`, which attribute) and a string (its value).
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

    #[test]
    fn describes_subject_issuer_and_dns_names() {
        let ca = TestCa::new("netlings test CA");
        let leaf = ca.issue_client("alice.example");
        let certificate = CertificateDer::from_pem_slice(leaf.cert_pem.as_bytes())
            .expect("the test CA writes valid PEM");
        assert_eq!(
            describe(&certificate),
            "subject CN=alice.example, issued by CN=netlings test CA, for DNS names alice.example"
        );
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
