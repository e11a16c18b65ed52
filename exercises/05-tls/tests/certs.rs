//! Exercise 1: a course CA and its certificates (`src/certs.rs`).
//!
//! The certificates are checked the way a TLS client checks them: with
//! rustls's own verifier (webpki), trusting only the CA the test was given,
//! for a given name. The last tests read the files `write_course_certs`
//! wrote and run a real handshake with them over loopback.

use lesson5::certs::{
    CLIENT_NAME, CertificateAuthority, issue_client_cert, issue_server_cert, make_ca,
    write_course_certs,
};
use netlings_helpers::tls::{TempDir, provider, server_name};
use netlings_helpers::{STEP, within, within_async};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn cert_from_pem(pem: &str, what: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap_or_else(|error| panic!("{what} is not a PEM certificate: {error}"))
}

fn roots_of(ca_pem: &str) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    if let Err(error) = roots.add(cert_from_pem(ca_pem, "the CA's certificate")) {
        panic!("the CA's certificate cannot be a trust anchor: {error}");
    }
    Arc::new(roots)
}

/// Checks `leaf_pem` as a TLS client that trusts only `ca_pem` checks a
/// server it reached under `name`.
fn verify_server(ca_pem: &str, leaf_pem: &str, name: &str) -> Result<(), rustls::Error> {
    let verifier = WebPkiServerVerifier::builder_with_provider(roots_of(ca_pem), provider())
        .build()
        .expect("a verifier over one trusted CA");
    verifier
        .verify_server_cert(
            &cert_from_pem(leaf_pem, "the server certificate"),
            &[],
            &server_name(name),
            &[],
            UnixTime::now(),
        )
        .map(|_| ())
}

fn make_test_ca() -> CertificateAuthority {
    make_ca("netlings test CA").expect("make_ca() failed")
}

#[track_caller]
fn expect_trusted(ca_pem: &str, leaf_pem: &str, name: &str) {
    if let Err(error) = verify_server(ca_pem, leaf_pem, name) {
        panic!(
            "a client that trusts only your CA and connects to {name:?} refused your server \
             certificate: {error}. UnknownIssuer: the leaf is not signed by the CA (signed_by, \
             not self_signed), or the CA lacks is_ca; CaUsedAsEndEntity: the leaf says it is a \
             CA; NotValidForName: {name:?} is not among the certificate's SANs"
        );
    }
}

#[netlings_helpers::test]
fn a_server_certificate_signed_by_the_ca_is_trusted_for_its_name() {
    let ca = make_test_ca();
    let server = issue_server_cert(&ca, &["localhost"]).expect("issue_server_cert() failed");
    expect_trusted(&ca.pem(), &server.cert_pem, "localhost");
    // rustls trusts any certificate put in its root store as an anchor;
    // RFC 5280 requires a CA's certificate to say CA:TRUE, and other
    // verifiers check it.
    assert!(
        says_it_is_a_ca(ca.der()),
        "your CA certificate has no basic constraints extension with CA:TRUE. rustls lets it \
         pass as a root, but RFC 5280 requires it, browsers refuse a CA without it and OpenSSL \
         in strict mode too: set params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained)"
    );
}

/// Looks in a DER certificate for the basic constraints extension (OID
/// 2.5.29.19, bytes 55 1D 13) holding `SEQUENCE { BOOLEAN TRUE }`, which is
/// how `CA:TRUE` is encoded.
fn says_it_is_a_ca(der: &[u8]) -> bool {
    const BASIC_CONSTRAINTS: [u8; 3] = [0x55, 0x1D, 0x13];
    const CA_TRUE: [u8; 5] = [0x30, 0x03, 0x01, 0x01, 0xFF];
    der.windows(BASIC_CONSTRAINTS.len())
        .position(|window| window == BASIC_CONSTRAINTS)
        .is_some_and(|at| {
            let after = &der[at + BASIC_CONSTRAINTS.len()..];
            after[..after.len().min(12)]
                .windows(CA_TRUE.len())
                .any(|window| window == CA_TRUE)
        })
}

#[netlings_helpers::test]
fn a_server_certificate_is_valid_for_the_names_asked_for_and_no_other() {
    let ca = make_test_ca();
    let server =
        issue_server_cert(&ca, &["alpha.test", "10.1.2.3"]).expect("issue_server_cert() failed");
    expect_trusted(&ca.pem(), &server.cert_pem, "alpha.test");
    expect_trusted(&ca.pem(), &server.cert_pem, "10.1.2.3");
    for other in ["localhost", "beta.test", "127.0.0.1"] {
        assert!(
            verify_server(&ca.pem(), &server.cert_pem, other).is_err(),
            "a certificate asked for alpha.test and 10.1.2.3 was accepted for {other:?}: \
             issue_server_cert must put exactly the names it is given in the SANs"
        );
    }
}

#[netlings_helpers::test]
fn the_course_server_certificate_covers_localhost_and_both_loopback_addresses() {
    let dir = TempDir::new("certs");
    write_course_certs(dir.path()).expect("write_course_certs() failed");
    let ca_pem = read(dir.path(), "ca.pem");
    let server_pem = read(dir.path(), "server.pem");
    for name in ["localhost", "127.0.0.1", "::1"] {
        if let Err(error) = verify_server(&ca_pem, &server_pem, name) {
            panic!(
                "a client that connects to {name:?} refused server.pem: {error}. A client that \
                 connects to an IP address (curl https://127.0.0.1:PORT, or \
                 ServerName::from(\"::1\")) looks for an IP SAN: the certificate needs \
                 localhost, 127.0.0.1 and ::1"
            );
        }
    }
}

#[netlings_helpers::test]
fn private_keys_are_readable_by_their_owner_only() {
    let dir = TempDir::new("certs");
    // An old key file from an earlier run, readable by everyone: writing
    // over it must not keep its loose mode.
    let old_key = dir.write("client.key", "an old key");
    std::fs::set_permissions(&old_key, std::fs::Permissions::from_mode(0o644))
        .expect("loosening the old key's mode");
    write_course_certs(dir.path()).expect("write_course_certs() failed");
    for (file, existed) in [("server.key", false), ("client.key", true)] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap_or_else(|error| panic!("{file} was not written: {error}"))
            .permissions()
            .mode()
            & 0o777;
        let how = if existed {
            "It replaced an older file with mode 0644: a mode given when opening applies only \
             to a new file, so set the permissions of an existing one too."
        } else {
            "fs::write creates files with mode 0644 (after the umask): open the file with \
             OpenOptionsExt::mode(0o600)."
        };
        assert_eq!(
            mode & 0o077,
            0,
            "{file} has mode {mode:o}: other users can read the private key. {how}"
        );
    }
}

#[netlings_helpers::test]
fn the_course_files_make_a_working_tls_server() {
    let dir = TempDir::new("certs");
    write_course_certs(dir.path()).expect("write_course_certs() failed");
    let ca_pem = read(dir.path(), "ca.pem");
    let chain = vec![cert_from_pem(&read(dir.path(), "server.pem"), "server.pem")];
    let key = PrivateKeyDer::from_pem_slice(read(dir.path(), "server.key").as_bytes())
        .expect("server.key holds no PEM private key");
    let server_config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap_or_else(|error| {
            panic!(
                "server.pem and server.key do not go together: {error}. server.key must hold \
                 the key of the server certificate (not the CA's)"
            )
        });
    let client_config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
        .with_root_certificates(roots_of(&ca_pem))
        .with_no_client_auth();
    let reply = within_async(
        STEP,
        "a TLS handshake and one round trip with server.pem and server.key",
        || async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("binding the test's server");
            let address = listener.local_addr().expect("the test server's address");
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await?;
                let mut tls = acceptor.accept(tcp).await?;
                tls.write_all(b"hello over TLS").await?;
                tls.shutdown().await
            });
            let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config));
            let tcp = tokio::net::TcpStream::connect(address)
                .await
                .expect("connecting to the test's server");
            let mut tls = connector
                .connect(server_name("localhost"), tcp)
                .await
                .unwrap_or_else(|error| {
                    panic!("the handshake with server.pem/server.key failed: {error}")
                });
            let mut reply = Vec::new();
            tls.read_to_end(&mut reply)
                .await
                .expect("reading the test server's greeting");
            server
                .await
                .expect("the test server's task")
                .expect("the test server's side of the handshake");
            reply
        },
    );
    assert_eq!(reply, b"hello over TLS");
}

#[netlings_helpers::test]
fn the_client_certificate_is_trusted_for_client_authentication() {
    let ca = make_test_ca();
    let client = issue_client_cert(&ca, CLIENT_NAME).expect("issue_client_cert() failed");
    let verifier = WebPkiClientVerifier::builder_with_provider(roots_of(&ca.pem()), provider())
        .build()
        .expect("a client verifier over one trusted CA");
    if let Err(error) = verifier.verify_client_cert(
        &cert_from_pem(&client.cert_pem, "the client certificate"),
        &[],
        UnixTime::now(),
    ) {
        panic!(
            "a server that asks for client certificates from your CA refused yours: {error}. \
             It must be signed by the CA and marked for client authentication \
             (ExtendedKeyUsagePurpose::ClientAuth)"
        );
    }
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|error| panic!("write_course_certs() did not write {file}: {error}"))
}

#[netlings_helpers::test]
fn the_make_certs_program_writes_the_five_files() {
    let dir = TempDir::new("make-certs");
    // A directory that does not exist yet: the program creates it.
    let out = dir.path().join("certs");
    let out_arg = out.clone();
    let output = within(STEP, "make-certs --out DIR to finish", move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_make-certs"))
            .arg("--out")
            .arg(&out_arg)
            .output()
    })
    .expect("running make-certs");
    assert!(
        output.status.success(),
        "make-certs --out DIR failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in [
        "ca.pem",
        "server.pem",
        "server.key",
        "client.pem",
        "client.key",
    ] {
        assert!(
            out.join(file).is_file(),
            "make-certs --out DIR did not write {file}"
        );
    }
}
