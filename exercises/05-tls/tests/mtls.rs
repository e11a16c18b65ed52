//! Exercise 6: mutual TLS (`src/mtls.rs`).
//!
//! The server's certificate and the client certificates come from CAs the
//! test makes in memory; the CA the server trusts for clients is written to
//! a file, as `--client-ca` gives it. Each client is a rustls client that
//! trusts the server's CA and presents a certificate (or none) chosen by the
//! test.

use lesson5::mtls::{client_name, greet_client, mtls_server_config};
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net;
use netlings_helpers::tls::{Leaf, TempDir, TestCa, provider, server_name};
use netlings_helpers::{STEP, printable, within_async};
use rustls::ClientConfig;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

struct Server {
    address: SocketAddr,
    server_ca: TestCa,
    client_ca: TestCa,
    _files: TempDir,
}

/// Starts a server that requires client certificates from its client CA,
/// and greets each client with `greet_client`; a client whose handshake
/// fails is skipped, as an accept loop must.
fn start_server() -> Server {
    let server_ca = TestCa::new("netlings test CA");
    let client_ca = TestCa::new("netlings client CA");
    let leaf = server_ca.issue_server(&["localhost"]);
    let files = TempDir::new("mtls");
    let cert = files.write("server.pem", &leaf.cert_pem);
    let key = files.write("server.key", &leaf.key_pem);
    let client_ca_path = files.write("client-ca.pem", &client_ca.cert_pem());
    let config = mtls_server_config(&cert, &key, &client_ca_path)
        .unwrap_or_else(|error| panic!("mtls_server_config() failed on valid files: {error}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let (listener, address) = net::loopback_listener();
    serve_in_background(
        "the test's mutual-TLS server",
        listener,
        move |listener| async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let _ = greet_client(tls).await;
                    }
                });
            }
        },
    );
    Server {
        address,
        server_ca,
        client_ca,
        _files: files,
    }
}

fn client_config(server: &Server, certificate: Option<&Leaf>) -> ClientConfig {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
        .with_root_certificates(server.server_ca.roots());
    match certificate {
        Some(leaf) => builder
            .with_client_auth_cert(leaf.chain(), leaf.key())
            .expect("a client certificate and its key"),
        None => builder.with_no_client_auth(),
    }
}

/// Connects, and reads what the server says until it ends the session.
fn greeting(server: &Server, config: ClientConfig, waiting_for: &str) -> io::Result<Vec<u8>> {
    let address = server.address;
    within_async(STEP, waiting_for, move || async move {
        let tcp = tokio::net::TcpStream::connect(address).await?;
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(server_name("localhost"), tcp)
            .await?;
        let mut greeting = Vec::new();
        tls.read_to_end(&mut greeting).await?;
        Ok(greeting)
    })
}

#[netlings_helpers::test]
fn client_name_reads_the_dns_name_of_a_client_certificate() {
    let ca = TestCa::new("netlings client CA");
    let alice = ca.issue_client("alice");
    assert_eq!(
        client_name(&alice.chain()[0]),
        Some("alice".to_string()),
        "the client certificate's subject alternative name is the DNS name \"alice\""
    );
}

#[netlings_helpers::test]
fn greets_a_client_by_the_name_in_its_certificate() {
    let server = start_server();
    let alice = server.client_ca.issue_client("alice");
    let config = client_config(&server, Some(&alice));
    match greeting(
        &server,
        config,
        "the greeting for a client with a certificate",
    ) {
        Ok(greeting) => assert_eq!(
            greeting,
            b"hello, alice\n",
            "the client presented a certificate for alice and got {}",
            printable(&greeting)
        ),
        Err(error) => panic!(
            "a client with a certificate from the client CA failed: {error}. Does the server \
             trust the CA in client_ca_path for clients (with_client_cert_verifier)?"
        ),
    }
}

#[netlings_helpers::test]
fn refuses_a_client_without_a_certificate() {
    let server = start_server();
    let config = client_config(&server, None);
    match greeting(
        &server,
        config,
        "the server to refuse a client with no certificate",
    ) {
        Ok(greeting) => panic!(
            "a client with no certificate was let in and got {}: mutual TLS requires one \
             (WebPkiClientVerifier without allow_unauthenticated, not with_no_client_auth)",
            printable(&greeting)
        ),
        Err(error) => {
            // The refusal must come from the handshake, as a TLS alert:
            // a server that lets the client in and then hangs up has made
            // the certificate optional.
            let inner = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            assert!(
                matches!(inner, Some(rustls::Error::AlertReceived(_))),
                "a client with no certificate must be refused by the handshake, with an alert \
                 (certificate_required); it got {error:?}: the handshake let it in. Do not \
                 allow_unauthenticated()"
            );
        }
    }
}

#[netlings_helpers::test]
fn refuses_a_client_certificate_from_another_ca() {
    let server = start_server();
    // Same name as the real client CA, another key.
    let impostor = TestCa::new("netlings client CA");
    let mallory = impostor.issue_client("alice");
    let config = client_config(&server, Some(&mallory));
    if let Ok(greeting) = greeting(
        &server,
        config,
        "the server to refuse a client certificate from another CA",
    ) {
        panic!(
            "a client certificate for \"alice\" from another CA with the client CA's name was \
             let in and got {}: verify the client's chain against the CA in client_ca_path, and \
             nothing else",
            printable(&greeting)
        );
    }
}

#[netlings_helpers::test]
fn mtls_server_config_names_a_missing_client_ca_file() {
    let ca = TestCa::new("netlings test CA");
    let leaf = ca.issue_server(&["localhost"]);
    let files = TempDir::new("mtls");
    let cert = files.write("server.pem", &leaf.cert_pem);
    let key = files.write("server.key", &leaf.key_pem);
    let missing = files.path().join("no-such-ca.pem");
    match mtls_server_config(&cert, &key, &missing) {
        Ok(_) => panic!("mtls_server_config() accepted a client CA file that does not exist"),
        Err(error) => assert!(
            error.to_string().contains("no-such-ca.pem"),
            "the error for a missing client CA file was {error:?}: it must name the file"
        ),
    }
}
