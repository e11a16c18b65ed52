//! Exercise 2: a TLS echo server (`src/echo_server.rs`).
//!
//! The certificates come from a CA the test makes in memory (not from your
//! exercise 1), written to a fresh temporary directory. The test's clients
//! are rustls clients that trust that CA only, plus two that misbehave on
//! purpose: one speaks plain text to the TLS port, one opens TCP and never
//! says anything.

use lesson5::echo_server::{load_server_config, serve_tls_echo};
use netlings_helpers::background::{Background, serve_in_background};
use netlings_helpers::net::{self, Client};
use netlings_helpers::tls::{TempDir, TestCa, client_config, server_name};
use netlings_helpers::{Program, STEP, printable, within, within_async};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

struct Server {
    address: SocketAddr,
    ca: TestCa,
    listener_handle: std::net::TcpListener,
    running: Background<io::Result<()>>,
    _files: TempDir,
}

/// Writes a certificate for localhost and 127.0.0.1 and its key to files,
/// loads them with `load_server_config`, and starts `serve_tls_echo`.
fn start_server(handshake_timeout: Duration) -> Server {
    let ca = TestCa::new("netlings test CA");
    let leaf = ca.issue_server(&["localhost", "127.0.0.1"]);
    let files = TempDir::new("echo-server");
    let cert = files.write("server.pem", &leaf.cert_pem);
    let key = files.write("server.key", &leaf.key_pem);
    let config = load_server_config(&cert, &key)
        .unwrap_or_else(|error| panic!("load_server_config() failed on valid files: {error}"));
    let (listener, address) = net::loopback_listener();
    let listener_handle = listener.try_clone().expect("cloning the listener's handle");
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let running = serve_in_background("serve_tls_echo()", listener, move |listener| {
        serve_tls_echo(listener, acceptor, handshake_timeout)
    });
    Server {
        address,
        ca,
        listener_handle,
        running,
        _files: files,
    }
}

/// A TLS client that trusts the test CA: connects to `localhost`, sends
/// `message` while it reads, ends its side with close_notify, and returns
/// everything the server sent until the server's own close_notify.
fn tls_round_trip(server: &Server, message: Vec<u8>, waiting_for: &str) -> Vec<u8> {
    tls_round_trip_to(server.address, &server.ca, message, waiting_for)
}

fn tls_round_trip_to(
    address: SocketAddr,
    ca: &TestCa,
    message: Vec<u8>,
    waiting_for: &str,
) -> Vec<u8> {
    let config = Arc::new(client_config(ca));
    within_async(STEP, waiting_for, move || async move {
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .unwrap_or_else(|error| panic!("connecting to the TLS server at {address}: {error}"));
        let tls = TlsConnector::from(config)
            .connect(server_name("localhost"), tcp)
            .await
            .unwrap_or_else(|error| panic!("the TLS handshake with your server failed: {error}"));
        let (mut reader, mut writer) = tokio::io::split(tls);
        // The writer runs beside the reader: an echo of a big message comes
        // back while it is still being sent, and nobody may wait for the
        // other to finish first.
        let sender = tokio::spawn(async move {
            writer.write_all(&message).await?;
            // shutdown() sends close_notify: "this is the end of what I send".
            writer.shutdown().await
        });
        let mut echoed = Vec::new();
        let outcome = reader.read_to_end(&mut echoed).await;
        if let Err(error) = outcome {
            panic!(
                "reading the echo failed after {} bytes: {error}. UnexpectedEof means the server \
                 closed TCP without close_notify: after the echo, call shutdown() on the TLS \
                 stream before dropping it",
                echoed.len()
            );
        }
        sender
            .await
            .expect("the sending task")
            .expect("sending to the server");
        echoed
    })
}

#[netlings_helpers::test]
fn echoes_over_tls_and_ends_with_close_notify() {
    let server = start_server(Duration::from_secs(60));
    let echoed = tls_round_trip(
        &server,
        b"hello over TLS\n".to_vec(),
        "the echo of 15 bytes, then the server's close_notify",
    );
    assert_eq!(
        echoed,
        b"hello over TLS\n",
        "the client sent \"hello over TLS\\n\" and then close_notify, and got {}",
        printable(&echoed)
    );
}

#[netlings_helpers::test]
fn load_server_config_names_the_file_it_cannot_use() {
    let ca = TestCa::new("netlings test CA");
    let leaf = ca.issue_server(&["localhost"]);
    let files = TempDir::new("echo-server");
    let cert = files.write("server.pem", &leaf.cert_pem);
    let missing = files.path().join("no-such.key");
    let error = match load_server_config(&cert, &missing) {
        Ok(_) => panic!("load_server_config() accepted a key file that does not exist"),
        Err(error) => error,
    };
    assert_eq!(
        error.kind(),
        io::ErrorKind::NotFound,
        "a key file that does not exist is NotFound, and the error was {error:?}: keep the \
         kind of the I/O error when you add the file's name"
    );
    assert!(
        error.to_string().contains("no-such.key"),
        "the error for a missing key file was {error:?}: it must name the file, or the person \
         running tls-echo cannot tell which of the two paths is wrong"
    );
    // A key file that holds a certificate instead of a key.
    let not_a_key = files.write("not-a.key", &leaf.cert_pem);
    let error = match load_server_config(&cert, &not_a_key) {
        Ok(_) => panic!("load_server_config() accepted a key file that holds no private key"),
        Err(error) => error,
    };
    assert!(
        error.to_string().contains("not-a.key"),
        "the error for a key file with no key in it was {error:?}: it must name the file"
    );
}

#[netlings_helpers::test]
fn keeps_serving_after_a_client_speaks_plain_text_to_it() {
    let server = start_server(Duration::from_secs(60));
    // A browser or curl pointed at http:// instead of https:// sends plain
    // HTTP. Its handshake fails; the server must go on.
    let mut plain = TcpStream::connect(server.address).expect("connecting in plain TCP");
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("sending a plain-text HTTP request");
    // Wait until the server has dealt with it: it answers with a TLS alert
    // and closes (EOF), or resets if it left our request unread.
    within(
        STEP,
        "the server to close the plain-text client",
        move || {
            let mut answer = Vec::new();
            let _ = plain.read_to_end(&mut answer);
        },
    );
    let echoed = tls_round_trip(
        &server,
        b"after the plain-text client\n".to_vec(),
        "the echo for a TLS client that came after a plain-text client. Is the server still \
         accepting? A failed handshake must end that client's task, not the accept loop",
    );
    assert_eq!(echoed, b"after the plain-text client\n");
    server
        .running
        .expect_running("one client's failed handshake must never end the server");
}

#[netlings_helpers::test]
fn closes_a_client_that_never_starts_its_handshake() {
    let server = start_server(Duration::from_millis(200));
    let mut silent = Client::connect(server.address);
    let received = silent.read_to_end(
        "the server to close a client that opened TCP and never sent a ClientHello (the \
         handshake timeout is 200ms: wrap acceptor.accept(tcp) in tokio::time::timeout)",
    );
    assert!(
        received.is_empty(),
        "the silent client expected the server to close, and got {}",
        printable(&received)
    );
}

#[netlings_helpers::test]
fn serves_a_client_while_another_has_not_finished_its_handshake() {
    let server = start_server(Duration::from_secs(60));
    // This client connects first and never starts its handshake. The
    // server's timeout is a minute, far longer than this test.
    let _silent = Client::connect(server.address);
    let echoed = tls_round_trip(
        &server,
        b"I came second\n".to_vec(),
        "the echo for a client that connected while another one had not started its \
         handshake. Does the accept loop wait for a handshake? Run it in the client's task",
    );
    assert_eq!(echoed, b"I came second\n");
}

#[netlings_helpers::test]
fn echoes_a_large_message_whole() {
    let server = start_server(Duration::from_secs(60));
    // 256 KiB: sixteen TLS records at least, far more than one read.
    let message: Vec<u8> = (0..256 * 1024).map(|index| (index % 251) as u8).collect();
    let echoed = tls_round_trip(
        &server,
        message.clone(),
        "the echo of 256 KiB sent in one write_all. Does the server read and write in a loop \
         until the client's close_notify?",
    );
    assert_eq!(
        echoed.len(),
        message.len(),
        "sent 256 KiB, got back {} bytes: a read returns what has arrived, not the whole message",
        echoed.len()
    );
    assert!(
        echoed == message,
        "the echo has the right length but other bytes"
    );
}

#[netlings_helpers::test]
fn returns_when_its_listener_breaks() {
    let server = start_server(Duration::from_secs(60));
    net::break_listener(&server.listener_handle);
    let returned = server
        .running
        .returned("serve_tls_echo() to return once its listener broke");
    assert!(
        returned.is_err(),
        "serve_tls_echo() returned Ok(()) when its listener broke: return the error"
    );
}

#[netlings_helpers::test]
fn the_tls_echo_program_serves_on_the_address_it_prints() {
    let ca = TestCa::new("netlings test CA");
    let leaf = ca.issue_server(&["localhost"]);
    let files = TempDir::new("tls-echo");
    let cert = files.write("server.pem", &leaf.cert_pem);
    let key = files.write("server.key", &leaf.key_pem);
    let program = Program::start(
        env!("CARGO_BIN_EXE_tls-echo"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--cert",
            cert.to_str().expect("a UTF-8 path"),
            "--key",
            key.to_str().expect("a UTF-8 path"),
        ],
    );
    let echoed = tls_round_trip_to(
        program.address(),
        &ca,
        b"hello, program\n".to_vec(),
        "the echo from the tls-echo program",
    );
    assert_eq!(echoed, b"hello, program\n");
}
