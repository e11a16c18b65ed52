//! From the address you typed to a connected TCP socket.

use crate::CONNECT_TIMEOUT;
use crate::notes::note;
use anyhow::{Context, Result, anyhow, bail};
use netlings_cli::explain::likely_cause;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// The socket addresses `address` names: `IP:port` is one already; a
/// `name:port` is looked up (getaddrinfo: `/etc/hosts`, then DNS), and a
/// name can have several addresses, IPv4 and IPv6.
pub async fn resolve(address: &str) -> Result<Vec<SocketAddr>> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host(address)
        .await
        .with_context(|| {
            format!(
                "resolving {address:?}: give IP:port or name:port, like 127.0.0.1:7878, \
                 [::1]:7878 or localhost:7878"
            )
        })?
        .collect();
    if found.is_empty() {
        bail!("{address:?} resolves to no address");
    }
    Ok(found)
}

/// The first address `address` names, for UDP, which has no handshake to
/// tell a live address from a dead one.
pub async fn resolve_one(address: &str) -> Result<SocketAddr> {
    let found = resolve(address).await?;
    if found.len() > 1 {
        note(format!(
            "{address} has {} addresses; using the first, {}",
            found.len(),
            found[0]
        ));
    }
    Ok(found[0])
}

/// Connects to `address` over TCP: tries each address it resolves to in
/// turn, the way a browser does, and notes each attempt that fails.
///
/// `connect()` returns when the three-way handshake is done (SYN, SYN-ACK,
/// ACK): the server's kernel completed it, whether or not the server has
/// called `accept()` yet. Before sending the SYN, our kernel bound the
/// socket to a local address with a port of its choice, which the note
/// shows.
pub async fn connect_tcp(address: &str) -> Result<TcpStream> {
    let mut last_error = None;
    for peer in resolve(address).await? {
        let attempt = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(peer)).await;
        let error = match attempt {
            Ok(Ok(stream)) => {
                let local = stream
                    .local_addr()
                    .context("reading the local address of the new connection")?;
                note(format!("connected from {local} to {peer}"));
                return Ok(stream);
            }
            Ok(Err(error)) => error,
            Err(_elapsed) => std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer to the SYN in {CONNECT_TIMEOUT:?}"),
            ),
        };
        note(format!("{peer}: {}", likely_cause(&error)));
        last_error = Some(anyhow!(error).context(format!("connecting to {peer}")));
    }
    Err(last_error.unwrap_or_else(|| anyhow!("{address:?} resolves to no address")))
}

/// The host part of `name:port`, `IP:port` or `[IPv6]:port`: the name a
/// TLS client checks the server's certificate against, unless `--name`
/// says otherwise.
pub fn host_part(address: &str) -> &str {
    let host = address
        .rsplit_once(':')
        .map_or(address, |(host, _port)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_part_drops_the_port_and_the_brackets() {
        assert_eq!(host_part("localhost:7005"), "localhost");
        assert_eq!(host_part("127.0.0.1:7005"), "127.0.0.1");
        assert_eq!(host_part("[::1]:7005"), "::1");
    }
}
