//! tls-cost: what TLS costs on loopback, measured: full handshakes per
//! second, resumed handshakes per second (session tickets), and bulk
//! throughput over TLS against plain TCP, each compared in the same run.
//!
//! ```text
//! cargo run --release -p lesson5-demos --bin tls-cost
//! ```
//!
//! Client and server run in this one process, on a single-threaded tokio
//! runtime, so both share one core: the numbers are the cost of both ends
//! together. A debug build measures mostly the debug build: use --release.

use lesson5_demos::{TestCa, client_config, server_config};
use rustls::client::Resumption;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, HandshakeKind, ServerConfig};
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// How long each handshake measurement runs.
const HANDSHAKE_WINDOW: Duration = Duration::from_secs(2);
/// How many bytes each throughput measurement sends.
const BULK_BYTES: usize = 256 * 1024 * 1024;

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let ca = TestCa::new("netlings course CA");
    let mut server_config = server_config(&ca.issue_server(&["localhost"]));
    // Session tickets: the server encrypts the session's state under a key
    // only it knows and hands it to the client, which shows it next time
    // instead of doing a full handshake.
    server_config.ticketer = rustls::crypto::ring::Ticketer::new().map_err(io::Error::other)?;
    let server_config = Arc::new(server_config);

    let mut no_resumption = client_config(&ca);
    no_resumption.resumption = Resumption::disabled();
    let with_resumption = client_config(&ca);

    let (full, full_kinds) = handshakes(server_config.clone(), no_resumption).await?;
    let (resumed, resumed_kinds) = handshakes(server_config.clone(), with_resumption).await?;
    println!(
        "handshakes in {HANDSHAKE_WINDOW:?} each, one connection at a time, each with a 1-byte round trip:"
    );
    println!("  full (resumption off):   {full:>8.0}/s   {full_kinds}");
    println!("  resumed (tickets):       {resumed:>8.0}/s   {resumed_kinds}");
    println!("  resumed / full:          {:>8.2}", resumed / full);

    let tcp = bulk_tcp().await?;
    let tls = bulk_tls(server_config, client_config(&ca)).await?;
    println!(
        "bulk transfer of {} MiB, one connection:",
        BULK_BYTES / (1024 * 1024)
    );
    println!("  plain TCP:               {tcp:>8.0} MiB/s");
    println!("  TLS (AES-256-GCM):       {tls:>8.0} MiB/s");
    println!("  TLS / TCP:               {:>8.2}", tls / tcp);
    Ok(())
}

/// Connects over and over for [`HANDSHAKE_WINDOW`]; returns the rate and
/// how many handshakes were full and resumed.
async fn handshakes(server: Arc<ServerConfig>, client: ClientConfig) -> io::Result<(f64, String)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(server);
    let server_task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut byte = [0; 1];
                    if tls.read_exact(&mut byte).await.is_ok() {
                        let _ = tls.write_all(&byte).await;
                        let _ = tls.shutdown().await;
                    }
                }
            });
        }
    });
    let connector = TlsConnector::from(Arc::new(client));
    let name = ServerName::try_from("localhost").expect("a DNS name");
    let (mut full, mut resumed, mut count) = (0, 0, 0u32);
    let started = Instant::now();
    while started.elapsed() < HANDSHAKE_WINDOW {
        let tcp = TcpStream::connect(address).await?;
        let mut tls = connector.connect(name.clone(), tcp).await?;
        match tls.get_ref().1.handshake_kind() {
            Some(HandshakeKind::Resumed) => resumed += 1,
            _ => full += 1,
        }
        // The round trip also delivers the server's session tickets, which
        // arrive after the handshake.
        tls.write_all(b"x").await?;
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).await?;
        count += 1;
    }
    let rate = f64::from(count) / started.elapsed().as_secs_f64();
    server_task.abort();
    Ok((rate, format!("({full} full, {resumed} resumed)")))
}

async fn bulk_tcp() -> io::Result<f64> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let reader = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        drain(tcp).await
    });
    let tcp = TcpStream::connect(address).await?;
    send_bulk(tcp, reader).await
}

async fn bulk_tls(server: Arc<ServerConfig>, client: ClientConfig) -> io::Result<f64> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(server);
    let reader = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        drain(acceptor.accept(tcp).await?).await
    });
    let tcp = TcpStream::connect(address).await?;
    let name = ServerName::try_from("localhost").expect("a DNS name");
    let tls = TlsConnector::from(Arc::new(client))
        .connect(name, tcp)
        .await?;
    send_bulk(tls, reader).await
}

/// Sends [`BULK_BYTES`] in 64 KiB writes, ends, waits for the reader to
/// have read them all; returns MiB/s.
async fn send_bulk<W: AsyncWrite + Unpin>(
    mut writer: W,
    reader: tokio::task::JoinHandle<io::Result<usize>>,
) -> io::Result<f64> {
    let chunk = vec![0x5a; 64 * 1024];
    let started = Instant::now();
    for _ in 0..BULK_BYTES / chunk.len() {
        writer.write_all(&chunk).await?;
    }
    writer.shutdown().await?;
    let received = reader.await.map_err(io::Error::other)??;
    assert_eq!(received, BULK_BYTES, "the reader got every byte");
    Ok(BULK_BYTES as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64())
}

async fn drain<R: AsyncRead + Unpin>(mut reader: R) -> io::Result<usize> {
    let mut buffer = vec![0; 64 * 1024];
    let mut total = 0;
    loop {
        match reader.read(&mut buffer).await? {
            0 => return Ok(total),
            read => total += read,
        }
    }
}
