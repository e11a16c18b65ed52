//! Exercise 7: SNI, one listener for several names.
//!
//! One IP address and port often serve many names: virtual hosting. With
//! plain HTTP the server learns the name from the `Host:` header, but a TLS
//! server must choose its certificate *before* any HTTP arrives. So the
//! client puts the name it wants in its ClientHello, in the clear: Server
//! Name Indication (SNI). The server picks the certificate for that name;
//! for a name it does not serve, or no name at all (a client that connected
//! by IP address), it has nothing honest to show and refuses the handshake.
//!
//! rustls lets a server choose per connection through a *certificate
//! resolver*; `ResolvesServerCertUsingSni` is the one that maps names to
//! certificates.

use rustls::ServerConfig;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// One name the server answers to, and the PEM files of its certificate.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// The DNS name a client asks for in its SNI, for example `alpha.test`.
    pub name: &'a str,
    /// The certificate chain for that name.
    pub cert_path: &'a Path,
    /// The private key of that certificate.
    pub key_path: &'a Path,
}

/// Builds a server configuration that presents, on each connection, the
/// certificate of the site whose name the client sent in its SNI. A client
/// that asks for a name no site has, or sends no name (it connected by IP
/// address), fails its handshake: the server never falls back to another
/// site's certificate.
///
/// # Errors
///
/// Any error reading a site's files (the message names the file), a key
/// that rustls cannot use, or a site whose certificate is not valid for its
/// name (`InvalidInput`, naming the certificate file).
pub fn sni_server_config(sites: &[Site<'_>]) -> io::Result<Arc<ServerConfig>> {
    todo!(
        "load each site into a CertifiedKey, add it to a ResolvesServerCertUsingSni under its name, and build a ServerConfig with_cert_resolver"
    )
}
