//! tls-echo: a TLS echo server. Every byte a client sends comes back,
//! encrypted, until the client ends its session.
//!
//! ```text
//! cargo run -p lesson5 --bin make-certs -- --out certs
//! cargo run -p lesson5 --bin tls-echo -- --listen 127.0.0.1:7005 \
//!     --cert certs/server.pem --key certs/server.key
//! openssl s_client -CAfile certs/ca.pem -servername localhost -connect 127.0.0.1:7005
//! ```
//!
//! With `--client-ca certs/ca.pem` it requires mutual TLS: every client must
//! present a certificate from that CA (`openssl s_client ... -cert
//! certs/client.pem -key certs/client.key`).
//!
//! This file only reads the command line, loads the files and binds; the
//! server is `lesson5::echo_server`, which you write in exercise 2, with the
//! configuration of `lesson5::mtls` (exercise 6) when `--client-ca` is given.

use clap::{Arg, Command};
use lesson5::echo_server::{HANDSHAKE_TIMEOUT, load_server_config, serve_tls_echo};
use lesson5::mtls::mtls_server_config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments = Command::new("tls-echo")
        .about("A TLS echo server: every byte a client sends comes back, encrypted.")
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("ADDR")
                .default_value("127.0.0.1:0")
                .value_parser(clap::value_parser!(SocketAddr))
                .help("the IP:port to listen on (127.0.0.1:0: a port the OS chooses)"),
        )
        .arg(
            Arg::new("cert")
                .long("cert")
                .value_name("FILE")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("the server's certificate chain, PEM (make-certs writes server.pem)"),
        )
        .arg(
            Arg::new("key")
                .long("key")
                .value_name("FILE")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("the server's private key, PEM (make-certs writes server.key)"),
        )
        .arg(
            Arg::new("client-ca")
                .long("client-ca")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("require a client certificate from the CA in this PEM file (mutual TLS)"),
        )
        .get_matches();
    let address = *arguments
        .get_one::<SocketAddr>("listen")
        .expect("defaulted");
    let cert = arguments.get_one::<PathBuf>("cert").expect("required");
    let key = arguments.get_one::<PathBuf>("key").expect("required");
    let client_ca = arguments.get_one::<PathBuf>("client-ca");
    let outcome = (|| -> Result<(), String> {
        // Load the files before binding: a wrong path is reported at once,
        // and never after a client has connected.
        let config = match client_ca {
            Some(client_ca) => mtls_server_config(cert, key, client_ca),
            None => load_server_config(cert, key),
        }
        .map_err(|error| error.to_string())?;
        let listener = netlings_cli::listen_tcp(address)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        netlings_cli::serve_on_tokio(listener, |listener| {
            serve_tls_echo(listener, acceptor, HANDSHAKE_TIMEOUT)
        })
    })();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tls-echo: {message}");
            ExitCode::FAILURE
        }
    }
}
