//! Exercise 4: read a handshake failure correctly (`src/failures.rs`).
//!
//! Every failure here is produced for real, over loopback: a rustls client
//! and a rustls server (or a plain-text peer) handshake, one of them with a
//! certificate, a name or a protocol list chosen to fail, and `classify` is
//! given the `io::Error` each side got.

use lesson5::failures::{HandshakeFailure, classify};
use netlings_helpers::net;
use netlings_helpers::tls::{TestCa, client_config, server_config, server_name};
use netlings_helpers::{STEP, within_async};
use rustls::{ClientConfig, ServerConfig};
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The errors both ends of one failed handshake got.
struct Failed {
    client: io::Error,
    server: io::Error,
}

/// Runs one handshake over loopback between a client with `client`, asking
/// for `name`, and a server with `server`; both must fail.
fn failed_handshake(client: ClientConfig, name: &'static str, server: ServerConfig) -> Failed {
    within_async(
        STEP,
        "both ends of a TLS handshake to finish",
        move || async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
            let address = listener.local_addr().expect("the listener's address");
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
            let server_side = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await?;
                acceptor.accept(tcp).await.map(drop)
            });
            let tcp = TcpStream::connect(address).await.expect("connecting");
            let client_outcome = tokio_rustls::TlsConnector::from(Arc::new(client))
                .connect(server_name(name), tcp)
                .await
                .map(drop);
            // The client's stream is gone here: the server reads its alert, or
            // its FIN.
            let server_outcome = server_side.await.expect("the server's task");
            match (client_outcome, server_outcome) {
                (Err(client), Err(server)) => Failed { client, server },
                (client, server) => panic!(
                    "the test expected both ends of this handshake to fail; client: {client:?}, \
                 server: {server:?}"
                ),
            }
        },
    )
}

#[track_caller]
fn expect(error: &io::Error, expected: HandshakeFailure, side: &str) {
    let inner = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    assert_eq!(
        classify(error),
        expected,
        "the {side}'s error was {error:?} (inside it: {inner:?}). Look inside with \
         error.get_ref() and downcast_ref::<rustls::Error>()"
    );
}

#[netlings_helpers::test]
fn a_certificate_from_an_unknown_ca_is_unknown_issuer_and_the_server_hears_a_refusal() {
    let trusted = TestCa::new("netlings test CA");
    let unknown = TestCa::new("somebody else's CA");
    let failed = failed_handshake(
        client_config(&trusted),
        "localhost",
        server_config(&unknown.issue_server(&["localhost"])),
    );
    expect(&failed.client, HandshakeFailure::UnknownIssuer, "client");
    match classify(&failed.server) {
        HandshakeFailure::RefusedByPeer(_) => {}
        other => panic!(
            "the server's error was {:?}, the alert the client sent when it refused the \
             certificate; classify() said {other:?}, expected RefusedByPeer(alert name)",
            failed.server
        ),
    }
}

#[netlings_helpers::test]
fn another_ca_with_the_same_name_is_an_impostor_issuer() {
    let trusted = TestCa::new("netlings test CA");
    let impostor = TestCa::new("netlings test CA");
    let failed = failed_handshake(
        client_config(&trusted),
        "localhost",
        server_config(&impostor.issue_server(&["localhost"])),
    );
    expect(&failed.client, HandshakeFailure::ImpostorIssuer, "client");
}

#[netlings_helpers::test]
fn a_certificate_for_another_name_is_wrong_name() {
    let ca = TestCa::new("netlings test CA");
    let failed = failed_handshake(
        client_config(&ca),
        "localhost",
        server_config(&ca.issue_server(&["other.test"])),
    );
    expect(&failed.client, HandshakeFailure::WrongName, "client");
}

#[netlings_helpers::test]
fn an_expired_certificate_is_expired() {
    let ca = TestCa::new("netlings test CA");
    let failed = failed_handshake(
        client_config(&ca),
        "localhost",
        server_config(&ca.issue_expired_server(&["localhost"])),
    );
    expect(&failed.client, HandshakeFailure::Expired, "client");
}

#[netlings_helpers::test]
fn no_common_alpn_protocol_is_recognised_on_both_sides() {
    let ca = TestCa::new("netlings test CA");
    let mut server = server_config(&ca.issue_server(&["localhost"]));
    server.alpn_protocols = vec![b"h2".to_vec()];
    let mut client = client_config(&ca);
    client.alpn_protocols = vec![b"http/1.1".to_vec()];
    let failed = failed_handshake(client, "localhost", server);
    // The server finds out and says NoApplicationProtocol; the client only
    // hears the alert of that name.
    expect(&failed.server, HandshakeFailure::NoCommonProtocol, "server");
    expect(&failed.client, HandshakeFailure::NoCommonProtocol, "client");
}

#[netlings_helpers::test]
fn plain_text_either_way_is_not_tls() {
    let ca = TestCa::new("netlings test CA");
    let server = server_config(&ca.issue_server(&["localhost"]));
    // Plain text to a TLS server: the server's accept fails.
    let server_error = within_async(
        STEP,
        "a TLS server to refuse plain text",
        move || async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
            let address = listener.local_addr().expect("the listener's address");
            let mut plain = TcpStream::connect(address).await.expect("connecting");
            plain
                .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .await
                .expect("sending plain HTTP");
            let (tcp, _) = listener.accept().await.expect("accepting");
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
            match acceptor.accept(tcp).await {
                Ok(_) => panic!("a TLS server accepted plain HTTP as a handshake"),
                Err(error) => error,
            }
        },
    );
    expect(
        &server_error,
        HandshakeFailure::NotTls,
        "TLS server, given plain text,",
    );
    // TLS to a plain-text server that answers in plain text.
    let client = client_config(&ca);
    let client_error = within_async(
        STEP,
        "a TLS client to refuse plain text",
        move || async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
            let address = listener.local_addr().expect("the listener's address");
            let plain_server = tokio::spawn(async move {
                let (mut tcp, _) = listener.accept().await?;
                read_one_record(&mut tcp).await?;
                tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await?;
                tcp.shutdown().await?;
                // Read until the client closes, so that our close sends no RST.
                let mut rest = Vec::new();
                let _ = tcp.read_to_end(&mut rest).await;
                io::Result::Ok(())
            });
            let tcp = TcpStream::connect(address).await.expect("connecting");
            let outcome = tokio_rustls::TlsConnector::from(Arc::new(client))
                .connect(server_name("localhost"), tcp)
                .await;
            let error = match outcome {
                Ok(_) => panic!("a TLS client accepted plain HTTP as a handshake"),
                Err(error) => error,
            };
            let _ = plain_server.await;
            error
        },
    );
    expect(
        &client_error,
        HandshakeFailure::NotTls,
        "TLS client, answered in plain text,",
    );
}

#[netlings_helpers::test]
fn a_server_that_hangs_up_during_the_handshake_is_closed_during_handshake() {
    let ca = TestCa::new("netlings test CA");
    let client = client_config(&ca);
    let client_error = within_async(
        STEP,
        "a TLS client to see the server hang up",
        move || async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
            let address = listener.local_addr().expect("the listener's address");
            let silent_server = tokio::spawn(async move {
                let (mut tcp, _) = listener.accept().await?;
                // Reads the whole ClientHello, then closes without a word.
                read_one_record(&mut tcp).await?;
                tcp.shutdown().await
            });
            let tcp = TcpStream::connect(address).await.expect("connecting");
            let outcome = tokio_rustls::TlsConnector::from(Arc::new(client))
                .connect(server_name("localhost"), tcp)
                .await;
            let _ = silent_server.await;
            match outcome {
                Ok(_) => panic!("a handshake succeeded against a server that hung up"),
                Err(error) => error,
            }
        },
    );
    expect(
        &client_error,
        HandshakeFailure::ClosedDuringHandshake,
        "client",
    );
}

#[netlings_helpers::test]
fn an_error_that_is_not_about_tls_is_other() {
    // A connect refused by a socket that is bound but not listening: no
    // TLS at all was involved.
    let (_not_listening, address) = net::refused_address();
    let error = std::net::TcpStream::connect_timeout(&address, STEP)
        .expect_err("a connect to a socket that is not listening");
    match classify(&error) {
        HandshakeFailure::Other(_) => {}
        other => panic!("classify({error:?}) said {other:?}, expected Other(text)"),
    }
    let hand_made = io::Error::new(io::ErrorKind::InvalidData, "not from rustls");
    match classify(&hand_made) {
        HandshakeFailure::Other(_) => {}
        other => panic!(
            "classify() said {other:?} for an InvalidData error with no rustls::Error inside; \
             the kind alone does not tell what went wrong: expected Other(text)"
        ),
    }
}

/// Reads one TLS record (the ClientHello): its 5-byte header, then as many
/// bytes as the header's length says.
async fn read_one_record(tcp: &mut TcpStream) -> io::Result<()> {
    let mut header = [0; 5];
    tcp.read_exact(&mut header).await?;
    let length = u16::from_be_bytes([header[3], header[4]]) as usize;
    let mut body = vec![0; length];
    tcp.read_exact(&mut body).await?;
    Ok(())
}
