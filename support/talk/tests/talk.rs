//! talk, run as a learner runs it, against servers the tests hold: what it
//! sends, what it prints on stdout, the notes on stderr, and its exit code.
//!
//! Every server here is the test's own, on loopback port 0; every wait has a
//! deadline ([`STEP`]); no test sleeps: each waits for a line talk prints,
//! for bytes on a socket, or for talk to exit.

use assert_cmd::cargo::cargo_bin;
use netlings_helpers::net::{self, Client};
use netlings_helpers::tls::{self, TempDir, TestCa};
use netlings_helpers::{STEP, printable};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// A running `talk`, its stdin held open by the test until it says so.
struct Talk {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Receiver<Output>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    open_pipes: usize,
}

/// What the threads reading talk's stdout and stderr hand over.
enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Closed,
}

impl Talk {
    fn start(args: &[&str]) -> Talk {
        let mut child = Command::new(cargo_bin!("talk"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the test could not start talk");
        let (sender, output) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        forward(stdout, sender.clone(), Output::Stdout);
        forward(stderr, sender, Output::Stderr);
        Talk {
            stdin: child.stdin.take(),
            child,
            output,
            stdout: Vec::new(),
            stderr: Vec::new(),
            open_pipes: 2,
        }
    }

    /// Types `text` into talk's stdin.
    fn type_text(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
            .expect("writing to talk's stdin");
    }

    /// Ends talk's stdin, as Ctrl-D does.
    fn end_input(&mut self) {
        self.stdin = None;
    }

    #[track_caller]
    fn expect_stdout(&mut self, text: &str) {
        let wanted = text.as_bytes();
        self.wait_until(&format!("{} on stdout", printable(wanted)), |talk| {
            talk.stdout
                .windows(wanted.len())
                .any(|window| window == wanted)
        });
    }

    #[track_caller]
    fn expect_note(&mut self, text: &str) {
        self.wait_until(&format!("the note {text:?} on stderr"), |talk| {
            String::from_utf8_lossy(&talk.stderr).contains(text)
        });
    }

    /// Waits for talk to exit (both its pipes closed) and returns how.
    #[track_caller]
    fn expect_exit(&mut self) -> ExitStatus {
        self.wait_until("talk to exit", |talk| talk.open_pipes == 0);
        self.child.wait().expect("waiting for talk")
    }

    #[track_caller]
    fn wait_until(&mut self, waiting_for: &str, done: impl Fn(&Talk) -> bool) {
        let deadline = Instant::now() + STEP;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(Output::Stdout(bytes)) => self.stdout.extend_from_slice(&bytes),
                Ok(Output::Stderr(bytes)) => self.stderr.extend_from_slice(&bytes),
                Ok(Output::Closed) => self.open_pipes -= 1,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "waited {STEP:?} for {waiting_for}; talk printed {} on stdout and on \
                     stderr:\n{}",
                    printable(&self.stdout),
                    String::from_utf8_lossy(&self.stderr)
                ),
            }
        }
    }
}

fn forward(
    mut pipe: impl Read + Send + 'static,
    sender: mpsc::Sender<Output>,
    wrap: fn(Vec<u8>) -> Output,
) {
    thread::spawn(move || {
        let mut chunk = [0; 4096];
        while let Ok(read @ 1..) = pipe.read(&mut chunk) {
            let _ = sender.send(wrap(chunk[..read].to_vec()));
        }
        let _ = sender.send(Output::Closed);
    });
}

impl Drop for Talk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[track_caller]
fn accept_talk(listener: &TcpListener) -> Client {
    let (stream, peer) = net::accept(listener, "talk to connect");
    Client::from_accepted(stream, peer)
}

#[test]
fn notes_the_connection_sends_lines_and_prints_the_replies() {
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&[&address.to_string()]);
    let mut server = accept_talk(&listener);
    // The note names the local address the kernel chose for talk: the
    // very address the server sees as its peer.
    talk.expect_note(&format!(
        "connected from {} to {address}",
        server.stream().peer_addr().expect("the peer's address")
    ));

    talk.type_text("hello\n");
    assert_eq!(server.read_line("the line talk was given"), "hello");
    server.send(b"HELLO\n");
    talk.expect_stdout("HELLO\n");

    drop(server);
    talk.expect_note("the server closed the connection (EOF");
    assert!(
        talk.expect_exit().success(),
        "talk ends well when the server closes"
    );
    assert_eq!(
        talk.stdout, b"HELLO\n",
        "stdout holds only what the server sent"
    );
}

#[test]
fn closes_the_connection_when_stdin_ends() {
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&[&address.to_string()]);
    let mut server = accept_talk(&listener);
    talk.type_text("bye\n");
    talk.end_input();
    // talk exits while the server still holds the connection open: it did
    // not wait for the server's side to end.
    let status = talk.expect_exit();
    assert!(
        status.success(),
        "closing at the end of stdin is no failure: {status}"
    );
    talk.expect_note("stdin ended: closing the connection");
    assert_eq!(server.read_to_end("talk's line, then its FIN"), b"bye\n");
}

#[test]
fn half_close_sends_a_fin_and_keeps_reading_the_reply() {
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&["--half-close", &address.to_string()]);
    let mut server = accept_talk(&listener);
    talk.type_text("the whole request\n");
    talk.end_input();
    // read_to_end returns only at EOF: talk's FIN has arrived.
    assert_eq!(
        server.read_to_end("talk's request, then its FIN"),
        b"the whole request\n"
    );
    talk.expect_note("sent FIN with shutdown(Write)");

    // talk still reads: the reply, sent after its FIN, comes out.
    server.send(b"the reply\n");
    talk.expect_stdout("the reply\n");
    drop(server);
    talk.expect_note(
        "the server closed the connection (EOF: its FIN arrived) after sending 10 bytes",
    );
    assert!(talk.expect_exit().success());
}

#[test]
fn talks_over_ipv6_too() {
    let (listener, address) = net::loopback_listener_v6();
    let mut talk = Talk::start(&["--half-close", &address.to_string()]);
    let mut server = accept_talk(&listener);
    talk.expect_note(&format!(
        "connected from {} to {address}",
        server.stream().peer_addr().expect("the peer's address")
    ));
    talk.type_text("over v6\n");
    talk.end_input();
    assert_eq!(
        server.read_to_end("talk's line, then its FIN"),
        b"over v6\n"
    );
    server.send(b"ok\n");
    drop(server);
    talk.expect_stdout("ok\n");
    assert!(talk.expect_exit().success());
}

#[test]
fn raw_sends_the_bytes_exactly_and_prints_them_exactly() {
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&["--raw", "--half-close", &address.to_string()]);
    let mut server = accept_talk(&listener);
    // A length-prefixed frame: no newline anywhere.
    talk.type_text("\0\0\0\x05hello");
    talk.end_input();
    assert_eq!(server.read_to_end("talk's frame"), b"\0\0\0\x05hello");
    server.send(b"\0\0\0\x02ok");
    drop(server);
    assert!(talk.expect_exit().success());
    assert_eq!(talk.stdout, b"\0\0\0\x02ok");
}

#[test]
fn refused_is_noted_and_is_a_failure() {
    let (_not_listening, address) = net::refused_address();
    let assert = assert_cmd::Command::new(cargo_bin!("talk"))
        .arg(address.to_string())
        .timeout(STEP)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains(&format!(
            "{address}: refused: nothing is listening on that port"
        )),
        "talk's stderr: {stderr}"
    );
}

#[test]
fn reset_is_noted_and_is_a_failure() {
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&[&address.to_string()]);
    let server = accept_talk(&listener);
    talk.expect_note("connected from");
    server.reset();
    talk.expect_note("reset: the peer aborted the connection (RST)");
    assert_eq!(talk.expect_exit().code(), Some(1));
}

#[test]
fn udp_sends_a_datagram_per_line_and_notes_each_reply() {
    let (server, address) = net::loopback_udp();
    let mut talk = Talk::start(&["--udp", "--wait", "0.05", &address.to_string()]);
    talk.type_text("one\n");
    let mut buffer = [0; 100];
    let (size, talk_address) = server
        .recv_from(&mut buffer)
        .expect("talk's first datagram");
    assert_eq!(&buffer[..size], b"one\n", "one line, one datagram");
    talk.expect_note(&format!("UDP from {talk_address} to {address}"));
    talk.expect_note(&format!("sent 4 bytes to {address}"));

    // A reply without a newline still prints as a line of its own.
    server.send_to(b"ONE", talk_address).expect("replying");
    talk.expect_note(&format!("received 3 bytes from {address}"));
    talk.expect_stdout("ONE\n");

    talk.type_text("two\n");
    let (size, _) = server
        .recv_from(&mut buffer)
        .expect("talk's second datagram");
    assert_eq!(&buffer[..size], b"two\n");
    talk.end_input();
    talk.expect_note("UDP has no connection to close");
    assert!(talk.expect_exit().success());
}

#[test]
fn udp_works_over_ipv6_too() {
    let server = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).expect("binding [::1]:0");
    server.set_read_timeout(Some(STEP)).expect("a read timeout");
    let address = server.local_addr().expect("the server's address");
    let mut talk = Talk::start(&["--udp", "--wait", "0.05", &address.to_string()]);
    talk.type_text("six\n");
    let mut buffer = [0; 100];
    let (size, talk_address) = server
        .recv_from(&mut buffer)
        .expect("talk's datagram over IPv6");
    assert_eq!(&buffer[..size], b"six\n");
    server.send_to(b"SIX\n", talk_address).expect("replying");
    talk.expect_stdout("SIX\n");
    talk.end_input();
    assert!(talk.expect_exit().success());
}

#[test]
fn udp_raw_sends_all_of_stdin_as_one_datagram() {
    let (server, address) = net::loopback_udp();
    let mut talk = Talk::start(&["--udp", "--raw", "--wait", "5", &address.to_string()]);
    talk.type_text("a\nb\n");
    talk.end_input();
    let mut buffer = [0; 100];
    let (size, talk_address) = server.recv_from(&mut buffer).expect("talk's datagram");
    assert_eq!(&buffer[..size], b"a\nb\n", "all of stdin in one datagram");
    server.send_to(b"xyz", talk_address).expect("replying");
    talk.expect_note("received 3 bytes");
    talk.expect_stdout("xyz");
    talk.child.kill().expect("stopping talk");
    talk.expect_exit();
    assert_eq!(
        talk.stdout, b"xyz",
        "--raw prints the datagram exactly, no newline added"
    );
}

#[test]
fn udp_refused_is_noted_and_is_a_failure() {
    let (_not_receiving, address) = net::refused_udp_address();
    let mut talk = Talk::start(&["--udp", "--wait", "5", &address.to_string()]);
    talk.type_text("anyone there?\n");
    talk.expect_note(&format!(
        "refused: nothing is listening on {address}: its kernel answered a datagram with ICMP \
         port unreachable"
    ));
    assert_eq!(talk.expect_exit().code(), Some(1));
}

/// A TLS server on its own thread for one client: handshakes, then runs
/// `script` on the session. Each socket step has a deadline of [`STEP`].
fn tls_server(
    listener: TcpListener,
    config: ServerConfig,
    script: impl FnOnce(&mut StreamOwned<ServerConnection, TcpStream>) + Send + 'static,
) -> JoinHandle<()> {
    let (tcp, _peer) = net::accept(&listener, "talk to connect");
    thread::spawn(move || {
        tcp.set_read_timeout(Some(STEP)).expect("a read timeout");
        tcp.set_write_timeout(Some(STEP)).expect("a write timeout");
        let connection = ServerConnection::new(Arc::new(config)).expect("a server session");
        let mut session = StreamOwned::new(connection, tcp);
        // talk sends nothing until it is typed to, so drive the handshake
        // from here instead of waiting for talk's first bytes.
        while session.conn.is_handshaking() {
            if session.conn.complete_io(&mut session.sock).is_err() {
                return;
            }
        }
        script(&mut session);
    })
}

fn read_line(session: &mut StreamOwned<ServerConnection, TcpStream>) -> Vec<u8> {
    let mut line = Vec::new();
    let mut byte = [0];
    while !line.ends_with(b"\n") {
        match session.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            other => panic!(
                "reading talk's line over TLS: {other:?}, after {}",
                printable(&line)
            ),
        }
    }
    line
}

fn end_session(session: &mut StreamOwned<ServerConnection, TcpStream>) {
    session.conn.send_close_notify();
    session.flush().expect("sending close_notify");
}

/// `ca.pem` in a fresh directory, and the directory (removed when dropped).
fn ca_file(ca: &TestCa) -> (TempDir, String) {
    let directory = TempDir::new("talk-tls");
    let path = directory.write("ca.pem", &ca.cert_pem());
    (directory, path.display().to_string())
}

fn localhost_address(address: SocketAddr) -> String {
    format!("localhost:{}", address.port())
}

#[test]
fn tls_notes_the_handshake_and_talks_through_it() {
    let ca = TestCa::new("talk test CA");
    let leaf = ca.issue_server(&["localhost"]);
    let (_directory, ca_path) = ca_file(&ca);
    let mut config = tls::server_config(&leaf);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let (listener, address) = net::loopback_listener();

    let mut talk = Talk::start(&[
        "--tls",
        "--ca",
        &ca_path,
        "--alpn",
        "h2,http/1.1",
        &localhost_address(address),
    ]);
    let server = tls_server(listener, config, |session| {
        assert_eq!(
            session.conn.server_name(),
            Some("localhost"),
            "talk sends the SNI"
        );
        let line = read_line(session);
        session
            .write_all(&line.to_ascii_uppercase())
            .expect("echoing");
        end_session(session);
    });
    talk.expect_note("TLS handshake done: TLS 1.3");
    talk.expect_note("ALPN: the server chose http/1.1");
    talk.expect_note("issued by CN=talk test CA, for localhost");
    talk.type_text("over tls\n");
    talk.expect_stdout("OVER TLS\n");
    talk.expect_note("the server ended the TLS session (close_notify, then EOF)");
    assert!(talk.expect_exit().success());
    server.join().expect("the test's TLS server");
}

#[test]
fn tls_refuses_a_server_whose_certificate_another_ca_signed() {
    let trusted = TestCa::new("talk test CA");
    let other = TestCa::new("another CA");
    let (_directory, ca_path) = ca_file(&trusted);
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&["--tls", "--ca", &ca_path, &localhost_address(address)]);
    let server = tls_server(
        listener,
        tls::server_config(&other.issue_server(&["localhost"])),
        |_| {},
    );
    talk.expect_note(
        "TLS handshake failed: the server's certificate is not signed by the CA you trust",
    );
    assert_eq!(talk.expect_exit().code(), Some(1));
    server.join().expect("the test's TLS server");
}

#[test]
fn tls_notes_a_session_cut_without_close_notify() {
    let ca = TestCa::new("talk test CA");
    let (_directory, ca_path) = ca_file(&ca);
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&["--tls", "--ca", &ca_path, &localhost_address(address)]);
    let config = tls::server_config(&ca.issue_server(&["localhost"]));
    // The server handshakes, then closes the TCP connection without
    // close_notify: the session's end cannot be told from an attack.
    let server = tls_server(listener, config, |_| {});
    talk.expect_note("TLS handshake done");
    server.join().expect("the test's TLS server");
    talk.expect_note("truncated: the connection ended without TLS close_notify");
    assert_eq!(talk.expect_exit().code(), Some(1));
}

fn mutual_tls_config(ca: &TestCa) -> ServerConfig {
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(ca.roots()),
        tls::provider(),
    )
    .build()
    .expect("a client verifier");
    let leaf = ca.issue_server(&["localhost"]);
    ServerConfig::builder_with_provider(tls::provider())
        .with_safe_default_protocol_versions()
        .expect("the default versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(leaf.chain(), leaf.key())
        .expect("a server certificate")
}

#[test]
fn tls_presents_a_client_certificate_for_mutual_tls() {
    let ca = TestCa::new("talk test CA");
    let client = ca.issue_client("alice");
    let (directory, ca_path) = ca_file(&ca);
    let cert = directory
        .write("client.pem", &client.cert_pem)
        .display()
        .to_string();
    let key = directory
        .write("client.key", &client.key_pem)
        .display()
        .to_string();
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&[
        "--tls",
        "--ca",
        &ca_path,
        "--cert",
        &cert,
        "--key",
        &key,
        &localhost_address(address),
    ]);
    let server = tls_server(listener, mutual_tls_config(&ca), |session| {
        let presented = session.conn.peer_certificates().map_or(0, <[_]>::len);
        session
            .write_all(format!("you showed {presented} certificate\n").as_bytes())
            .expect("answering");
        end_session(session);
    });
    talk.expect_note("sent the client certificate");
    talk.expect_stdout("you showed 1 certificate\n");
    assert!(talk.expect_exit().success());
    server.join().expect("the test's TLS server");
}

#[test]
fn tls_explains_a_server_that_requires_a_client_certificate() {
    let ca = TestCa::new("talk test CA");
    let (_directory, ca_path) = ca_file(&ca);
    let (listener, address) = net::loopback_listener();
    let mut talk = Talk::start(&["--tls", "--ca", &ca_path, &localhost_address(address)]);
    let server = tls_server(listener, mutual_tls_config(&ca), |_| {});
    // In TLS 1.3 talk's side of the handshake ends first; the refusal is
    // an alert on its first read.
    talk.expect_note(
        "the server requires a client certificate (mutual TLS): pass --cert and --key",
    );
    assert_eq!(talk.expect_exit().code(), Some(1));
    server.join().expect("the test's TLS server");
}

#[test]
fn a_missing_ca_file_is_reported_before_connecting() {
    let (listener, address) = net::loopback_listener();
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let assert = assert_cmd::Command::new(cargo_bin!("talk"))
        .args(["--tls", "--ca", "/nonexistent/ca.pem", &address.to_string()])
        .timeout(STEP)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("reading certificates from /nonexistent/ca.pem"),
        "{stderr}"
    );
    let nobody = listener.accept().map(|_| ()).map_err(|error| error.kind());
    assert_eq!(
        nobody,
        Err(io::ErrorKind::WouldBlock),
        "talk connected although it could not read the CA"
    );
}
