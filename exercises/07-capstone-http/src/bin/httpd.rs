//! httpd: the web server of lesson 7. It serves the files under a root
//! directory over HTTP/1.1, to many clients at once.
//!
//! ```text
//! cargo run -p lesson7 --bin httpd -- --listen 127.0.0.1:8080 --root lessons/07-capstone-http/www
//! curl -v http://127.0.0.1:8080/
//!
//! cargo run -p lesson5 --bin make-certs -- --out certs
//! cargo run -p lesson7 --bin httpd -- --listen 127.0.0.1:8443 --root lessons/07-capstone-http/www \
//!     --tls-cert certs/server.pem --tls-key certs/server.key
//! curl -v --cacert certs/ca.pem https://localhost:8443/
//! ```
//!
//! This file only reads the command line, binds, and turns Ctrl-C or
//! SIGTERM into a graceful stop; the server is
//! `lesson7::shutdown::serve_until`, which you write in exercise 8, on top
//! of exercises 1 to 7; with `--tls-cert`, `lesson7::tls::serve_https`
//! (exercise 9), which a signal simply ends.
//!
//! It logs one line per request on stderr: the client, the method and
//! target, the status, the bytes of body sent and the time taken.

use clap::{Arg, Command};
use lesson7::server::Limits;
use lesson7::shutdown::{Shutdown, serve_until};
use lesson7::tls::{https_config, serve_https};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

fn main() -> ExitCode {
    let arguments = Command::new("httpd")
        .about("An HTTP/1.1 server for the files under a directory.")
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("ADDR")
                .default_value("127.0.0.1:0")
                .value_parser(clap::value_parser!(SocketAddr))
                .help("the IP:port to listen on (127.0.0.1:0: a port the OS chooses)"),
        )
        .arg(
            Arg::new("root")
                .long("root")
                .value_name("DIR")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("the directory whose files are served"),
        )
        .arg(
            Arg::new("tls-cert")
                .long("tls-cert")
                .value_name("FILE")
                .requires("tls-key")
                .value_parser(clap::value_parser!(PathBuf))
                .help("serve HTTPS with this certificate chain (PEM; lesson 5's make-certs writes one)"),
        )
        .arg(
            Arg::new("tls-key")
                .long("tls-key")
                .value_name("FILE")
                .requires("tls-cert")
                .value_parser(clap::value_parser!(PathBuf))
                .help("the private key of --tls-cert (PEM)"),
        )
        .arg(
            Arg::new("max-connections")
                .long("max-connections")
                .value_name("N")
                .default_value("256")
                .value_parser(clap::value_parser!(usize))
                .help("open connections at most; the next client gets 503 (Limits::default)"),
        )
        .arg(
            Arg::new("request-timeout-ms")
                .long("request-timeout-ms")
                .value_name("MS")
                .default_value("10000")
                .value_parser(clap::value_parser!(u64))
                .help("how long a client may take to send one whole request"),
        )
        .get_matches();
    let address = *arguments
        .get_one::<SocketAddr>("listen")
        .expect("defaulted");
    let root = arguments.get_one::<PathBuf>("root").expect("required");
    let limits = Limits {
        max_connections: *arguments.get_one("max-connections").expect("defaulted"),
        request_timeout: Duration::from_millis(
            *arguments
                .get_one::<u64>("request-timeout-ms")
                .expect("defaulted"),
        ),
    };
    let outcome = (|| -> Result<(), String> {
        // A root that is not a directory is reported now, not as a 404 to
        // every client.
        if !root.is_dir() {
            return Err(format!("--root {}: not a directory", root.display()));
        }
        // Load the certificate and key before binding: a wrong path is
        // reported at once, never after a client has connected.
        let tls = match (
            arguments.get_one::<PathBuf>("tls-cert"),
            arguments.get_one::<PathBuf>("tls-key"),
        ) {
            (Some(cert), Some(key)) => {
                Some(https_config(cert, key).map_err(|error| error.to_string())?)
            }
            _ => None,
        };
        let listener = netlings_cli::listen_tcp(address)?;
        match tls {
            Some(config) => serve_https(listener, root.clone(), limits, config),
            None => serve_until_a_signal(listener, root.clone(), limits),
        }
        .map_err(|error| format!("the listener failed: {error}"))
    })();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("httpd: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until Ctrl-C (SIGINT) or SIGTERM, then stops gracefully
/// (exercise 8): new clients are refused, idle connections closed, the
/// requests in flight answered; then returns.
fn serve_until_a_signal(listener: TcpListener, root: PathBuf, limits: Limits) -> io::Result<()> {
    // Before any thread starts, so that every thread inherits the mask and
    // only the one below takes the signals.
    let signals = netlings_cli::signal::block_stop_signals()?;
    let shutdown = Shutdown::new(&listener)?;
    let trigger = shutdown.clone();
    thread::spawn(move || match signals.wait() {
        Ok(signal) => {
            eprintln!("httpd: {signal}: stopping; the requests in flight are finished first");
            trigger.trigger();
        }
        Err(error) => eprintln!("httpd: cannot wait for Ctrl-C: {error}"),
    });
    serve_until(listener, root, limits, shutdown)?;
    eprintln!("httpd: stopped");
    Ok(())
}
