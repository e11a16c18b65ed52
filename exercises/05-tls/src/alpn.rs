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
use tokio::net::TcpStream;
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
    todo!(
        "clone the config, set alpn_protocols to one entry per protocol, connect and handshake, read alpn_protocol(), shutdown, and return it"
    )
}

/// The server side: tells the client, in one line, which protocol the
/// handshake chose (`protocol: h2\n`), or `protocol: none\n` when the client
/// offered none, then ends the session with close_notify.
///
/// # Errors
///
/// A failed write or shutdown.
pub async fn announce_protocol(tls: TlsStream<TcpStream>) -> io::Result<()> {
    todo!(
        "write protocol: NAME (or protocol: none) and a newline from tls.get_ref().1.alpn_protocol(), then shutdown()"
    )
}
