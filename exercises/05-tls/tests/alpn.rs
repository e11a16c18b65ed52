//! Exercise 8: ALPN (`src/alpn.rs`).
//!
//! The test's server offers a list of protocols the test chooses, from a
//! certificate of a CA the test makes; `negotiate` is your client against
//! it. `announce_protocol` is your server side, against the test's client.

use lesson5::alpn::{announce_protocol, negotiate};
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net;
use netlings_helpers::tls::{TestCa, client_config, server_config, server_name};
use netlings_helpers::{STEP, printable, within_async};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

fn protocols(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter()
        .map(|protocol| protocol.as_bytes().to_vec())
        .collect()
}

/// A TLS server that offers `offered` by ALPN. With `announce`, each
/// session goes to your `announce_protocol`; without, the server reads
/// until the client ends and ends too.
fn start_server(offered: &[&str], announce: bool) -> (SocketAddr, TestCa) {
    let ca = TestCa::new("netlings test CA");
    let mut config = server_config(&ca.issue_server(&["localhost"]));
    config.alpn_protocols = protocols(offered);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, address) = net::loopback_listener();
    serve_in_background(
        "the test's ALPN server",
        listener,
        move |listener| async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    if announce {
                        let _ = announce_protocol(tls).await;
                    } else {
                        let mut rest = Vec::new();
                        let _ = tls.read_to_end(&mut rest).await;
                        let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
                    }
                });
            }
        },
    );
    (address, ca)
}

fn run_negotiate(
    offered_by_server: &[&str],
    offered: &'static [&'static str],
) -> io::Result<Option<String>> {
    let (address, ca) = start_server(offered_by_server, false);
    let config = client_config(&ca);
    within_async(
        STEP,
        "negotiate() against the test's server",
        move || async move { negotiate(&config, address, "localhost", offered).await },
    )
}

#[netlings_helpers::test]
fn the_server_chooses_by_its_own_preference() {
    match run_negotiate(&["h2", "http/1.1"], &["http/1.1", "h2"]) {
        Ok(chosen) => assert_eq!(
            chosen.as_deref(),
            Some("h2"),
            "the server prefers h2 and the client offered both: the server's choice is h2. \
             Report what the handshake chose (alpn_protocol()), not what the client offered"
        ),
        Err(error) => panic!("negotiate() failed although both offered h2 and http/1.1: {error}"),
    }
}

#[netlings_helpers::test]
fn one_protocol_in_common_is_chosen() {
    match run_negotiate(&["http/1.1"], &["h2", "http/1.1"]) {
        Ok(chosen) => assert_eq!(chosen.as_deref(), Some("http/1.1")),
        Err(error) => panic!(
            "the client offered h2 and http/1.1, the server speaks http/1.1, and negotiate() \
             failed: {error}. Each protocol is an entry of its own in alpn_protocols, not \
             one comma-separated string"
        ),
    }
}

#[netlings_helpers::test]
fn no_protocol_in_common_is_an_error() {
    match run_negotiate(&["h2"], &["http/1.1"]) {
        Ok(chosen) => panic!(
            "the client offered only http/1.1 to a server that speaks only h2, and \
             negotiate() returned Ok({chosen:?}): the handshake failed, and that is an error"
        ),
        Err(error) => {
            let inner = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            assert!(
                matches!(
                    inner,
                    Some(rustls::Error::AlertReceived(
                        rustls::AlertDescription::NoApplicationProtocol
                    ))
                ),
                "the error must be the handshake's, the server's NoApplicationProtocol alert, \
                 and was {error:?}"
            );
        }
    }
}

#[netlings_helpers::test]
fn a_client_that_offers_nothing_gets_no_protocol() {
    match run_negotiate(&["h2", "http/1.1"], &[]) {
        Ok(chosen) => assert_eq!(chosen, None, "the client offered no protocol"),
        Err(error) => panic!("negotiate() without protocols failed: {error}"),
    }
}

#[netlings_helpers::test]
fn the_server_announces_what_was_chosen() {
    let (address, ca) = start_server(&["h2", "http/1.1"], true);
    for (offered, expected) in [
        (&["http/1.1"][..], "protocol: http/1.1\n"),
        (&[][..], "protocol: none\n"),
    ] {
        let mut config = client_config(&ca);
        config.alpn_protocols = protocols(offered);
        let announced = within_async(STEP, "the server's announcement", move || async move {
            let tcp = tokio::net::TcpStream::connect(address)
                .await
                .expect("connecting");
            let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(server_name("localhost"), tcp)
                .await
                .expect("the handshake");
            let mut announced = Vec::new();
            if let Err(error) = tls.read_to_end(&mut announced).await {
                panic!(
                    "reading the announcement failed after {}: {error}. UnexpectedEof: end \
                     the session with shutdown() (close_notify)",
                    printable(&announced)
                );
            }
            announced
        });
        assert_eq!(
            String::from_utf8_lossy(&announced),
            expected,
            "the client offered {offered:?} to a server that speaks h2 and http/1.1"
        );
    }
}
