//! make-certs: makes the course's own certificate authority, a server
//! certificate for `localhost`, `127.0.0.1` and `::1`, and a client
//! certificate for mutual TLS, as PEM files in a directory.
//!
//! ```text
//! cargo run -p lesson5 --bin make-certs -- --out certs
//! ls -l certs       ca.pem  client.key  client.pem  server.key  server.pem
//! ```
//!
//! Trust `ca.pem` in your clients (`curl --cacert certs/ca.pem`), never in
//! your system's store: it is a CA made for this course only. This file only
//! reads the command line; the work is `lesson5::certs::write_course_certs`,
//! which you write in exercise 1.

use clap::{Arg, Command};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments = Command::new("make-certs")
        .about("Makes a course CA, a server certificate for localhost, 127.0.0.1 and ::1, and a client certificate, as PEM files.")
        .arg(
            Arg::new("out")
                .long("out")
                .value_name("DIR")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("the directory to write ca.pem, server.pem, server.key, client.pem and client.key to (created if missing)"),
        )
        .get_matches();
    let dir = arguments
        .get_one::<PathBuf>("out")
        .expect("--out is required");
    if let Err(error) = std::fs::create_dir_all(dir) {
        eprintln!("make-certs: cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    match lesson5::certs::write_course_certs(dir) {
        Ok(()) => {
            println!(
                "wrote ca.pem, server.pem, server.key, client.pem and client.key to {}",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("make-certs: {error}");
            ExitCode::FAILURE
        }
    }
}
