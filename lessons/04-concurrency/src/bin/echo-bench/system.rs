//! What the benchmark asks of the operating system: the server child
//! process and its cleanup, the open-file limit, and the numbers Linux
//! publishes under /proc.

use std::fs;
use std::io::Read;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use crate::server::ServerKind;
use anyhow::{Context, Result, anyhow};

/// How long a server child has to print `listening on ADDR`. It binds a
/// socket and prints a line, so this only matters when something is badly
/// wrong (the machine is out of processes, the program is not where
/// `current_exe` says).
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server child. Dropping it kills the child and waits for it, so
/// that every way out of a phase, the normal end, an early `?` return or a
/// panic, cleans up. (Ctrl-C needs nothing extra: the terminal sends SIGINT
/// to the whole foreground process group, the child included.)
pub struct ServerProcess {
    child: KillOnDrop,
    /// Where the child listens, as it announced.
    pub address: SocketAddr,
    /// The first line the child wrote to stderr, if any: the server only
    /// writes there when something fails, and the first failure is the best
    /// clue to why it held fewer connections than it was asked to.
    first_complaint: Arc<Mutex<Option<String>>>,
}

/// The child process, owned so that it cannot outlive the benchmark.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // SIGKILL: the server needs no graceful shutdown, and an echo server
        // holding 10,000 blocked threads would take a while to notice
        // anything gentler. `wait` reaps the child, so it does not linger as
        // a zombie while the next phase runs.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    /// Starts `echo-bench --serve KIND` and waits for its address.
    ///
    /// Why a second process: the fd limit. A connection has two ends, and
    /// each end is a file descriptor in the process that holds it. The open-
    /// file limit on this machine stops at 20,000 per process, so one process
    /// cannot hold both ends of 10,000 connections. It also keeps the
    /// measurements honest: the server's /proc/PID/status shows the server's
    /// memory and threads only, not the client's.
    pub fn start(kind: ServerKind) -> Result<ServerProcess> {
        let program = std::env::current_exe().context("finding this program's own path")?;
        let mut child = Command::new(&program)
            .args(["--serve", kind.name()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // The server's few messages (a failed accept, a thread it could
            // not start) are relayed into the benchmark's log, see below.
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting the {kind} server ({})", program.display()))?;
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        // From here on every return kills the child.
        let mut child = KillOnDrop(child);

        // One thread per pipe reads the child's output as it comes, so the
        // child can never block on a full pipe. The threads end when the
        // child dies and its pipes close.
        let (first_line_sender, first_line) = mpsc::channel();
        let stdout = stdout.context("the server's stdout was not piped")?;
        thread::spawn(move || {
            // The first line is the announcement, which `start` reports.
            let mut announced = false;
            relay_lines(stdout, |line| {
                if announced {
                    return true;
                }
                announced = true;
                let _ = first_line_sender.send(line.to_string());
                false
            });
        });
        let first_complaint = Arc::new(Mutex::new(None));
        let stderr = stderr.context("the server's stderr was not piped")?;
        let complaint = Arc::clone(&first_complaint);
        thread::spawn(move || {
            relay_lines(stderr, |line| {
                if let Ok(mut complaint) = complaint.lock() {
                    complaint.get_or_insert_with(|| line.trim().to_string());
                }
                true
            });
        });

        // `recv_timeout`, not a plain read: a child that never prints must
        // not hang the benchmark.
        let line =
            first_line
                .recv_timeout(START_TIMEOUT)
                .map_err(|_| match child.0.try_wait() {
                    Ok(Some(status)) => anyhow!("the {kind} server exited at start ({status})"),
                    _ => anyhow!(
                        "the {kind} server did not announce its address within {START_TIMEOUT:?}"
                    ),
                })?;
        let address = line
            .strip_prefix("listening on ")
            .and_then(|address| address.parse().ok())
            .with_context(|| format!("the {kind} server said {line:?}, not `listening on ADDR`"))?;
        Ok(ServerProcess {
            child,
            address,
            first_complaint,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// The server's resident memory and thread count, right now.
    pub fn status(&self) -> Result<ProcessStatus> {
        process_status(self.pid())
    }

    /// How the server ended, if it already has (crashed, or killed by the
    /// kernel's out-of-memory killer).
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.0.try_wait().ok().flatten()
    }

    /// The first line the server wrote to stderr, if it wrote any.
    pub fn first_complaint(&self) -> Option<String> {
        self.first_complaint.lock().ok()?.clone()
    }

    /// Kills the server now. (Dropping it does the same; this names the
    /// moment.)
    pub fn stop(self) {}
}

/// Hands every line the child writes to `pipe` to `inspect`, and shows it
/// in the benchmark's log, marked as the server's, when `inspect` says so.
/// Ends when the child dies and the pipe closes.
fn relay_lines(pipe: impl Read, mut inspect: impl FnMut(&str) -> bool) {
    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
        if inspect(&line) {
            println!("  server: {line}");
        }
    }
}

/// Asks the kernel to SIGKILL this process when its parent dies
/// (prctl PR_SET_PDEATHSIG). "Parent" here means the parent's thread that
/// started us: the benchmark starts its servers from its main thread, which
/// lives until the end.
pub fn die_with_parent() {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and changes only a flag
    // of the calling process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
}

/// The open-file limit before and after [`raise_open_file_limit`].
pub struct FileLimit {
    pub before: u64,
    pub now: u64,
    pub hard: u64,
}

/// Raises this process's soft open-file limit (RLIMIT_NOFILE) as far as the
/// hard limit allows.
///
/// Every socket is a file descriptor, and `socket`, `accept` and `connect`
/// fail with EMFILE once a process has "soft limit" of them. Any process may
/// raise its soft limit up to its hard limit; going past the hard limit needs
/// CAP_SYS_RESOURCE (on this machine setrlimit then fails with EPERM, even
/// for root). Children inherit the limit, so the servers start with it too.
pub fn raise_open_file_limit() -> io::Result<FileLimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` into the struct we pass, which
    // lives across the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let before = limit.rlim_cur;
    // A hard limit of "unlimited" still stops at the kernel's fs.nr_open.
    let ceiling = if limit.rlim_max == libc::RLIM_INFINITY {
        read_number("/proc/sys/fs/nr_open").unwrap_or(1 << 20)
    } else {
        limit.rlim_max
    };
    if ceiling > before {
        limit.rlim_cur = ceiling;
        // SAFETY: setrlimit reads the struct we pass, which lives across the
        // call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(FileLimit {
        before,
        now: limit.rlim_cur.max(before),
        hard: ceiling,
    })
}

/// The two lines of /proc/PID/status the benchmark reads.
pub struct ProcessStatus {
    /// VmRSS: the process's pages that are in RAM now, in KiB: heap, the
    /// user-space stacks of its threads, code, libraries. Not in it: kernel
    /// memory spent on the process's behalf, such as each thread's kernel
    /// stack and each socket's kernel structures and buffers.
    pub rss_kib: u64,
    /// Threads: how many threads the process has.
    pub threads: u64,
}

fn process_status(pid: u32) -> Result<ProcessStatus> {
    let path = format!("/proc/{pid}/status");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    Ok(ProcessStatus {
        rss_kib: number_field(&text, "VmRSS:").with_context(|| format!("no VmRSS in {path}"))?,
        threads: number_field(&text, "Threads:")
            .with_context(|| format!("no Threads in {path}"))?,
    })
}

/// KernelStack from /proc/meminfo, in KiB: the kernel stacks of every
/// thread on the machine. It is system-wide (other people's builds start and
/// end threads too), so its change over a phase is a noisy estimate of what
/// the server's threads cost in kernel memory, which RSS cannot show.
pub fn kernel_stacks_kib() -> Option<u64> {
    number_field(&fs::read_to_string("/proc/meminfo").ok()?, "KernelStack:")
}

/// The limits that can stop a thread-per-connection server, with their
/// current values, for the log when a server held fewer connections than it
/// was asked to.
pub fn thread_limits(pid: u32) -> String {
    let show = |value: Option<u64>| value.map_or("?".to_string(), crate::thousands);
    // /proc/loadavg's fourth field is "runnable/total" scheduling entities:
    // every thread on the machine uses one pid, and kernel.pid_max bounds them.
    let tasks_on_machine = fs::read_to_string("/proc/loadavg").ok().and_then(|text| {
        let field = text.split_whitespace().nth(3)?;
        field.split('/').nth(1)?.parse().ok()
    });
    // The server's soft limits, from /proc/PID/limits: "Max processes"
    // (ulimit -u) counts threads, and "Max address space" (ulimit -v) must
    // fit every thread's whole stack, even the pages never used.
    let limits = fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
    let soft_limit = |name: &str| {
        let line = limits.lines().find_map(|line| line.strip_prefix(name))?;
        line.split_whitespace().next().map(str::to_string)
    };
    let server_threads = process_status(pid).ok().map(|status| status.threads);
    let memory_available_mib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| number_field(&text, "MemAvailable:"))
        .map(|kib| kib / 1024);
    format!(
        "server threads {}, threads on the machine {} (kernel.pid_max {}, kernel.threads-max {}, \
         the server's max user processes {}, max address space {} bytes), memory available {} MiB",
        show(server_threads),
        show(tasks_on_machine),
        show(read_number("/proc/sys/kernel/pid_max")),
        show(read_number("/proc/sys/kernel/threads-max")),
        soft_limit("Max processes").unwrap_or_else(|| "?".into()),
        soft_limit("Max address space").unwrap_or_else(|| "?".into()),
        show(memory_available_mib),
    )
}

/// The machine line of the report.
pub fn describe_machine() -> String {
    let cores = thread::available_parallelism().map_or(0, |cores| cores.get());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let load = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    format!(
        "{cores} cores, Linux {kernel}, load average {load} at the start; \
         client and server share the cores"
    )
}

/// The number after `name` in a /proc file of `Name:   value kB` lines.
fn number_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A /proc file that holds one number, like /proc/sys/kernel/pid_max.
fn read_number(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}
