//! The threads-vs-tasks benchmark of lesson 4: a thread-per-connection std
//! echo server against a task-per-connection tokio echo server, under the
//! same load.
//!
//! For each server it measures:
//!
//! 1. **connections held**: open N idle connections (1,000 and 10,000 by
//!    default), then check that every one of them still echoes a byte while
//!    all are open. A server that runs out of threads, memory or file
//!    descriptors holds fewer, and the benchmark says why.
//! 2. **resident memory per idle connection**: the server's VmRSS (from
//!    /proc/PID/status) after opening the connections, minus before, divided
//!    by the number of connections. RSS counts the process's own pages only.
//!    Each thread of the thread server also has a kernel stack (16 KiB on
//!    x86-64) in kernel memory, which RSS does not show; the benchmark
//!    estimates it from /proc/meminfo's KernelStack, and prints how many
//!    threads each server runs.
//! 3. **round trips per second**: 100 clients each send 64 bytes and wait
//!    for the echo, over and over, for 3 seconds.
//!
//! The servers run in child processes: the program starts itself again as
//! `echo-bench --serve threads|tokio` (see `system::ServerProcess::start`
//! for why), and this process is the client and the measurer. Every server
//! is killed at the end of its phase, also when the phase fails.
//!
//! This is a benchmark, not a test: it asserts nothing. Its numbers depend on
//! the machine and on whatever else runs on it; compare the ratios
//! (threads/tokio), not the absolute numbers. Every phase has a time limit,
//! so it never hangs.
//!
//! Run it in release mode, or you measure the debug build's overhead:
//!
//! ```text
//! cargo run --release -p lesson4-demos --bin echo-bench
//! cargo run --release -p lesson4-demos --bin echo-bench -- --quick
//! ```

mod client;
mod server;
mod system;

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::fmt::Display;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use server::{ServerKind, THREAD_STACK_SIZE};
use system::ServerProcess;

const ABOUT: &str = "\
a thread-per-connection echo server against a task-per-connection tokio echo
server: connections held, memory per idle connection, round trips/s.";

/// The round-trip phase's target for the tokio server, and the memory target
/// for an idle tokio connection, from the lesson text.
const TARGET_CONNECTIONS: usize = 10_000;
const TARGET_RSS_PER_CONNECTION_KIB: f64 = 16.0;

/// File descriptors the client keeps for itself besides its connections:
/// stdio, the runtime's epoll and eventfd, the pipes to its children.
const SPARE_FILE_DESCRIPTORS: usize = 64;

/// How long a server is left alone before a memory reading: after it starts
/// (so its start-up allocations are not counted as connection costs), and
/// after the connections are open (so the last threads and tasks have
/// settled).
const SETTLE: Duration = Duration::from_millis(500);

/// What to measure, from the command line.
struct Options {
    /// The numbers of idle connections to hold, each with a fresh server.
    connections: Vec<usize>,
    /// How long the round-trip phase counts, after its warm-up.
    measure: Duration,
    /// How many clients the round-trip phase runs at once.
    clients: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The hidden server mode: the benchmark starts itself with `--serve`.
    if args.first().map(String::as_str) == Some("--serve") {
        return server::serve(args.get(1).map(String::as_str));
    }
    // clap answers --help and mistakes itself (exit code 0 and 2).
    let options = Options::from_matches(&command().get_matches());
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn command() -> Command {
    Command::new("echo-bench")
        .about(ABOUT)
        .arg(
            Arg::new("connections")
                .long("connections")
                .value_name("N,...")
                .value_parser(connection_counts)
                .help("Idle connections to open, one fresh server per count [default: 1000,10000]"),
        )
        .arg(
            Arg::new("seconds")
                .long("seconds")
                .value_name("S")
                .value_parser(seconds)
                .help("How long to count round trips [default: 3]"),
        )
        .arg(
            Arg::new("clients")
                .long("clients")
                .value_name("C")
                .value_parser(value_parser!(u16).range(1..=10_000))
                .help("Concurrent clients in the round-trip phase [default: 100]"),
        )
        .arg(
            Arg::new("quick")
                .long("quick")
                .action(ArgAction::SetTrue)
                .help(
                    "A smoke run: --connections 100,500 --seconds 1 --clients 10 \
                     (flags given as well override it)",
                ),
        )
}

/// `1000,10000`: positive counts, `_` allowed between digits.
fn connection_counts(list: &str) -> Result<Vec<usize>, String> {
    list.split(',')
        .map(|count| count.trim().replace('_', "").parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|counts| !counts.is_empty() && !counts.contains(&0))
        .ok_or_else(|| "expected positive counts like 1000,10000".to_owned())
}

fn seconds(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|seconds| (0.1..=600.0).contains(seconds))
        .ok_or_else(|| "expected 0.1 to 600".to_owned())
}

impl Options {
    fn from_matches(matches: &ArgMatches) -> Options {
        let (default_connections, default_seconds, default_clients) = if matches.get_flag("quick") {
            (vec![100, 500], 1.0, 10)
        } else {
            (vec![1_000, 10_000], 3.0, 100)
        };
        Options {
            connections: matches
                .get_one::<Vec<usize>>("connections")
                .cloned()
                .unwrap_or(default_connections),
            measure: Duration::from_secs_f64(
                matches
                    .get_one::<f64>("seconds")
                    .copied()
                    .unwrap_or(default_seconds),
            ),
            clients: matches
                .get_one::<u16>("clients")
                .map_or(default_clients, |clients| usize::from(*clients)),
        }
    }
}

/// What one server did with N idle connections.
struct Hold {
    /// N, the connections asked for.
    asked: usize,
    /// The connections that answered an echo while all were open.
    held: usize,
    /// Server RSS growth per connection open at the reading, in KiB.
    rss_per_connection_kib: Option<f64>,
    /// Growth of the machine's kernel stacks per connection, in KiB: a noisy,
    /// system-wide estimate of what RSS leaves out.
    kernel_stacks_per_connection_kib: Option<f64>,
    /// The server's thread count with the connections open.
    server_threads: Option<u64>,
    /// Why `held < asked`, when it is.
    shortfall: Option<String>,
}

/// One row's pair of results: (threads, tokio). `None` is a phase that
/// failed; the log says why.
type Pair<T> = [Option<T>; 2];

fn run(options: &Options) -> Result<()> {
    let machine = system::describe_machine();
    println!("echo-bench: threads vs tokio tasks, echo servers on 127.0.0.1");
    println!("machine: {machine}");

    // The client holds one end of every connection, so it needs as many
    // file descriptors as the largest count, plus a few of its own.
    let largest = options.connections.iter().copied().max().unwrap_or(0);
    let needed = largest.max(options.clients) + SPARE_FILE_DESCRIPTORS;
    let file_limit = system::raise_open_file_limit().context("raising the open-file limit")?;
    // Say "raised" only when it was: a soft limit already at the hard limit
    // is left as it is.
    let raised = if file_limit.now > file_limit.before {
        format!("raised from {}", thousands(file_limit.before))
    } else {
        String::from("already at the hard limit")
    };
    println!(
        "open-file limit: {} ({raised}; hard limit {}); this run needs about {}",
        thousands(file_limit.now),
        thousands(file_limit.hard),
        thousands(needed),
    );
    let connection_budget = usize::try_from(file_limit.now)
        .unwrap_or(usize::MAX)
        .saturating_sub(SPARE_FILE_DESCRIPTORS);
    if connection_budget < largest {
        println!(
            "  the hard limit stops this process at about {} connections, fewer than {}: \
             larger counts are tried only up to that (raising the hard limit needs \
             CAP_SYS_RESOURCE)",
            thousands(connection_budget),
            thousands(largest),
        );
    }

    // The client's runtime: one worker thread per core, like the tokio
    // server's. Client and server compete for the same cores, as they would
    // on a loaded machine; the comparison is fair because both servers face
    // the same client.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the client's tokio runtime")?;

    // The two servers take turns for each measurement, rather than one
    // after the other for all of them: on a shared machine the background
    // load drifts, and measuring them close together keeps that drift out of
    // the ratios.
    let mut holds: Vec<Pair<Hold>> = Vec::new();
    for &asked in &options.connections {
        holds.push(ServerKind::BOTH.map(|kind| {
            println!("\n== {kind}: hold {} idle connections", thousands(asked));
            hold_idle_connections(&runtime, kind, asked, connection_budget)
                .inspect_err(|error| println!("  failed: {error:#}"))
                .ok()
        }));
    }
    let round_trips: Pair<client::RoundTrips> = ServerKind::BOTH.map(|kind| {
        println!(
            "\n== {kind}: round trips with {} clients for {:?}",
            options.clients, options.measure
        );
        count_round_trips(&runtime, kind, options)
            .inspect_err(|error| println!("  failed: {error:#}"))
            .ok()
    });

    print_report(options, &holds, &round_trips, &machine);
    Ok(())
}

/// Phase 1 and 2 for one server and one count: a fresh server, `asked` idle
/// connections, memory before and after, then the check that all are held.
fn hold_idle_connections(
    runtime: &tokio::runtime::Runtime,
    kind: ServerKind,
    asked: usize,
    connection_budget: usize,
) -> Result<Hold> {
    let mut server = ServerProcess::start(kind)?;
    println!(
        "  server pid {} is listening on {}",
        server.pid(),
        server.address
    );
    thread::sleep(SETTLE);
    let before = server.status()?;
    let kernel_stacks_before = system::kernel_stacks_kib();

    let tried = asked.min(connection_budget);
    let started = Instant::now();
    let opened = runtime.block_on(client::open_idle(server.address, tried));
    let open = opened.succeeded.len();
    println!(
        "  opened {} of {} connections in {:.1?}",
        thousands(open),
        thousands(asked),
        started.elapsed()
    );
    report_failures(opened.failed, &opened.first_failure, &opened.gave_up);

    thread::sleep(SETTLE);
    // A server that crashed under the load has no /proc entry any more; the
    // phase still goes on, to report how far it got and why.
    let after = server
        .status()
        .inspect_err(|error| println!("  no memory reading: {error:#}"))
        .ok();
    let kernel_stacks_after = system::kernel_stacks_kib();
    let per_connection = |grown_kib: f64| (open > 0).then(|| grown_kib / open as f64);
    let rss_per_connection_kib = after
        .as_ref()
        .and_then(|after| per_connection(after.rss_kib as f64 - before.rss_kib as f64));
    let kernel_stacks_per_connection_kib = kernel_stacks_before
        .zip(kernel_stacks_after)
        .and_then(|(before, after)| per_connection(after as f64 - before as f64));
    if let Some(after) = &after {
        println!(
            "  server RSS {} KiB -> {} KiB: {} KiB per connection; server threads {} -> {}",
            thousands(before.rss_kib),
            thousands(after.rss_kib),
            one_decimal(rss_per_connection_kib),
            before.threads,
            after.threads,
        );
    }
    println!(
        "  kernel stacks on the whole machine (KernelStack, not in any RSS): {} KiB per connection",
        one_decimal(kernel_stacks_per_connection_kib),
    );

    // With every connection open, each must still answer.
    let checked = runtime.block_on(client::echo_on_each(opened.succeeded));
    let held = checked.succeeded.len();
    println!(
        "  {} of {} connections answered an echo while all were open",
        thousands(held),
        thousands(asked)
    );
    report_failures(checked.failed, &checked.first_failure, &checked.gave_up);

    let shortfall = (held < asked).then(|| {
        let mut reasons = Vec::new();
        if tried < asked {
            reasons.push(format!(
                "the client's open-file limit allows only {} connections",
                thousands(tried)
            ));
        }
        if let Some(status) = server.exit_status() {
            reasons.push(format!("the server exited ({status})"));
        }
        if let Some(failure) = opened.first_failure.or(checked.first_failure) {
            reasons.push(format!("the client's first failure: {failure}"));
        }
        if let Some(complaint) = server.first_complaint() {
            reasons.push(format!("the server's first complaint: {complaint}"));
        }
        if kind == ServerKind::Threads {
            reasons.push(system::thread_limits(server.pid()));
        }
        let reasons = reasons.join("; ");
        println!("  why fewer: {reasons}");
        reasons
    });

    // Kill the server first, then close the client ends. The other order
    // would wake all 10,000 of the thread server's threads at once, each to
    // read its reset and exit; killing the process ends them without
    // running them.
    server.stop();
    {
        let _inside_runtime = runtime.enter();
        drop(checked.succeeded);
    }

    Ok(Hold {
        asked,
        held,
        rss_per_connection_kib,
        kernel_stacks_per_connection_kib,
        server_threads: after.map(|after| after.threads),
        shortfall,
    })
}

/// Phase 3 for one server: a fresh server and the busy clients.
fn count_round_trips(
    runtime: &tokio::runtime::Runtime,
    kind: ServerKind,
    options: &Options,
) -> Result<client::RoundTrips> {
    let server = ServerProcess::start(kind)?;
    println!(
        "  server pid {} is listening on {}",
        server.pid(),
        server.address
    );
    let measured = runtime
        .block_on(client::round_trips(
            server.address,
            options.clients,
            options.measure,
        ))
        .map_err(anyhow::Error::msg)?;
    server.stop();
    println!(
        "  {} round trips/s",
        thousands(measured.per_second.round() as u64)
    );
    if measured.failed_clients > 0 {
        println!(
            "  {} clients failed; first failure: {}",
            measured.failed_clients,
            measured.first_failure.as_deref().unwrap_or("?")
        );
    }
    Ok(measured)
}

fn report_failures(failed: usize, first_failure: &Option<String>, gave_up: &Option<String>) {
    if failed > 0 {
        println!(
            "  {} failed; the first: {}",
            thousands(failed),
            first_failure.as_deref().unwrap_or("?")
        );
    }
    if let Some(reason) = gave_up {
        println!("  {reason}");
    }
}

/// The final table, ready to paste into the lesson text, and what the
/// numbers mean.
fn print_report(
    options: &Options,
    holds: &[Pair<Hold>],
    round_trips: &Pair<client::RoundTrips>,
    machine: &str,
) {
    let rates = round_trips
        .each_ref()
        .map(|measured| measured.as_ref().map(|measured| measured.per_second));
    println!("\n## Results\n");
    println!("| measure | threads | tokio | threads/tokio |");
    println!("|---|---:|---:|---:|");

    // Connections held, one row per count.
    for pair in holds {
        let Some(asked) = pair.iter().flatten().map(|hold| hold.asked).next() else {
            continue;
        };
        let cell = |hold: &Option<Hold>| match hold {
            Some(hold) if hold.held == hold.asked => thousands(hold.held),
            Some(hold) => format!("{} of {}", thousands(hold.held), thousands(hold.asked)),
            None => "failed".to_string(),
        };
        let held = pair
            .each_ref()
            .map(|hold| hold.as_ref().map(|hold| hold.held as f64));
        println!(
            "| connections held ({}) | {} | {} | {} |",
            thousands(asked),
            cell(&pair[0]),
            cell(&pair[1]),
            ratio(&held),
        );
    }

    // Memory, at the largest count: fixed costs (the runtime's threads,
    // the first allocations) spread over the most connections there.
    if let Some(pair) = holds.last()
        && let Some(asked) = pair.iter().flatten().map(|hold| hold.asked).next()
    {
        let rss = pair
            .each_ref()
            .map(|hold| hold.as_ref().and_then(|hold| hold.rss_per_connection_kib));
        let kernel_stacks = pair.each_ref().map(|hold| {
            hold.as_ref()
                .and_then(|hold| hold.kernel_stacks_per_connection_kib)
        });
        let threads = pair.each_ref().map(|hold| {
            hold.as_ref()
                .and_then(|hold| hold.server_threads)
                .map(thousands)
        });
        let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "failed".into());
        println!(
            "| RSS per idle connection (KiB, {} open) | {} | {} | {} |",
            thousands(asked),
            one_decimal(rss[0]),
            one_decimal(rss[1]),
            ratio(&rss),
        );
        println!(
            "| kernel stacks per idle connection (KiB, not in RSS; machine-wide estimate) | {} | {} | n/a |",
            one_decimal(kernel_stacks[0]),
            one_decimal(kernel_stacks[1]),
        );
        println!(
            "| server threads with {} open | {} | {} | n/a |",
            thousands(asked),
            text(&threads[0]),
            text(&threads[1]),
        );
    }

    let rate_text =
        |rate: Option<f64>| rate.map_or("failed".into(), |rate| thousands(rate.round() as u64));
    println!(
        "| round trips/s ({} clients, {:?}) | {} | {} | {} |",
        options.clients,
        options.measure,
        rate_text(rates[0]),
        rate_text(rates[1]),
        ratio(&rates),
    );

    println!("\nMachine: {machine}.");
    println!(
        "Thread server: one std thread per connection, {} KiB stacks (thread::Builder::stack_size), \
         a 4 KiB buffer on each stack. Each thread also has a kernel stack (16 KiB on x86-64) that \
         VmRSS does not count: the kernel-stack row estimates it from /proc/meminfo, which covers \
         the whole machine and so carries other programs' noise.",
        THREAD_STACK_SIZE / 1024
    );
    println!(
        "Tokio server: one task per connection on a multi-threaded runtime with one worker per \
         core, a 4 KiB heap buffer per task. Neither server's RSS includes the kernel's socket \
         structures and buffers, which both pay alike."
    );
    println!(
        "RSS per connection = (server VmRSS with the connections open - before) / connections. \
         Held = answered an echo while all were open. Round trips: 64-byte echoes, one in flight \
         per client, counted for {:?} after a 0.5 s warm-up.",
        options.measure
    );
    for pair in holds {
        for (kind, hold) in ServerKind::BOTH.iter().zip(pair) {
            if let Some(Hold {
                asked,
                shortfall: Some(why),
                ..
            }) = hold
            {
                println!(
                    "The {kind} server did not hold {}: {why}.",
                    thousands(*asked)
                );
            }
        }
    }
    for (kind, measured) in ServerKind::BOTH.iter().zip(round_trips) {
        if let Some(measured) = measured
            && measured.failed_clients > 0
        {
            println!(
                "In the {kind} server's round-trip phase {} of {} clients failed ({}): its rate \
                 counts only what was answered.",
                measured.failed_clients,
                options.clients,
                measured.first_failure.as_deref().unwrap_or("?"),
            );
        }
    }

    // The targets for the reference (tokio) server.
    let tokio_at_target = holds
        .iter()
        .filter_map(|pair| pair[1].as_ref())
        .find(|hold| hold.asked >= TARGET_CONNECTIONS);
    let connections_target = match tokio_at_target {
        Some(hold) if hold.held >= TARGET_CONNECTIONS => {
            format!("met ({} held)", thousands(hold.held))
        }
        Some(hold) => format!("NOT met ({} held)", thousands(hold.held)),
        None => format!(
            "not measured (run with --connections {})",
            TARGET_CONNECTIONS
        ),
    };
    let tokio_rss = holds
        .last()
        .and_then(|pair| pair[1].as_ref())
        .and_then(|hold| hold.rss_per_connection_kib);
    let memory_target = match tokio_rss {
        Some(kib) if kib <= TARGET_RSS_PER_CONNECTION_KIB => format!("met ({kib:.1} KiB)"),
        Some(kib) => format!("NOT met ({kib:.1} KiB)"),
        None => "not measured".to_string(),
    };
    println!(
        "\nTargets for the tokio server: {} connections held: {connections_target}; \
         at most {TARGET_RSS_PER_CONNECTION_KIB} KiB RSS per idle connection: {memory_target}.",
        thousands(TARGET_CONNECTIONS)
    );
}

/// threads/tokio, or `n/a` when either is missing or tokio's is zero.
fn ratio(pair: &Pair<f64>) -> String {
    match pair {
        [Some(threads), Some(tokio)] if *tokio > 0.0 => format!("{:.2}", threads / tokio),
        _ => "n/a".to_string(),
    }
}

fn one_decimal(value: Option<f64>) -> String {
    // Adding 0.0 turns a -0.0 (a tiny negative, rounded) into 0.0.
    value.map_or("n/a".into(), |value| {
        format!("{:.1}", (value * 10.0).round() / 10.0 + 0.0)
    })
}

/// 10000 -> "10,000", as the lesson text writes numbers.
pub fn thousands(number: impl Display) -> String {
    let digits = number.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> Options {
        let matches = command()
            .try_get_matches_from(std::iter::once("echo-bench").chain(args.iter().copied()))
            .expect("the arguments parse");
        Options::from_matches(&matches)
    }

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn quick_sets_small_defaults_that_flags_override() {
        let quick = options(&["--quick", "--clients", "7"]);
        assert_eq!(quick.connections, vec![100, 500]);
        assert_eq!(quick.measure, Duration::from_secs(1));
        assert_eq!(quick.clients, 7);
        let full = options(&["--connections", "1_000,2000"]);
        assert_eq!(full.connections, vec![1_000, 2_000]);
        assert_eq!(full.clients, 100);
        assert!(
            command()
                .try_get_matches_from(["echo-bench", "--connections", "10,0"])
                .is_err()
        );
    }
}
