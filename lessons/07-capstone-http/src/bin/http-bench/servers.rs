//! The two servers under test, each run in a child process of its own
//! (`http-bench --serve reference|hyper ROOT`), so that its memory can be
//! read from /proc/PID/status alone and the load generator's threads do not
//! count as the server's.

use lesson7::server::{Limits, serve};
use netlings_cli::accept::{ACCEPT_BACKOFF, AcceptFailure, accept_failure};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Which server a child process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// Lesson 7's reference `serve`: a thread per connection, blocking
    /// reads and writes, the file read from disk for every request.
    Reference,
    /// hyper 1.x's HTTP/1.1 server on a multi-threaded tokio runtime: a
    /// task per connection on two worker threads (one per core here).
    Hyper,
}

impl ServerKind {
    pub const BOTH: [ServerKind; 2] = [ServerKind::Reference, ServerKind::Hyper];

    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Reference => "reference",
            ServerKind::Hyper => "hyper",
        }
    }
}

/// The hidden `--serve KIND ROOT` mode: listen on 127.0.0.1:0, print
/// `listening on ADDR`, serve `ROOT/index.html` until killed.
pub fn serve_in_child(kind: Option<&str>, root: Option<&str>) -> ExitCode {
    let (Some(kind), Some(root)) = (kind, root) else {
        eprintln!("http-bench: --serve needs reference|hyper and a root directory");
        return ExitCode::from(2);
    };
    let root = PathBuf::from(root);
    let listener = match netlings_cli::listen_tcp(SocketAddr::from(([127, 0, 0, 1], 0))) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("http-bench: {message}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match kind {
        "reference" => {
            // The limit well above what the benchmark opens; the request
            // timeout longer than any phase.
            let limits = Limits {
                max_connections: 20_000,
                request_timeout: Duration::from_secs(120),
            };
            serve(listener, root, limits).map_err(|error| error.to_string())
        }
        "hyper" => serve_with_hyper(listener, root),
        other => Err(format!("unknown server {other:?}")),
    };
    if let Err(message) = outcome {
        eprintln!("http-bench: {message}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// hyper's HTTP/1.1 server, answering every request with `index.html`,
/// read once at start: what a hyper program that serves one page does.
/// (The reference reads the file from disk for each request, after
/// resolving its path: the chapter counts what that costs.)
fn serve_with_hyper(listener: std::net::TcpListener, root: PathBuf) -> Result<(), String> {
    use bytes::Bytes;
    use http_body_util::Full;
    use hyper::header::{CONTENT_TYPE, HeaderValue};
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper::{Request, Response};
    use hyper_util::rt::TokioIo;

    let page = Bytes::from(
        std::fs::read(root.join("index.html"))
            .map_err(|error| format!("reading index.html: {error}"))?,
    );
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| format!("cannot start the tokio runtime: {error}"))?;
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|error| error.to_string())?;
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|error| error.to_string())?;
        loop {
            // The accept-loop rule, as every accept loop of the course.
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(error) => match accept_failure(&error) {
                    AcceptFailure::OneConnection => continue,
                    AcceptFailure::OutOfResources => {
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                    AcceptFailure::ListenerBroken => return Err(error.to_string()),
                },
            };
            let page = page.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_request: Request<hyper::body::Incoming>| {
                    let mut response = Response::new(Full::new(page.clone()));
                    response.headers_mut().insert(
                        CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    );
                    async move { Ok::<_, Infallible>(response) }
                });
                // A connection's error (a client that left) ends that
                // connection only.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
