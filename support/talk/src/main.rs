//! talk: the course's own `nc`. Run it with `cargo talk ADDR`; see
//! `cargo talk --help` and the library's documentation (`lib.rs`).
//!
//! This file only reads the command line; the library does the talking.

use clap::{Arg, ArgAction, ArgMatches, Command};
use netlings_talk::tls::TlsOptions;
use netlings_talk::{AtEndOfInput, Options};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let options = options_from(&command().get_matches());
    // One thread is plenty for one conversation; stdin has a thread of its
    // own (see input.rs).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("talk: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(netlings_talk::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole chain: what talk was doing, then why.
            eprintln!("talk: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn command() -> Command {
    let path = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help(help)
    };
    let switch = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .action(ArgAction::SetTrue)
            .help(help)
    };
    Command::new("talk")
        .about(
            "The course's own nc: connects to a server, sends what you type, prints what comes \
             back, and says on stderr what happens to the connection.",
        )
        .after_help(
            "Examples:\n  cargo talk 127.0.0.1:7878\n  cargo talk --udp 127.0.0.1:7000\n  \
             printf hello | cargo talk --half-close 127.0.0.1:7878\n  \
             cargo talk --tls --ca certs/ca.pem localhost:7005",
        )
        .arg(
            Arg::new("address")
                .value_name("ADDR")
                .required(true)
                .help("where to connect: IP:port or name:port (127.0.0.1:7878, [::1]:7878, localhost:7005)"),
        )
        .arg(switch("udp", "UDP instead of TCP: each line is one datagram"))
        .arg(switch(
            "raw",
            "send stdin's bytes exactly as they come, not a line at a time (with --udp: all of \
             stdin as one datagram)",
        ))
        .arg(
            switch(
                "half-close",
                "when stdin ends, shut down only the sending side (FIN) and keep reading until \
                 the server closes; without it, talk closes the connection",
            )
            .conflicts_with("udp"),
        )
        .arg(
            Arg::new("wait")
                .long("wait")
                .value_name("SECONDS")
                .default_value("1")
                .value_parser(parse_seconds)
                .help("with --udp: how long to wait for replies after stdin ends"),
        )
        .arg(
            switch("tls", "TLS over the TCP connection (needs --ca)")
                .conflicts_with("udp")
                .requires("ca"),
        )
        .arg(path("ca", "the CA certificate to trust, PEM (make-certs writes ca.pem)").requires("tls"))
        .arg(
            Arg::new("name")
                .long("name")
                .value_name("NAME")
                .requires("tls")
                .help("the name to check the server's certificate against and send as SNI (default: the host in ADDR)"),
        )
        .arg(
            path("cert", "a client certificate, PEM, for mutual TLS (make-certs writes client.pem)")
                .requires_all(["tls", "key"]),
        )
        .arg(path("key", "the client certificate's private key, PEM").requires("cert"))
        .arg(
            Arg::new("alpn")
                .long("alpn")
                .value_name("PROTOCOLS")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .requires("tls")
                .help("application protocols to offer, comma-separated (h2,http/1.1)"),
        )
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|error| format!("{text:?}: {error}"))
}

fn options_from(arguments: &ArgMatches) -> Options {
    let path = |name: &str| arguments.get_one::<PathBuf>(name).cloned();
    let tls = arguments.get_flag("tls").then(|| TlsOptions {
        ca: path("ca").expect("clap requires --ca with --tls"),
        name: arguments.get_one::<String>("name").cloned(),
        client_identity: path("cert").zip(path("key")),
        alpn: arguments
            .get_many::<String>("alpn")
            .map(|protocols| protocols.cloned().collect())
            .unwrap_or_default(),
    });
    Options {
        address: arguments
            .get_one::<String>("address")
            .cloned()
            .expect("clap requires ADDR"),
        udp: arguments.get_flag("udp"),
        raw: arguments.get_flag("raw"),
        at_end_of_input: if arguments.get_flag("half-close") {
            AtEndOfInput::HalfClose
        } else {
            AtEndOfInput::Close
        },
        udp_wait: *arguments
            .get_one::<Duration>("wait")
            .expect("--wait has a default"),
        tls,
    }
}
