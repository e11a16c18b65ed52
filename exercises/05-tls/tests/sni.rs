//! Exercise 7: SNI, one listener for several names (`src/sni.rs`).
//!
//! Two sites, `alpha.test` and `beta.test`, each with a certificate valid
//! for its own name only, from a CA the test makes. The test's clients
//! trust that CA and ask for a name (or none); the certificate each one
//! receives tells which site the server chose.

use lesson5::sni::{Site, sni_server_config};
use netlings_helpers::tls::{TempDir, TestCa, client_config, server_name};
use netlings_helpers::{STEP, within_async};
use rustls::ServerConfig;
use rustls::pki_types::CertificateDer;
use std::io;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

struct Sites {
    ca: TestCa,
    alpha: CertificateDer<'static>,
    beta: CertificateDer<'static>,
    config: Arc<ServerConfig>,
    _files: TempDir,
}

fn two_sites() -> Sites {
    let ca = TestCa::new("netlings test CA");
    let alpha = ca.issue_server(&["alpha.test"]);
    let beta = ca.issue_server(&["beta.test"]);
    let files = TempDir::new("sni");
    let alpha_cert = files.write("alpha.pem", &alpha.cert_pem);
    let alpha_key = files.write("alpha.key", &alpha.key_pem);
    let beta_cert = files.write("beta.pem", &beta.cert_pem);
    let beta_key = files.write("beta.key", &beta.key_pem);
    let config = sni_server_config(&[
        Site {
            name: "alpha.test",
            cert_path: &alpha_cert,
            key_path: &alpha_key,
        },
        Site {
            name: "beta.test",
            cert_path: &beta_cert,
            key_path: &beta_key,
        },
    ])
    .unwrap_or_else(|error| panic!("sni_server_config() failed on two valid sites: {error}"));
    Sites {
        ca,
        alpha: alpha.chain().remove(0),
        beta: beta.chain().remove(0),
        config,
        _files: files,
    }
}

/// One handshake, asking for `name` (a DNS name is sent as SNI; an IP
/// address is not). Returns the certificate the server presented, or the
/// client's error, with the server's error.
fn handshake(
    sites: &Sites,
    name: &'static str,
) -> (io::Result<CertificateDer<'static>>, io::Result<()>) {
    let client = Arc::new(client_config(&sites.ca));
    let acceptor = tokio_rustls::TlsAcceptor::from(sites.config.clone());
    within_async(
        STEP,
        "a TLS handshake with the SNI server",
        move || async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
            let address = listener.local_addr().expect("the listener's address");
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await?;
                acceptor.accept(tcp).await.map(drop)
            });
            let tcp = TcpStream::connect(address).await.expect("connecting");
            let client_outcome = tokio_rustls::TlsConnector::from(client)
                .connect(server_name(name), tcp)
                .await
                .map(|tls| {
                    tls.get_ref()
                        .1
                        .peer_certificates()
                        .expect("a server presents a certificate")[0]
                        .clone()
                });
            (client_outcome, server.await.expect("the server's task"))
        },
    )
}

/// Fails unless the *server* refused the handshake (the client received an
/// alert), rather than presenting some other site's certificate.
#[track_caller]
fn expect_server_refused(outcome: io::Result<CertificateDer<'static>>, sites: &Sites, asked: &str) {
    match outcome {
        Ok(cert) => {
            let which = if cert == sites.alpha {
                "alpha.test's"
            } else {
                "beta.test's"
            };
            panic!(
                "a client that asked for {asked} got {which} certificate. The server must \
                 refuse: it has no certificate for {asked}"
            )
        }
        Err(error) => {
            let inner = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            if let Some(rustls::Error::InvalidCertificate(reason)) = inner {
                panic!(
                    "a client that asked for {asked} was shown another site's certificate and \
                     refused it itself ({reason:?}). The server must not fall back to a \
                     default certificate: refuse the handshake (the resolver returns None)"
                );
            }
        }
    }
}

#[netlings_helpers::test]
fn each_name_gets_its_own_certificate() {
    let sites = two_sites();
    for (name, expected) in [("alpha.test", &sites.alpha), ("beta.test", &sites.beta)] {
        match handshake(&sites, name).0 {
            Ok(cert) => assert!(
                &cert == expected,
                "the client asked for {name} and got the other site's certificate"
            ),
            Err(error) => panic!(
                "a client that asked for {name} failed its handshake: {error}. Does the server \
                 choose the certificate by the SNI name (ResolvesServerCertUsingSni)?"
            ),
        }
    }
}

#[netlings_helpers::test]
fn an_unknown_name_is_refused() {
    let sites = two_sites();
    let (client, server) = handshake(&sites, "gamma.test");
    expect_server_refused(client, &sites, "gamma.test");
    assert!(
        server.is_err(),
        "the server's handshake with gamma.test must fail"
    );
}

#[netlings_helpers::test]
fn a_client_that_sends_no_name_is_refused() {
    let sites = two_sites();
    // Connecting by IP address: rustls sends no SNI.
    let (client, server) = handshake(&sites, "127.0.0.1");
    expect_server_refused(
        client,
        &sites,
        "no name at all (it connected by IP address)",
    );
    assert!(
        server.is_err(),
        "the server's handshake without SNI must fail"
    );
}

#[netlings_helpers::test]
fn a_site_whose_certificate_does_not_cover_its_name_is_an_error() {
    let ca = TestCa::new("netlings test CA");
    let alpha = ca.issue_server(&["alpha.test"]);
    let files = TempDir::new("sni");
    let cert = files.write("alpha.pem", &alpha.cert_pem);
    let key = files.write("alpha.key", &alpha.key_pem);
    let outcome = sni_server_config(&[Site {
        name: "beta.test",
        cert_path: &cert,
        key_path: &key,
    }]);
    match outcome {
        Ok(_) => panic!(
            "sni_server_config() accepted alpha.pem (valid for alpha.test only) as the \
             certificate of beta.test: every client of beta.test would be refused. Check the \
             certificate against the name when you add it (ResolvesServerCertUsingSni::add does)"
        ),
        Err(error) => assert!(
            error.to_string().contains("alpha.pem"),
            "the error was {error:?}: it must name the certificate file"
        ),
    }
}
