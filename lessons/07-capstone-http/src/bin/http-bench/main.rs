//! The performance benchmark of lesson 7: the reference `httpd` serving
//! code (`lesson7::server::serve`, a thread per connection on std sockets)
//! against hyper 1.x (a task per connection on tokio), serving the same
//! page, under the same keep-alive load from the same load generator, in
//! one run.
//!
//! For each server it measures:
//!
//! 1. **requests per second**: C clients (32 by default) each hold one
//!    keep-alive connection and send `GET /index.html` over and over, each
//!    waiting for its whole answer before the next request (no
//!    pipelining), for a few seconds after a warm-up;
//! 2. **latency**: p50 and p99 of those requests, from the first byte sent
//!    to the last byte of the answer read;
//! 3. **memory per connection**: the server's resident memory (VmRSS from
//!    /proc/PID/status) after N idle keep-alive connections (1,000 by
//!    default) have each had one answer, minus before, divided by N.
//!
//! The servers run in child processes (`http-bench --serve KIND ROOT`), so
//! that their memory is theirs alone; the load generator is this process,
//! one thread per client connection. Client and server share the machine's
//! cores, as they would on a small box; the ratio (reference/hyper) is the
//! number to compare, not the absolute rates.
//!
//! This is a benchmark, not a test: it asserts nothing, and every phase has
//! a deadline, so it never hangs. Run it in release mode, or you measure the
//! debug build:
//!
//! ```text
//! cargo run --release -p lesson7-demos --bin http-bench
//! cargo run --release -p lesson7-demos --bin http-bench -- --quick
//! ```

mod servers;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Arg, ArgAction, Command, value_parser};
use servers::ServerKind;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// The page both servers answer with: the lesson's own index.html.
const PAGE: &[u8] = include_bytes!("../../../www/index.html");

/// The request every client sends, again and again on one connection.
const REQUEST: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// How long any single read or connect may take before the phase fails.
const IO_DEADLINE: Duration = Duration::from_secs(10);

/// What to measure.
struct Options {
    clients: usize,
    warm_up: Duration,
    measure: Duration,
    idle_connections: usize,
}

/// One server's results.
struct Results {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    rss_per_connection_kib: f64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return servers::serve_in_child(
            args.get(1).map(String::as_str),
            args.get(2).map(String::as_str),
        );
    }
    let matches = Command::new("http-bench")
        .about(
            "lesson 7's reference httpd against hyper 1.x: requests/s, p50/p99 latency and \
             memory per connection, same page, same keep-alive load",
        )
        .arg(
            Arg::new("quick")
                .long("quick")
                .action(ArgAction::SetTrue)
                .help("a smoke run: 8 clients, 1 s, 200 idle connections"),
        )
        .arg(
            Arg::new("clients")
                .long("clients")
                .value_name("C")
                .value_parser(value_parser!(u16).range(1..=2_000))
                .help("keep-alive connections sending requests at once [default: 32]"),
        )
        .arg(
            Arg::new("seconds")
                .long("seconds")
                .value_name("S")
                .value_parser(value_parser!(u16).range(1..=60))
                .help("how long to count requests, per server [default: 5]"),
        )
        .get_matches();
    let quick = matches.get_flag("quick");
    let options = Options {
        clients: matches
            .get_one::<u16>("clients")
            .map_or(if quick { 8 } else { 32 }, |&clients| usize::from(clients)),
        warm_up: Duration::from_millis(if quick { 200 } else { 1_000 }),
        measure: Duration::from_secs(
            matches
                .get_one::<u16>("seconds")
                .map_or(if quick { 1 } else { 5 }, |&seconds| u64::from(seconds)),
        ),
        idle_connections: if quick { 200 } else { 1_000 },
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("http-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<()> {
    let root = std::env::temp_dir().join(format!("netlings-http-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    std::fs::write(root.join("index.html"), PAGE).context("writing index.html")?;
    let outcome = run_in(&root, options);
    let _ = std::fs::remove_dir_all(&root);
    outcome
}

fn run_in(root: &std::path::Path, options: &Options) -> Result<()> {
    println!("http-bench: lesson 7's reference httpd vs hyper 1.x, on 127.0.0.1");
    println!("machine: {}", describe_machine());
    println!(
        "load: {} keep-alive connections, each sending GET /index.html ({} bytes) and waiting \
         for the answer, {:?} after {:?} of warm-up; memory with {} idle connections",
        options.clients,
        PAGE.len(),
        options.measure,
        options.warm_up,
        options.idle_connections
    );
    let mut results = Vec::new();
    for kind in ServerKind::BOTH {
        let server = Server::start(kind, root)?;
        let measured =
            measure(&server, options).with_context(|| format!("{} server", kind.name()))?;
        results.push(measured);
    }
    let [reference, hyper] = &results[..] else {
        unreachable!("two servers")
    };
    println!();
    println!(
        "{:<28} {:>12} {:>12} {:>16}",
        "", "reference", "hyper", "reference/hyper"
    );
    let row = |name: &str, reference: String, hyper: String, ratio: f64| {
        println!("{name:<28} {reference:>12} {hyper:>12} {ratio:>16.2}");
    };
    row(
        "requests/s",
        format!("{:.0}", reference.requests_per_second),
        format!("{:.0}", hyper.requests_per_second),
        reference.requests_per_second / hyper.requests_per_second,
    );
    let micros = |latency: Duration| format!("{} µs", latency.as_micros());
    row(
        "latency p50",
        micros(reference.p50),
        micros(hyper.p50),
        reference.p50.as_secs_f64() / hyper.p50.as_secs_f64(),
    );
    row(
        "latency p99",
        micros(reference.p99),
        micros(hyper.p99),
        reference.p99.as_secs_f64() / hyper.p99.as_secs_f64(),
    );
    row(
        "memory per idle connection",
        format!("{:.1} KiB", reference.rss_per_connection_kib),
        format!("{:.1} KiB", hyper.rss_per_connection_kib),
        reference.rss_per_connection_kib / hyper.rss_per_connection_kib,
    );
    Ok(())
}

fn measure(server: &Server, options: &Options) -> Result<Results> {
    // One request first: the server answers at all, with the page.
    let mut probe = Connection::open(server.address)?;
    let body = probe.get()?;
    if body != PAGE {
        bail!("the answer's body is not index.html ({} bytes)", body.len());
    }
    drop(probe);

    let (requests_per_second, mut latencies) = load(server.address, options)?;
    latencies.sort_unstable();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let (p50, p99) = (percentile(0.50), percentile(0.99));
    println!(
        "{}: {requests_per_second:.0} requests/s, p50 {p50:.1?}, p99 {p99:.1?}",
        server.kind.name()
    );

    let before = server.rss_kib()?;
    let mut idle = Vec::with_capacity(options.idle_connections);
    for _ in 0..options.idle_connections {
        let mut connection = Connection::open(server.address)?;
        connection.get()?;
        idle.push(connection);
    }
    // Let the last threads or tasks settle into their wait for a next
    // request before reading the memory: a benchmark may wait; a test may not.
    thread::sleep(Duration::from_millis(300));
    let after = server.rss_kib()?;
    let rss_per_connection_kib = (after.saturating_sub(before)) as f64 / idle.len() as f64;
    println!(
        "{}: {} idle connections: RSS {before} KiB -> {after} KiB, {rss_per_connection_kib:.1} KiB each",
        server.kind.name(),
        idle.len()
    );
    Ok(Results {
        requests_per_second,
        p50,
        p99,
        rss_per_connection_kib,
    })
}

/// The load: `options.clients` threads, each with one connection, sending
/// a request and reading its answer until told to stop. Returns the
/// requests per second and the latencies of the measured period.
fn load(address: SocketAddr, options: &Options) -> Result<(f64, Vec<Duration>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let measure_from = started + options.warm_up;
    let measure_until = measure_from + options.measure;
    let (done, results) = mpsc::channel();
    for _ in 0..options.clients {
        let stop = Arc::clone(&stop);
        let done = done.clone();
        thread::spawn(move || {
            let outcome = (|| -> Result<Vec<Duration>> {
                let mut connection = Connection::open(address)?;
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    connection.get()?;
                    if sent >= measure_from && sent < measure_until {
                        latencies.push(sent.elapsed());
                    }
                }
                Ok(latencies)
            })();
            let _ = done.send(outcome);
        });
    }
    drop(done);
    thread::sleep(measure_until.saturating_duration_since(Instant::now()));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for _ in 0..options.clients {
        let outcome = results
            .recv_timeout(IO_DEADLINE)
            .map_err(|_| anyhow!("a client did not finish within {IO_DEADLINE:?}"))?;
        latencies.extend(outcome?);
    }
    if latencies.is_empty() {
        bail!("no request finished in the measured period");
    }
    let requests_per_second = latencies.len() as f64 / options.measure.as_secs_f64();
    Ok((requests_per_second, latencies))
}

/// One keep-alive connection of the load generator.
struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    fn open(address: SocketAddr) -> Result<Connection> {
        let stream = TcpStream::connect_timeout(&address, IO_DEADLINE)
            .with_context(|| format!("connecting to {address}"))?;
        stream.set_read_timeout(Some(IO_DEADLINE))?;
        // Each request is one write; do not let Nagle hold it (lesson 6).
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream),
        })
    }

    /// Sends `GET /index.html` and reads the whole answer; returns its body.
    fn get(&mut self) -> Result<Vec<u8>> {
        self.reader.get_mut().write_all(REQUEST)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        if !line.starts_with("HTTP/1.1 200 ") {
            bail!("the answer started with {line:?}");
        }
        let mut length = None;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("the connection ended inside an answer's head");
            }
            let field = line.trim_end();
            if field.is_empty() {
                break;
            }
            if let Some((name, value)) = field.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| anyhow!("an answer without Content-Length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(body)
    }
}

/// A server child process; dropping it kills the child.
struct Server {
    kind: ServerKind,
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(kind: ServerKind, root: &std::path::Path) -> Result<Server> {
        let executable = std::env::current_exe().context("finding http-bench itself")?;
        let mut child = std::process::Command::new(executable)
            .arg("--serve")
            .arg(kind.name())
            .arg(PathBuf::from(root))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // The reference logs a line per request: to /dev/null, as a
            // server's log to a file would cost about the same write(2).
            .stderr(Stdio::null())
            .spawn()
            .context("starting the server child")?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (line_tx, line) = mpsc::channel();
        thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = line_tx.send(first);
        });
        let mut server = Server {
            kind,
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let first = line
            .recv_timeout(IO_DEADLINE)
            .map_err(|_| anyhow!("the {} server did not say where it listens", kind.name()))?;
        server.address = first
            .trim()
            .strip_prefix("listening on ")
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| anyhow!("the {} server printed {first:?}", kind.name()))?;
        Ok(server)
    }

    /// The child's resident memory, in KiB.
    fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading the server's /proc/PID/status")?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow!("no VmRSS line in /proc/PID/status"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Cores, kernel and load average: what the numbers depend on.
fn describe_machine() -> String {
    let cores = thread::available_parallelism().map_or(0, usize::from);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{cores} cores, Linux {}, load average {} before the run",
        kernel.trim(),
        load.join(" ")
    )
}
