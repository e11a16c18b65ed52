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
use rustls::crypto::CryptoProvider;
use rustls::server::ResolvesServerCertUsingSni;
use rustls::sign::CertifiedKey;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::echo_server::{load_certs, load_private_key};

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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut resolver = ResolvesServerCertUsingSni::new();
    for site in sites {
        let certified = certified_key(site, &provider)?;
        // add() checks that the certificate is valid for the name, so a
        // mix-up of files is an error here, not a refused client later.
        resolver.add(site.name, certified).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} for the name {}: {error}",
                    site.cert_path.display(),
                    site.name
                ),
            )
        })?;
    }
    let config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        // The resolver is asked on every ClientHello; it returns None for a
        // name it does not know (or no name), and rustls then refuses.
        .with_cert_resolver(Arc::new(resolver));
    Ok(Arc::new(config))
}

/// A site's chain with its key, ready to sign handshakes.
fn certified_key(site: &Site<'_>, provider: &CryptoProvider) -> io::Result<CertifiedKey> {
    let certs = load_certs(site.cert_path)?;
    let key = load_private_key(site.key_path)?;
    // The provider turns the key's bytes into something that can sign;
    // with_single_cert does the same behind the scenes.
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: {error}", site.key_path.display()),
            )
        })?;
    Ok(CertifiedKey::new(certs, signing_key))
}
