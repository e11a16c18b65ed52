//! handshake-failures: every way a TLS connection of this lesson fails,
//! produced for real over loopback, as each side sees it.
//!
//! ```text
//! cargo run -p lesson5-demos --bin handshake-failures
//! ```
//!
//! For each case a rustls client and a rustls server (or a peer that does
//! not speak TLS) meet, one of them set up to fail, and the program prints
//! the error each side got: the `Display` text, which is what a program
//! usually logs, and the `rustls::Error` inside the `io::Error`, which is
//! what a program should look at (exercise 4).

use lesson5_demos::{TestCa, client_config, provider, server_config};
use rustls::pki_types::ServerName;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ServerConfig};
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let ca = TestCa::new("netlings course CA");
    let stranger = TestCa::new("somebody else's CA");
    let impostor = TestCa::new("netlings course CA");

    case("1. a certificate from a CA the client does not know").await;
    both(
        client_config(&ca),
        server_config(&stranger.issue_server(&["localhost"])),
    )
    .await?;

    case("2. another CA with the same name as the trusted one").await;
    both(
        client_config(&ca),
        server_config(&impostor.issue_server(&["localhost"])),
    )
    .await?;

    case("3. a certificate for another name (other.test, client asked for localhost)").await;
    both(
        client_config(&ca),
        server_config(&ca.issue_server(&["other.test"])),
    )
    .await?;

    case("4. an expired certificate").await;
    let expired = ca.issue_expired_server(&["localhost"]);
    both(client_config(&ca), server_config(&expired)).await?;

    case("5. no common ALPN protocol (client: http/1.1, server: h2)").await;
    let mut client = client_config(&ca);
    client.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut server = server_config(&ca.issue_server(&["localhost"]));
    server.alpn_protocols = vec![b"h2".to_vec()];
    both(client, server).await?;

    case("6. plain text sent to a TLS port").await;
    plain_text_to_tls(server_config(&ca.issue_server(&["localhost"]))).await?;

    case("7. TLS sent to a plain-text port that answers in plain text").await;
    tls_to_plain_text(
        client_config(&ca),
        Some(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
    )
    .await?;

    case("8. TLS sent to a plain-text port that hangs up").await;
    tls_to_plain_text(client_config(&ca), None).await?;

    case("9. mutual TLS: the server requires a client certificate, the client has none").await;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(ca.roots()), provider())
        .build()
        .expect("a client verifier");
    let leaf = ca.issue_server(&["localhost"]);
    let server = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_client_cert_verifier(verifier)
        .with_single_cert(leaf.chain(), leaf.key())
        .expect("a certificate and its key");
    both(client_config(&ca), server).await?;

    case("10. a connection cut without close_notify, after the handshake").await;
    truncated(
        client_config(&ca),
        server_config(&ca.issue_server(&["localhost"])),
    )
    .await?;
    Ok(())
}

async fn case(title: &str) {
    println!("\n{title}");
}

fn show(side: &str, outcome: &io::Result<()>) {
    match outcome {
        Ok(()) => println!("  {side}: no error"),
        Err(error) => {
            let inner = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            match inner {
                Some(tls_error) => println!("  {side}: {error}   [rustls::Error::{tls_error:?}]"),
                None => println!("  {side}: {error}   [io::ErrorKind::{:?}]", error.kind()),
            }
        }
    }
}

/// A rustls client against a rustls server; prints what each side got.
async fn both(client: ClientConfig, server: ServerConfig) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let server_side = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        acceptor.accept(tcp).await.map(drop)
    });
    let tcp = TcpStream::connect(address).await?;
    let client_outcome = TlsConnector::from(Arc::new(client))
        .connect(localhost(), tcp)
        .await
        .map(drop);
    let server_outcome = server_side.await.expect("the server's task");
    show("client", &client_outcome);
    show("server", &server_outcome);
    Ok(())
}

async fn plain_text_to_tls(server: ServerConfig) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut plain = TcpStream::connect(listener.local_addr()?).await?;
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await?;
    let (tcp, _) = listener.accept().await?;
    let server_outcome = TlsAcceptor::from(Arc::new(server))
        .accept(tcp)
        .await
        .map(drop);
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer).await;
    println!(
        "  plain client: got {} bytes back: {answer:02x?}",
        answer.len()
    );
    show("server", &server_outcome);
    Ok(())
}

async fn tls_to_plain_text(client: ClientConfig, answer: Option<&'static [u8]>) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let plain_server = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await?;
        // Read the ClientHello: one record, its length in bytes 3 and 4.
        let mut header = [0; 5];
        tcp.read_exact(&mut header).await?;
        let mut body = vec![0; u16::from_be_bytes([header[3], header[4]]) as usize];
        tcp.read_exact(&mut body).await?;
        if let Some(answer) = answer {
            tcp.write_all(answer).await?;
        }
        tcp.shutdown().await?;
        let mut rest = Vec::new();
        let _ = tcp.read_to_end(&mut rest).await;
        io::Result::Ok(())
    });
    let tcp = TcpStream::connect(address).await?;
    let client_outcome = TlsConnector::from(Arc::new(client))
        .connect(localhost(), tcp)
        .await
        .map(drop);
    let _ = plain_server.await;
    show("client", &client_outcome);
    Ok(())
}

async fn truncated(client: ClientConfig, server: ServerConfig) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let server_side = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = acceptor.accept(tcp).await?;
        tls.write_all(b"the first half of a message").await?;
        tls.flush().await?;
        // Close the TCP connection underneath, without close_notify: what a
        // crash, or an attacker forging a FIN, looks like.
        let (tcp, _) = tls.get_mut();
        tcp.shutdown().await
    });
    let tcp = TcpStream::connect(address).await?;
    let mut tls = TlsConnector::from(Arc::new(client))
        .connect(localhost(), tcp)
        .await?;
    let mut received = Vec::new();
    let outcome = tls.read_to_end(&mut received).await.map(drop);
    let _ = server_side.await;
    println!(
        "  client: read {:?} before the end",
        String::from_utf8_lossy(&received)
    );
    show("client", &outcome);
    Ok(())
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("a DNS name")
}
