//! Exercise 3: a client that trusts only what it should (`src/client.rs`).
//!
//! Each test starts a TLS server of its own, with a certificate the test
//! chose: from the CA in the `ca.pem` your client is given, from another CA
//! with the same name, for another name. The server reports how the
//! client's request ended: with close_notify, or with a bare TCP FIN.

use lesson5::client::{client_config, exchange};
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net;
use netlings_helpers::tls::{Leaf, TempDir, TestCa, server_config};
use netlings_helpers::{STEP, printable, within_async};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, mpsc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the test's server saw of one client.
#[derive(Debug)]
enum Seen {
    /// The handshake failed on the server's side.
    HandshakeFailed(String),
    /// The client's request, and whether it ended with close_notify.
    Request { bytes: Vec<u8>, close_notify: bool },
}

struct TestServer {
    address: SocketAddr,
    seen: mpsc::Receiver<Seen>,
}

/// A TLS server with `leaf`: for each client, reads the request until the
/// client ends it, then writes `reply` in 4 KiB pieces and ends with
/// close_notify.
fn start_server(leaf: Leaf, reply: Vec<u8>) -> TestServer {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(&leaf)));
    let (listener, address) = net::loopback_listener();
    let (report, seen) = mpsc::channel();
    serve_in_background(
        "the test's TLS server",
        listener,
        move |listener| async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let mut tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(error) => {
                        let _ = report.send(Seen::HandshakeFailed(error.to_string()));
                        continue;
                    }
                };
                let mut request = Vec::new();
                let close_notify = match tls.read_to_end(&mut request).await {
                    Ok(_) => true,
                    Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => false,
                    Err(_) => continue,
                };
                let _ = report.send(Seen::Request {
                    bytes: request,
                    close_notify,
                });
                for piece in reply.chunks(4096) {
                    if tls.write_all(piece).await.is_err() || tls.flush().await.is_err() {
                        break;
                    }
                }
                let _ = tls.shutdown().await;
            }
        },
    );
    TestServer { address, seen }
}

/// Writes `ca` as the only CA the client trusts, then runs `exchange`.
fn run_exchange(
    ca: &TestCa,
    server: &TestServer,
    server_name: &str,
    request: Vec<u8>,
    waiting_for: &str,
) -> io::Result<Vec<u8>> {
    let files = TempDir::new("client");
    let ca_path = files.write("ca.pem", &ca.cert_pem());
    let address = server.address;
    let server_name = server_name.to_string();
    within_async(STEP, waiting_for, move || async move {
        let config = client_config(&ca_path)
            .unwrap_or_else(|error| panic!("client_config() failed on a valid ca.pem: {error}"));
        drop(files);
        exchange(config, address, &server_name, &request).await
    })
}

fn what_the_server_saw(server: &TestServer) -> Seen {
    server.seen.recv_timeout(STEP).unwrap_or_else(|_| {
        panic!("waited {STEP:?} for the test's server to see a client: did exchange() connect?")
    })
}

#[track_caller]
fn expect_refused(outcome: io::Result<Vec<u8>>, server: &TestServer, because: &str) {
    match outcome {
        Ok(reply) => panic!(
            "exchange() talked to a server it must not trust ({because}) and got {}. Trust only \
             the CA in ca.pem: RootCertStore::empty(), add it, with_root_certificates(roots). \
             A verifier that accepts anything makes TLS worthless",
            printable(&reply)
        ),
        Err(error) => {
            assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidData,
                "a refused certificate comes out of the handshake as InvalidData, and the error \
                 was {error:?}"
            );
            if let Ok(Seen::Request { bytes, .. }) = server.seen.try_recv() {
                panic!(
                    "the untrusted server received the request {}",
                    printable(&bytes)
                );
            }
        }
    }
}

#[netlings_helpers::test]
fn exchanges_a_request_with_a_server_the_ca_vouches_for() {
    let ca = TestCa::new("netlings test CA");
    let server = start_server(ca.issue_server(&["localhost"]), b"pong\n".to_vec());
    let reply = run_exchange(
        &ca,
        &server,
        "localhost",
        b"ping\n".to_vec(),
        "exchange() with a server whose certificate the CA signed",
    );
    match reply {
        Ok(reply) => assert_eq!(reply, b"pong\n", "the server replied \"pong\\n\""),
        Err(error) => panic!(
            "exchange() failed with a server whose certificate your CA signed, for \
             \"localhost\": {error}"
        ),
    }
}

#[netlings_helpers::test]
fn refuses_a_server_whose_certificate_another_ca_signed() {
    let trusted = TestCa::new("netlings test CA");
    // Same name, different key: an impostor CA.
    let impostor = TestCa::new("netlings test CA");
    let server = start_server(impostor.issue_server(&["localhost"]), b"gotcha".to_vec());
    let outcome = run_exchange(
        &trusted,
        &server,
        "localhost",
        b"my password\n".to_vec(),
        "exchange() to refuse a certificate another CA signed",
    );
    expect_refused(
        outcome,
        &server,
        "its certificate is signed by another CA with the same name",
    );
}

#[netlings_helpers::test]
fn refuses_a_certificate_for_another_name() {
    let ca = TestCa::new("netlings test CA");
    let server = start_server(ca.issue_server(&["other.test"]), b"gotcha".to_vec());
    let outcome = run_exchange(
        &ca,
        &server,
        "localhost",
        b"my password\n".to_vec(),
        "exchange() to refuse a certificate for other.test when it asked for localhost",
    );
    expect_refused(
        outcome,
        &server,
        "it asked for localhost and the certificate is for other.test",
    );
}

#[netlings_helpers::test]
fn checks_the_name_it_was_given_not_the_address() {
    let ca = TestCa::new("netlings test CA");
    // Valid for the name only: no IP SANs.
    let server = start_server(ca.issue_server(&["localhost"]), b"pong\n".to_vec());
    let outcome = run_exchange(
        &ca,
        &server,
        "localhost",
        b"ping\n".to_vec(),
        "exchange() with a server at 127.0.0.1 whose certificate names localhost",
    );
    if let Err(error) = outcome {
        panic!(
            "exchange() was given the name \"localhost\" and an address 127.0.0.1:PORT, and the \
             certificate is for localhost only; it failed: {error}. Build the ServerName from \
             server_name, not from the socket address"
        );
    }
}

#[netlings_helpers::test]
fn ends_its_request_with_close_notify() {
    let ca = TestCa::new("netlings test CA");
    let server = start_server(ca.issue_server(&["localhost"]), b"pong\n".to_vec());
    let _ = run_exchange(
        &ca,
        &server,
        "localhost",
        b"ping\n".to_vec(),
        "exchange() to send its request and end it",
    );
    match what_the_server_saw(&server) {
        Seen::Request {
            bytes,
            close_notify: true,
        } => assert_eq!(bytes, b"ping\n"),
        Seen::Request {
            close_notify: false,
            ..
        } => panic!(
            "the server saw the request end with a TCP FIN and no close_notify: it cannot tell \
             your request from one cut short. End it with shutdown() on the TLS stream, not on \
             the TCP socket"
        ),
        Seen::HandshakeFailed(error) => panic!("the server's handshake failed: {error}"),
    }
}

#[netlings_helpers::test]
fn reads_a_long_reply_to_the_end() {
    let ca = TestCa::new("netlings test CA");
    let long_reply: Vec<u8> = (0..200 * 1024).map(|index| (index % 253) as u8).collect();
    let server = start_server(ca.issue_server(&["localhost"]), long_reply.clone());
    let reply = run_exchange(
        &ca,
        &server,
        "localhost",
        b"send me a lot\n".to_vec(),
        "exchange() to read a 200 KiB reply until the server's close_notify",
    )
    .unwrap_or_else(|error| panic!("exchange() failed: {error}"));
    assert_eq!(
        reply.len(),
        long_reply.len(),
        "the server sent 200 KiB in 4 KiB writes, then close_notify; exchange() returned {} \
         bytes. Read until the end (read_to_end), not once",
        reply.len()
    );
    assert!(
        reply == long_reply,
        "the reply has the right length but other bytes"
    );
}

#[netlings_helpers::test]
fn trusts_every_ca_in_the_file() {
    let ca = TestCa::new("netlings test CA");
    let server = start_server(ca.issue_server(&["localhost"]), b"pong\n".to_vec());
    // A bundle of two CAs, as during a CA rotation: the old one first, then
    // the one that signed the server's certificate.
    let files = TempDir::new("client");
    let bundle = format!("{}{}", TestCa::new("the old CA").cert_pem(), ca.cert_pem());
    let ca_path = files.write("ca.pem", &bundle);
    let address = server.address;
    let outcome = within_async(
        STEP,
        "exchange() trusting a bundle of two CAs",
        move || async move {
            let config = client_config(&ca_path).unwrap_or_else(|error| {
                panic!("client_config() failed on a bundle of two CAs: {error}")
            });
            drop(files);
            exchange(config, address, "localhost", b"ping\n").await
        },
    );
    if let Err(error) = outcome {
        panic!(
            "ca.pem held two CA certificates and the server's is the second; exchange() failed: \
             {error}. Trust every certificate in the file (CertificateDer::pem_file_iter, or \
             load_certs), not only the first (from_pem_file reads one)"
        );
    }
}
