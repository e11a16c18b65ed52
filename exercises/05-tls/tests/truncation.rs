//! Exercise 5: a clean end, or a cut connection? (`src/truncation.rs`)
//!
//! Each test opens a real TLS connection over loopback between the test's
//! own client and server (a CA made for the test), and one side ends it in
//! a chosen way: with close_notify (`shutdown()` on the TLS stream), with a
//! bare TCP FIN (`shutdown()` on the TCP socket underneath, as a crash or a
//! forged FIN looks), or with a reset.

use lesson5::truncation::{Ending, echo_whole_messages, read_until_end};
use netlings_helpers::tls::{TestCa, client_config, server_config, server_name};
use netlings_helpers::{STEP, printable, within_async};
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type ClientTls = tokio_rustls::client::TlsStream<TcpStream>;
type ServerTls = tokio_rustls::server::TlsStream<TcpStream>;

/// A TLS connection over loopback: the test's client side and server side.
async fn tls_pair() -> (ClientTls, ServerTls) {
    let ca = TestCa::new("netlings test CA");
    let acceptor =
        tokio_rustls::TlsAcceptor::from(Arc::new(server_config(&ca.issue_server(&["localhost"]))));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(&ca)));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding");
    let address = listener.local_addr().expect("the listener's address");
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accepting");
        acceptor.accept(tcp).await.expect("the server's handshake")
    });
    let tcp = TcpStream::connect(address).await.expect("connecting");
    let client = connector
        .connect(server_name("localhost"), tcp)
        .await
        .expect("the client's handshake");
    (client, server.await.expect("the server's task"))
}

/// Makes sure the records written so far are on the wire.
async fn flush_written<T: tokio::io::AsyncWrite + Unpin>(tls_tcp: &mut T) {
    tls_tcp
        .flush()
        .await
        .expect("flushing the records written so far");
}

#[netlings_helpers::test]
fn a_close_notify_is_a_clean_end() {
    let message: Vec<u8> = (0..64 * 1024).map(|index| (index % 239) as u8).collect();
    let expected = message.clone();
    let (received, ending) = within_async(STEP, "read_until_end() on a clean end", || async move {
        let (mut client, mut server) = tls_pair().await;
        let writer = tokio::spawn(async move {
            server.write_all(&message).await.expect("sending");
            // close_notify, then the FIN.
            server.shutdown().await.expect("shutting down");
            server
        });
        let outcome = read_until_end(&mut client).await;
        drop(writer.await);
        outcome.unwrap_or_else(|error| panic!("read_until_end() failed on a clean end: {error}"))
    });
    assert_eq!(
        received.len(),
        expected.len(),
        "the server sent 64 KiB, then close_notify; read_until_end() returned {} bytes: read until \
         read() returns 0",
        received.len()
    );
    assert!(
        received == expected,
        "the bytes differ from what the server sent"
    );
    assert_eq!(
        ending,
        Ending::CloseNotify,
        "the server ended with close_notify (read() returned Ok(0))"
    );
}

#[netlings_helpers::test]
fn a_fin_without_close_notify_is_truncation_and_keeps_the_bytes() {
    let (received, ending) = within_async(STEP, "read_until_end() on a cut connection", || async {
        let (mut client, mut server) = tls_pair().await;
        server
            .write_all(b"transfer 100 EUR to ac")
            .await
            .expect("sending");
        flush_written(&mut server).await;
        // The TCP socket underneath: its FIN is not a TLS close_notify.
        server.get_mut().0.shutdown().await.expect("a bare TCP FIN");
        let outcome = read_until_end(&mut client).await;
        drop(server);
        outcome.unwrap_or_else(|error| {
            panic!(
                "read_until_end() failed on a cut connection: {error}. A FIN without close_notify \
                 comes as an UnexpectedEof error: that is Ending::Truncated, not a failure"
            )
        })
    });
    assert_eq!(
        ending,
        Ending::Truncated,
        "the connection ended with a TCP FIN and no close_notify, and read_until_end() called \
         that {ending:?}. An UnexpectedEof from a TLS stream is a truncation: the message may be \
         cut (\"transfer 100 EUR to ac...\")"
    );
    assert_eq!(
        received,
        b"transfer 100 EUR to ac",
        "the bytes that arrived before the cut must be returned, and got {}",
        printable(&received)
    );
}

#[netlings_helpers::test]
fn a_reset_is_an_error_not_an_ending() {
    let outcome = within_async(STEP, "read_until_end() on a reset connection", || async {
        let (mut client, server) = tls_pair().await;
        let (tcp, _) = server.into_inner();
        // A zero linger time: close() sends a RST instead of a FIN.
        tcp.set_zero_linger().expect("setting a zero linger time");
        drop(tcp);
        read_until_end(&mut client).await
    });
    match outcome {
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionReset,
            "the peer reset the connection, and the error was {error:?}"
        ),
        Ok((received, ending)) => panic!(
            "the peer reset the connection (RST), and read_until_end() returned Ok with {} and \
             {ending:?}: only UnexpectedEof is an ending; pass every other error on",
            printable(&received)
        ),
    }
}

#[netlings_helpers::test]
fn the_echo_answers_a_whole_message_and_ends_with_close_notify() {
    let (ending, echoed) = within_async(STEP, "echo_whole_messages() and its echo", || async {
        let (mut client, server) = tls_pair().await;
        let echo = tokio::spawn(echo_whole_messages(server));
        client.write_all(b"ping\n").await.expect("sending");
        client.shutdown().await.expect("sending close_notify");
        let mut echoed = Vec::new();
        let read = client.read_to_end(&mut echoed).await;
        if let Err(error) = read {
            panic!(
                "reading the echo failed after {}: {error}. UnexpectedEof: the server closed \
                 without close_notify; call shutdown() on the stream after writing the echo",
                printable(&echoed)
            );
        }
        let ending = echo
            .await
            .expect("the echo's task")
            .unwrap_or_else(|error| panic!("echo_whole_messages() failed: {error}"));
        (ending, echoed)
    });
    assert_eq!(
        echoed, b"ping\n",
        "the client sent \"ping\\n\" then close_notify"
    );
    assert_eq!(
        ending,
        Ending::CloseNotify,
        "the client ended with close_notify"
    );
}

#[netlings_helpers::test]
fn the_echo_refuses_a_cut_message_and_says_so() {
    let (ending, echoed) = within_async(STEP, "echo_whole_messages() on a cut message", || async {
        let (mut client, server) = tls_pair().await;
        let echo = tokio::spawn(echo_whole_messages(server));
        client.write_all(b"DELETE /users/1").await.expect("sending");
        flush_written(&mut client).await;
        client.get_mut().0.shutdown().await.expect("a bare TCP FIN");
        // Whatever comes back before the server hangs up.
        let mut echoed = Vec::new();
        let mut buffer = [0; 1024];
        while let Ok(read @ 1..) = client.read(&mut buffer).await {
            echoed.extend_from_slice(&buffer[..read]);
        }
        let ending = echo
            .await
            .expect("the echo's task")
            .unwrap_or_else(|error| panic!("echo_whole_messages() failed: {error}"));
        (ending, echoed)
    });
    assert_eq!(
        ending,
        Ending::Truncated,
        "the client sent \"DELETE /users/1\" and a TCP FIN without close_notify: the server must \
         report Truncated (the client may have meant /users/17)"
    );
    assert!(
        echoed.is_empty(),
        "the server echoed {} for a message that was cut: a truncated message must not be acted \
         on",
        printable(&echoed)
    );
}
