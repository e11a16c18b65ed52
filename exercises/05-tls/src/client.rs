//! Exercise 3: a client that trusts only what it should.
//!
//! A TLS client decides whom to trust *before* it connects: its root store
//! holds the certificate authorities whose signatures it believes. Your
//! operating system ships a store of about 150 public CAs; this client
//! trusts exactly one, the course CA in `ca.pem`, so that a certificate from
//! anywhere else, however valid, is refused.
//!
//! The client also decides which name to check. It connects its TCP socket
//! to an address, but it verifies the certificate against a *name*, given
//! separately: the name is the identity you want, the address is only where
//! you found it today.

use rustls::ClientConfig;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Builds a client configuration that trusts the CA certificates in the PEM
/// file `ca_path`, and no other CA: not the system's store, not the
/// server's own say-so.
///
/// # Errors
///
/// The file cannot be read or holds no certificate (the message names the
/// file), or a certificate in it cannot be a trust anchor (`InvalidData`).
pub fn client_config(ca_path: &Path) -> io::Result<Arc<ClientConfig>> {
    todo!(
        "put the certificates of ca_path (load_certs from exercise 2) in RootCertStore::empty() and build a ClientConfig on the ring provider with_root_certificates and no client auth"
    )
}

/// Connects to `server` over TCP, runs the TLS handshake with `config`,
/// checking the server's certificate against `server_name` (a DNS name such
/// as `localhost`, or an IP address in text), sends all of `request`, ends
/// its side of the session with close_notify, and returns everything the
/// server sends until the server's own close_notify.
///
/// # Errors
///
/// The first failed step: the TCP connect; the handshake (a refused
/// certificate arrives as `InvalidData` wrapping a `rustls::Error`); a write;
/// a read, including `UnexpectedEof` when the server closes TCP without
/// close_notify. `InvalidInput` when `server_name` is neither a DNS name nor
/// an IP address.
pub async fn exchange(
    config: Arc<ClientConfig>,
    server: SocketAddr,
    server_name: &str,
    request: &[u8],
) -> io::Result<Vec<u8>> {
    todo!(
        "make a ServerName from server_name, connect TCP, TlsConnector::from(config).connect(name, tcp), write_all the request, shutdown() for close_notify, then read_to_end"
    )
}
