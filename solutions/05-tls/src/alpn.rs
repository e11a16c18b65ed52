//! Exercise 8: ALPN, agreeing on what to speak inside TLS.
//!
//! A TLS connection carries bytes; the two ends still have to agree on the
//! protocol those bytes are in. HTTP/2 and HTTP/1.1 share port 443, so the
//! client cannot tell by the port. Application-Layer Protocol Negotiation
//! (ALPN) settles it inside the handshake, at no extra round trip: the
//! client lists the protocols it speaks in its ClientHello (`h2`,
//! `http/1.1`), and the server picks the first of *its own* list that the
//! client also offered and names it in its EncryptedExtensions. No overlap
//! is a handshake failure (`no_application_protocol`); a client that offers
//! nothing gets no protocol, and the server must decide what that means.
//!
//! Each protocol is a separate entry of a list of byte strings:
//! `vec![b"h2".to_vec(), b"http/1.1".to_vec()]`.

use rustls::ClientConfig;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::server::TlsStream;

/// Connects to `server` over TLS with `config`, checking the certificate
/// against `server_name`, offering `protocols` by ALPN (in that order of
/// preference; an empty list offers none), and returns the protocol the
/// server chose, or `None` when no protocol was negotiated. Ends the session
/// with close_notify before returning.
///
/// # Errors
///
/// The connect or the handshake failed; in particular, when the server
/// speaks none of `protocols`, the handshake fails (the server's alert
/// `NoApplicationProtocol`), and that is an error, not `None`.
pub async fn negotiate(
    config: &ClientConfig,
    server: SocketAddr,
    server_name: &str,
    protocols: &[&str],
) -> io::Result<Option<String>> {
    // A ClientConfig is shared and immutable behind its Arc; this
    // connection's offer goes in a copy of its own.
    let mut config = config.clone();
    // One entry per protocol: "h2,http/1.1" would be a single protocol with
    // a comma in its name, which no server speaks.
    config.alpn_protocols = protocols
        .iter()
        .map(|protocol| protocol.as_bytes().to_vec())
        .collect();
    let name = rustls::pki_types::ServerName::try_from(server_name.to_string())
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let tcp = TcpStream::connect(server).await?;
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await?;
    // After the handshake the connection knows what the server chose.
    let chosen = tls
        .get_ref()
        .1
        .alpn_protocol()
        .map(|protocol| String::from_utf8_lossy(protocol).into_owned());
    tls.shutdown().await?;
    Ok(chosen)
}

/// The server side: tells the client, in one line, which protocol the
/// handshake chose (`protocol: h2\n`), or `protocol: none\n` when the client
/// offered none, then ends the session with close_notify.
///
/// # Errors
///
/// A failed write or shutdown.
pub async fn announce_protocol(mut tls: TlsStream<TcpStream>) -> io::Result<()> {
    let line = match tls.get_ref().1.alpn_protocol() {
        Some(protocol) => format!("protocol: {}\n", String::from_utf8_lossy(protocol)),
        // No ALPN is not an error: older clients (and curl --no-alpn) send
        // none, and a server decides what it speaks to them.
        None => String::from("protocol: none\n"),
    };
    tls.write_all(line.as_bytes()).await?;
    tls.shutdown().await
}
