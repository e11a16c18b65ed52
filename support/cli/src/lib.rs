//! The contract every server program of netlings follows, in one place:
//!
//! - `--listen ADDR` chooses the address; without it the program listens on
//!   `127.0.0.1:0`, a port the OS chooses on the loopback interface only;
//! - the first line on stdout is `listening on ADDR`, with the address the OS
//!   really bound, flushed at once, so that a person or a test knows where to
//!   connect;
//! - it serves until killed.
//!
//! The programs only call [`run`] with a closure that binds ([`listen_tcp`],
//! [`bind_udp`]) and hands the socket to their lesson's library; an async
//! library gets it through [`serve_on_tokio`] (feature `tokio`).
//! The lessons' demos share one more helper, [`pause`], which waits for Enter
//! so that a reader can look at the demo's sockets with `ss`.
//!
//! [`explain`] puts what went wrong into words, for the tests and `talk`.
//!
//! Every accept loop of the course, in the exercises and the programs, sorts
//! its `accept()` errors with [`accept::accept_failure`]: the rule lesson 2
//! teaches. A program that stops gracefully waits for Ctrl-C and SIGTERM
//! with [`signal`].

pub mod accept;
pub mod explain;
pub mod signal;

use std::io::{BufRead, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::ExitCode;

/// Runs a server program: reads `--listen ADDR` from the command line
/// (answering `--help` and mistakes itself), then calls `serve` with the
/// address. A failure `serve` returns is printed as `PROGRAM: message` and
/// the program exits with 1.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     netlings_cli::run("whoami", "Tells each client who it is.", |address| {
///         let listener = netlings_cli::listen_tcp(address)?;
///         // ... serve on `listener`, turning an error into a sentence.
///         # drop(listener);
///         Ok(())
///     })
/// }
/// ```
pub fn run(
    program: &str,
    about: &str,
    serve: impl FnOnce(SocketAddr) -> Result<(), String>,
) -> ExitCode {
    let address = match listen_address(program, about) {
        Ok(address) => address,
        Err(exit_code) => return exit_code,
    };
    match serve(address) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{program}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Binds a TCP listener to `address` and announces the address the OS
/// really bound (with port 0, the port it chose).
pub fn listen_tcp(address: SocketAddr) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(address)
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    announce(bound_address(address, listener.local_addr())?);
    Ok(listener)
}

/// Binds a UDP socket to `address` and announces the address the OS really
/// bound. UDP has no listen(): a bound socket receives datagrams at once.
pub fn bind_udp(address: SocketAddr) -> Result<UdpSocket, String> {
    let socket =
        UdpSocket::bind(address).map_err(|error| format!("cannot bind {address}: {error}"))?;
    announce(bound_address(address, socket.local_addr())?);
    Ok(socket)
}

/// Serves an async server on `listener`: builds a multi-threaded tokio
/// runtime (one worker thread per core, what a real server uses), hands the
/// bound std listener over to tokio, and runs `serve` with it until it
/// returns. Its error comes back as a sentence for [`run`] to print.
///
/// ```no_run
/// # async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> { Ok(()) }
/// fn main() -> std::process::ExitCode {
///     netlings_cli::run("echo", "Sends every byte back.", |address| {
///         let listener = netlings_cli::listen_tcp(address)?;
///         netlings_cli::serve_on_tokio(listener, serve)
///     })
/// }
/// ```
#[cfg(feature = "tokio")]
pub fn serve_on_tokio<Serve, Served>(listener: TcpListener, serve: Serve) -> Result<(), String>
where
    Serve: FnOnce(tokio::net::TcpListener) -> Served,
    Served: std::future::Future<Output = std::io::Result<()>>,
{
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| format!("cannot start the tokio runtime: {error}"))?;
    runtime.block_on(async {
        // tokio takes over the bound std listener; it must not block.
        listener
            .set_nonblocking(true)
            .map_err(|error| format!("cannot make the listener non-blocking: {error}"))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|error| format!("cannot hand the listener to tokio: {error}"))?;
        serve(listener)
            .await
            .map_err(|error| format!("the listener failed: {error}"))
    })
}

fn bound_address(
    requested: SocketAddr,
    bound: std::io::Result<SocketAddr>,
) -> Result<SocketAddr, String> {
    bound.map_err(|error| format!("cannot read the address bound for {requested}: {error}"))
}

/// Where a server program should listen, read from its command line.
///
/// On `--help` it prints the usage to stdout, on a mistake it prints what
/// is wrong to stderr; either way it returns the code to exit with.
fn listen_address(program: &str, about: &str) -> Result<SocketAddr, ExitCode> {
    parse_listen_address(program, about, std::env::args().skip(1)).map_err(|(message, code)| {
        if code == ExitCode::SUCCESS {
            println!("{message}");
        } else {
            eprintln!("{message}");
        }
        code
    })
}

fn parse_listen_address(
    program: &str,
    about: &str,
    mut args: impl Iterator<Item = String>,
) -> Result<SocketAddr, (String, ExitCode)> {
    let usage = format!(
        "{about}\n\nUsage: {program} [--listen ADDR]\n\n  --listen ADDR  the IP:port to listen on \
         (default 127.0.0.1:0, a port the OS chooses)"
    );
    let mut address = SocketAddr::from(([127, 0, 0, 1], 0));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err((usage, ExitCode::SUCCESS)),
            "--listen" => {
                let value = args.next().ok_or_else(|| {
                    (
                        format!("--listen needs an address, like 127.0.0.1:7878\n\n{usage}"),
                        ExitCode::from(2),
                    )
                })?;
                address = value.parse().map_err(|_| {
                    (
                        format!(
                            "--listen {value}: not an IP:port address (try 127.0.0.1:7878 or [::1]:7878)"
                        ),
                        ExitCode::from(2),
                    )
                })?;
            }
            other => {
                return Err((
                    format!("unknown argument {other:?}\n\n{usage}"),
                    ExitCode::from(2),
                ));
            }
        }
    }
    Ok(address)
}

/// Prints `listening on ADDR` and flushes it, so that whoever started the
/// program learns the address at once, even through a pipe.
pub fn announce(bound: SocketAddr) {
    let mut stdout = std::io::stdout().lock();
    // If stdout is gone there is nobody to tell; the server still serves.
    let _ = writeln!(stdout, "listening on {bound}");
    let _ = stdout.flush();
}

/// Prints `prompt` and waits until the reader presses Enter.
///
/// Some demos stop half-way so that you can look at their sockets from
/// another terminal with `ss`. When stdin is not a terminal, or is closed
/// (`cargo run ... </dev/null`, or a CI job), there is nobody to press Enter:
/// reading then returns end-of-file at once, and the demo simply carries on.
/// That is why this reads a line and treats "0 bytes read" as "go on", instead
/// of waiting for a key that can never come.
pub fn pause(prompt: &str) {
    print!("{prompt} ");
    // `print!` without a newline stays in stdout's buffer; flush it, or the
    // reader would stare at an empty line while the program waits for them.
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => println!("(stdin is closed, so not waiting)"),
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<SocketAddr, (String, ExitCode)> {
        parse_listen_address("demo", "A demo.", args.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn defaults_to_loopback_port_zero() {
        assert_eq!(parse(&[]).unwrap(), "127.0.0.1:0".parse().unwrap());
    }

    #[test]
    fn reads_listen() {
        assert_eq!(
            parse(&["--listen", "[::1]:80"]).unwrap(),
            "[::1]:80".parse().unwrap()
        );
    }

    #[test]
    fn explains_bad_input() {
        assert!(
            parse(&["--listen", "localhost:80"])
                .unwrap_err()
                .0
                .contains("not an IP:port")
        );
        assert!(
            parse(&["--listen"])
                .unwrap_err()
                .0
                .contains("needs an address")
        );
        assert!(
            parse(&["--port", "80"])
                .unwrap_err()
                .0
                .contains("unknown argument")
        );
        assert!(parse(&["--help"]).unwrap_err().0.contains("Usage: demo"));
    }
}
