//! Exercise 9: HTTPS (`src/tls.rs`). Each test makes a certificate
//! authority of its own and a server certificate for `localhost` and
//! `127.0.0.1`, and talks to the server with a rustls client that trusts
//! that CA only.

use lesson7::server::Limits;
use lesson7::tls::{https_config, serve_https};
use netlings_helpers::background::{Background, run_in_background};
use netlings_helpers::net::{expect_broken_listener_ends, loopback_listener};
use netlings_helpers::temp_dir::TempDir;
use netlings_helpers::tls::{TestCa, client_config, server_name};
use netlings_helpers::{Program, STEP, printable, within};
use rustls::{ClientConnection, StreamOwned};
use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const PAGE: &str = "<h1>served over TLS</h1>\n";

/// A CA, a server certificate and key in PEM files, and a root.
struct Site {
    ca: Arc<TestCa>,
    dir: TempDir,
}

impl Site {
    fn new() -> Site {
        let ca = TestCa::new("netlings capstone test CA");
        let leaf = ca.issue_server(&["localhost", "127.0.0.1"]);
        let dir = TempDir::new("httpd-tls");
        dir.write("server.pem", &leaf.cert_pem);
        dir.write("server.key", &leaf.key_pem);
        fs::create_dir(dir.path().join("www")).expect("creating the root");
        fs::write(dir.path().join("www/index.html"), PAGE).expect("writing index.html");
        Site {
            ca: Arc::new(ca),
            dir,
        }
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    /// `serve_https` on a thread of its own, and a handle on its listener.
    fn start(
        &self,
        request_timeout: Duration,
    ) -> (Background<io::Result<()>>, SocketAddr, TcpListener) {
        self.start_with_limit(64, request_timeout)
    }

    /// [`Site::start`] with `max_connections` open connections at most.
    fn start_with_limit(
        &self,
        max_connections: usize,
        request_timeout: Duration,
    ) -> (Background<io::Result<()>>, SocketAddr, TcpListener) {
        let config = match https_config(&self.cert(), &self.key()) {
            Ok(config) => config,
            Err(error) => panic!("https_config failed on a valid certificate and key: {error}"),
        };
        let (listener, address) = loopback_listener();
        let handle = listener.try_clone().expect("cloning the listener");
        let root = self.root();
        let limits = Limits {
            max_connections,
            request_timeout,
        };
        let server = run_in_background("serve_https()", move || {
            serve_https(listener, root, limits, config)
        });
        (server, address, handle)
    }
}

/// What an HTTPS exchange gave: the protocol ALPN chose, and the response,
/// or the error that ended it.
struct Exchange {
    alpn: Option<Vec<u8>>,
    response: Vec<u8>,
    ending: io::Result<()>,
}

/// `GET /` with `Connection: close` over TLS to `address`, offering `alpn`,
/// read until the connection ends.
fn https_get(address: SocketAddr, ca: &Arc<TestCa>, alpn: &[&[u8]]) -> io::Result<Exchange> {
    let mut config = client_config(ca);
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    let session = ClientConnection::new(Arc::new(config), server_name("localhost"))
        .map_err(io::Error::other)?;
    let tcp = TcpStream::connect_timeout(&address, STEP)?;
    tcp.set_read_timeout(Some(STEP))?;
    let mut tls = StreamOwned::new(session, tcp);
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    tls.flush()?;
    let mut response = Vec::new();
    let ending = tls.read_to_end(&mut response).map(drop);
    Ok(Exchange {
        alpn: tls.conn.alpn_protocol().map(<[u8]>::to_vec),
        response,
        ending,
    })
}

#[track_caller]
fn get_page(address: SocketAddr, ca: &Arc<TestCa>, alpn: &'static [&'static [u8]]) -> Exchange {
    let ca = Arc::clone(ca);
    let exchange = within(STEP, "an HTTPS GET / and its answer", move || {
        https_get(address, &ca, alpn)
    });
    match exchange {
        Ok(exchange) => exchange,
        Err(error) => panic!(
            "`curl --cacert ca.pem https://localhost:PORT/` failed: {error} (a handshake \
             failure: is the certificate loaded, and does ALPN offer http/1.1?)"
        ),
    }
}

#[netlings_helpers::test]
fn serves_a_page_over_https_with_alpn_http_1_1() {
    let site = Site::new();
    let (_server, address, _handle) = site.start(Duration::from_secs(60));
    let exchange = get_page(address, &site.ca, &[b"h2", b"http/1.1"]);
    assert_eq!(
        exchange.alpn.as_deref(),
        Some(&b"http/1.1"[..]),
        "the client offered h2 and http/1.1; this server speaks HTTP/1.1 only, so ALPN must \
         choose http/1.1 (config.alpn_protocols = vec![b\"http/1.1\".to_vec()])"
    );
    let text = String::from_utf8_lossy(&exchange.response);
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\n") && text.ends_with(PAGE),
        "the answer to GET / over TLS: {}",
        printable(&exchange.response)
    );
}

#[netlings_helpers::test]
fn ends_the_connection_with_close_notify() {
    let site = Site::new();
    let (_server, address, _handle) = site.start(Duration::from_secs(60));
    let exchange = get_page(address, &site.ca, &[b"http/1.1"]);
    assert!(
        exchange.response.ends_with(PAGE.as_bytes()),
        "{}",
        printable(&exchange.response)
    );
    if let Err(error) = exchange.ending {
        panic!(
            "the connection ended with {error} ({:?}) instead of a clean end: a TLS server \
             sends close_notify before it closes (conn.send_close_notify(), then flush), or \
             the client cannot tell a complete response from a cut one",
            error.kind()
        );
    }
}

#[netlings_helpers::test]
fn refuses_a_client_that_speaks_only_h2() {
    let site = Site::new();
    let (server, address, _handle) = site.start(Duration::from_secs(60));
    let ca = Arc::clone(&site.ca);
    let outcome = within(STEP, "an HTTPS client offering only h2", move || {
        https_get(address, &ca, &[b"h2"])
    });
    match outcome {
        Ok(Exchange { ending: Err(_), .. }) | Err(_) => {}
        Ok(exchange) => panic!(
            "a client that offered only h2 was answered ({:?} negotiated): a server that \
             speaks only HTTP/1.1 must offer only http/1.1, and a client with nothing in \
             common must fail its handshake",
            exchange
                .alpn
                .map(|alpn| String::from_utf8_lossy(&alpn).into_owned())
        ),
    }
    server.expect_running("one client's failed handshake ends that connection only");
    let exchange = get_page(address, &site.ca, &[b"http/1.1"]);
    assert!(exchange.response.starts_with(b"HTTP/1.1 200 OK"));
}

#[netlings_helpers::test]
fn a_client_that_never_says_hello_holds_nobody_up() {
    let site = Site::new();
    let timeout = Duration::from_millis(400);
    let (_server, address, _handle) = site.start(timeout);
    let mut silent = TcpStream::connect_timeout(&address, STEP).expect("connecting");
    let exchange = get_page(address, &site.ca, &[b"http/1.1"]);
    assert!(
        exchange.response.starts_with(b"HTTP/1.1 200 OK"),
        "a second client must be served while the first one says nothing: the handshake \
         belongs in the connection's own thread, not in the accept loop"
    );
    silent
        .set_read_timeout(Some(STEP))
        .expect("setting a read timeout");
    let mut rest = Vec::new();
    match silent.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {}
        Err(error) => panic!(
            "a client that never started its handshake was still connected after {STEP:?} \
             ({error}); with request_timeout = {timeout:?} the handshake must be cut off: it \
             runs on the TimedStream, within the request deadline"
        ),
    }
}

#[netlings_helpers::test]
fn https_config_names_a_missing_file() {
    let site = Site::new();
    let missing = site.dir.path().join("no-such.pem");
    match https_config(&missing, &site.key()) {
        Ok(_) => panic!("https_config succeeded with a certificate file that does not exist"),
        Err(error) => {
            assert_eq!(error.kind(), io::ErrorKind::NotFound, "{error}");
            assert!(
                error.to_string().contains("no-such.pem"),
                "the error must name the file: {error}"
            );
        }
    }
    let wrong_key = TestCa::new("another CA").issue_server(&["localhost"]);
    let key = site.dir.write("wrong.key", &wrong_key.key_pem);
    match https_config(&site.cert(), &key) {
        Ok(_) => panic!("https_config accepted a key that does not belong to the certificate"),
        Err(error) => assert!(
            error.to_string().contains("wrong.key"),
            "the error must name the key file: {error}"
        ),
    }
}

#[netlings_helpers::test]
fn the_httpd_program_serves_https() {
    let site = Site::new();
    let (cert, key, root) = (site.cert(), site.key(), site.root());
    let program = Program::start(
        env!("CARGO_BIN_EXE_httpd"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--root",
            root.to_str().expect("a UTF-8 path"),
            "--tls-cert",
            cert.to_str().expect("a UTF-8 path"),
            "--tls-key",
            key.to_str().expect("a UTF-8 path"),
        ],
    );
    let exchange = get_page(program.address(), &site.ca, &[b"http/1.1"]);
    assert!(
        exchange.response.starts_with(b"HTTP/1.1 200 OK"),
        "httpd --tls-cert ... --tls-key ... must serve HTTPS: {}",
        printable(&exchange.response)
    );
}

#[netlings_helpers::test]
fn ends_with_the_error_of_a_broken_listener() {
    let site = Site::new();
    let (server, address, handle) = site.start(Duration::from_secs(60));
    get_page(address, &site.ca, &[b"http/1.1"]);
    expect_broken_listener_ends(&handle, &server, "serve_https()");
}

#[netlings_helpers::test]
fn closes_a_client_past_the_connection_limit() {
    let site = Site::new();
    let (_server, address, _handle) = site.start_with_limit(1, Duration::from_secs(60));
    // One client takes the one place: answered on a kept-alive connection,
    // so it has been accepted and counted, and it stays open.
    let ca = Arc::clone(&site.ca);
    let holder = within(STEP, "an HTTPS client within the limit", move || {
        let config = Arc::new(client_config(&ca));
        let session =
            ClientConnection::new(config, server_name("localhost")).map_err(io::Error::other)?;
        let tcp = TcpStream::connect_timeout(&address, STEP)?;
        tcp.set_read_timeout(Some(STEP))?;
        let mut tls = StreamOwned::new(session, tcp);
        tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")?;
        tls.flush()?;
        let mut response = Vec::new();
        let mut buffer = [0; 4096];
        while !response.ends_with(PAGE.as_bytes()) {
            match tls.read(&mut buffer)? {
                0 => break,
                read => response.extend_from_slice(&buffer[..read]),
            }
        }
        io::Result::Ok((tls, response))
    });
    let (holder, response) = match holder {
        Ok(held) => held,
        Err(error) => panic!("the first HTTPS client, within the limit, failed: {error}"),
    };
    assert!(
        response.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        printable(&response)
    );
    let ca = Arc::clone(&site.ca);
    let second = within(STEP, "an HTTPS client past the limit", move || {
        https_get(address, &ca, &[b"http/1.1"])
    });
    if let Ok(Exchange {
        response,
        ending: Ok(()),
        ..
    }) = &second
    {
        panic!(
            "with max_connections = 1 and one HTTPS connection open, a second client was \
             served ({}): serve_https must keep exercise 7's limit, and close a client past it \
             (turn_away_tls) instead of starting a thread for it",
            printable(response)
        );
    }
    // The place comes back when the holder's thread ends (just after the
    // close): try again until served.
    drop(holder);
    let started = std::time::Instant::now();
    loop {
        let ca = Arc::clone(&site.ca);
        let outcome = within(
            STEP,
            "an HTTPS client after the place came back",
            move || https_get(address, &ca, &[b"http/1.1"]),
        );
        if let Ok(exchange) = &outcome
            && exchange.response.starts_with(b"HTTP/1.1 200")
        {
            break;
        }
        assert!(
            started.elapsed() < STEP,
            "a connection closed {STEP:?} ago, and new HTTPS clients are still not served: the \
             place of a connection must come back when its thread ends"
        );
    }
}
