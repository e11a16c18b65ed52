//! Exercise 4: a deadline for each line (`src/idle.rs`).
//!
//! The tests of `echo_until_idle` talk to it through an in-memory stream
//! (`tokio::io::duplex`) on tokio's paused clock: time stands still while
//! anything can run, and jumps to the next timer when everything waits. So
//! they measure exactly when the server hung up, in virtual time, with no
//! waiting and no margin for a busy machine. (Paused time is only honest
//! without real sockets: it also jumps while a real socket waits for data.)
//! The last tests run the server itself on loopback.

use lesson4::idle::{echo_until_idle, serve_with_idle_timeout};
use netlings_helpers::background::serve_in_background;
use netlings_helpers::descriptors::run_out_of_descriptors;
use netlings_helpers::net::{self, Client};
use netlings_helpers::own_process::in_own_process;
use netlings_helpers::{STEP, printable, within};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, timeout};

/// Runs a test body on a runtime whose clock is paused, with a real
/// deadline from outside (a body that blocks its thread still fails).
fn on_paused_clock<Fut>(waiting_for: &str, make: impl FnOnce() -> Fut + Send + 'static)
where
    Fut: Future<Output = ()>,
{
    within(STEP, waiting_for, move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("the test could not build a paused tokio runtime")
            .block_on(make())
    });
}

/// The test's end of a conversation with `echo_until_idle`.
struct Conversation {
    client: DuplexStream,
    server: JoinHandle<io::Result<()>>,
    started: Instant,
    idle: Duration,
}

impl Conversation {
    fn start(idle: Duration) -> Conversation {
        let (client, server_side) = tokio::io::duplex(64 * 1024);
        Conversation {
            client,
            server: tokio::spawn(echo_until_idle(server_side, idle)),
            started: Instant::now(),
            idle,
        }
    }

    async fn expect_echo(&mut self, line: &[u8], waiting_for: &str) {
        self.client
            .write_all(line)
            .await
            .expect("sending a line to echo_until_idle: did it return early?");
        let mut echoed = vec![0; line.len()];
        match timeout(self.idle / 2, self.client.read_exact(&mut echoed)).await {
            Ok(Ok(_)) => assert_eq!(
                echoed,
                line,
                "the client sent {} and expected it back byte for byte",
                printable(line)
            ),
            Ok(Err(error)) => panic!(
                "while waiting for {waiting_for}, the server closed the connection ({error}) {:?} \
                 after the start, with a deadline of {:?} per line",
                self.started.elapsed(),
                self.idle
            ),
            Err(_) => panic!(
                "waited for {waiting_for}; no echo of {} came",
                printable(line)
            ),
        }
    }

    /// Waits for echo_until_idle to hang up (see [`wait_for_hang_up`]),
    /// checks that the client then sees end-of-file, and says how long after
    /// `since` the server hung up.
    async fn hung_up_after(mut self, since: Instant, what_client: &str) -> Duration {
        let hung_up = wait_for_hang_up(&mut self.server, self.idle, what_client).await - since;
        let mut rest = Vec::new();
        let read = self.client.read_to_end(&mut rest).await;
        assert!(
            read.is_ok() && rest.is_empty(),
            "after hanging up, the client should see only end-of-file, got {read:?} and {}",
            printable(&rest)
        );
        hung_up
    }
}

/// Waits (in virtual time, up to an hour) for echo_until_idle to return,
/// checks that it returned Ok, and gives the moment it did.
async fn wait_for_hang_up(
    server: &mut JoinHandle<io::Result<()>>,
    idle: Duration,
    what_client: &str,
) -> Instant {
    let outcome = match timeout(Duration::from_secs(3600), server).await {
        Ok(outcome) => outcome,
        Err(_) => panic!(
            "echo_until_idle never hung up on {what_client}, with a deadline of {idle:?} per \
             line (an hour went by on the paused clock). Wrap the read of each whole line in \
             tokio::time::timeout(idle, ...)"
        ),
    };
    let returned = Instant::now();
    match outcome {
        Ok(Ok(())) => returned,
        Ok(Err(error)) => panic!(
            "echo_until_idle returned an error for {what_client}: {error}. Running out of time \
             is not an error: the server chose to hang up, and returns Ok(())"
        ),
        Err(panic) => std::panic::resume_unwind(panic.into_panic()),
    }
}

/// Checks that the server hung up `idle` after `since`, give or take the
/// timer's millisecond.
fn assert_hung_up_on_time(hung_up: Duration, idle: Duration, what_client: &str, hint: &str) {
    assert!(
        hung_up >= idle && hung_up <= idle + Duration::from_millis(5),
        "with idle = {idle:?}, echo_until_idle hung up on {what_client} {hung_up:?} after its \
         last whole line; expected {idle:?}. {hint}"
    );
}

#[netlings_helpers::test]
fn echoes_lines_byte_for_byte() {
    on_paused_clock("echo_until_idle to echo three lines", || async {
        let mut talk = Conversation::start(Duration::from_secs(60));
        talk.expect_echo(b"hello\n", "the echo of \"hello\\n\"")
            .await;
        talk.expect_echo(
            b"caf\xe9 \x00 crlf\r\n",
            "the echo of a line that is not UTF-8 and ends in \\r\\n (a line is bytes: echo it \
             as it came, with read_until, not through a String)",
        )
        .await;
        talk.client
            .write_all(b"no newline, then the client closes")
            .await
            .expect("sending the last line");
        talk.client
            .shutdown()
            .await
            .expect("closing the client's sending side");
        let mut rest = Vec::new();
        timeout(Duration::from_secs(30), talk.client.read_to_end(&mut rest))
            .await
            .expect("echo_until_idle did not close the connection after the client closed its side")
            .expect("reading the rest of the echo");
        assert_eq!(
            rest,
            b"no newline, then the client closes",
            "a last line cut short by the client closing should be echoed as it is, then the \
             connection closed; got {}",
            printable(&rest)
        );
    });
}

#[netlings_helpers::test]
fn hangs_up_on_a_silent_client_when_idle_runs_out() {
    on_paused_clock("echo_until_idle to hang up on a silent client", || async {
        // Two different limits: the deadline must be the `idle` argument.
        for idle in [Duration::from_millis(300), Duration::from_millis(700)] {
            let talk = Conversation::start(idle);
            let started = talk.started;
            let hung_up = talk.hung_up_after(started, "a silent client").await;
            assert_hung_up_on_time(
                hung_up,
                idle,
                "a client that sent nothing",
                "The deadline is the `idle` argument, not a constant.",
            );
        }
    });
}

#[netlings_helpers::test]
fn keeps_a_client_that_sends_a_line_within_each_period() {
    on_paused_clock("a client that keeps talking", || async {
        let idle = Duration::from_millis(300);
        let mut talk = Conversation::start(idle);
        // Eight lines, one every 200ms: 1.6s in all, far past `idle`, but
        // never more than 200ms for a line.
        for round in 1..=8 {
            sleep(Duration::from_millis(200)).await;
            talk.expect_echo(
                format!("round {round}\n").as_bytes(),
                &format!(
                    "the echo of line {round}, sent 200ms after the previous echo, with a \
                     deadline of 300ms per line. A deadline counted from the connect (or around \
                     the whole conversation) cuts off a client that keeps talking: start a new \
                     timeout for every line"
                ),
            )
            .await;
        }
        let last_echo = Instant::now();
        let hung_up = talk
            .hung_up_after(last_echo, "a client that fell silent after 8 lines")
            .await;
        assert_hung_up_on_time(
            hung_up,
            idle,
            "a client that fell silent after 8 lines",
            "The clock starts again after every line.",
        );
    });
}

#[netlings_helpers::test]
fn hangs_up_on_a_client_that_trickles_a_line_byte_by_byte() {
    on_paused_clock(
        "echo_until_idle to hang up on a trickling client",
        || async {
            let idle = Duration::from_millis(300);
            let Conversation {
                mut client,
                mut server,
                started,
                ..
            } = Conversation::start(idle);
            // Slowloris: a byte every 100ms, for 3s, never a newline; until a
            // write fails because the server hung up.
            let trickle = tokio::spawn(async move {
                for sent in 0..30 {
                    sleep(Duration::from_millis(100)).await;
                    if client.write_all(b"a").await.is_err() {
                        return sent;
                    }
                }
                30
            });
            let hung_up = wait_for_hang_up(&mut server, idle, "a trickling client").await - started;
            assert_hung_up_on_time(
                hung_up,
                idle,
                "a client that sent a byte every 100ms and never a newline",
                "A deadline on each read() restarts with every byte, so a trickling client holds \
             the connection as long as it likes (slowloris): put the timeout around the read of \
             a whole line (read_until), not around each read.",
            );
            let sent = trickle.await.expect("the trickling client's task");
            assert!(
                sent < 30,
                "the trickling client could still write after the server returned: echo_until_idle \
             must drop the stream when it returns"
            );
        },
    );
}

fn start_serving(idle: Duration) -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    serve_in_background("serve_with_idle_timeout()", listener, move |listener| {
        serve_with_idle_timeout(listener, idle)
    });
    address
}

#[netlings_helpers::test]
fn serves_a_client_while_another_stays_silent() {
    let address = start_serving(Duration::from_secs(60));
    let _silent = Client::connect(address);
    let mut talker = Client::connect(address);
    talker.send(b"anyone there?\n");
    let echo = talker.read_line(
        "the echo to the second client while the first stays connected and silent (run \
         echo_until_idle in a task of its own for each client: tokio::spawn)",
    );
    assert_eq!(echo, "anyone there?");
}

#[netlings_helpers::test]
fn disconnects_a_silent_client_over_tcp() {
    let address = start_serving(Duration::from_millis(200));
    let mut silent = Client::connect(address);
    let received = silent.read_to_end(
        "the server to close a client that sent nothing for 200ms (serve_with_idle_timeout must \
         hand its `idle` to echo_until_idle)",
    );
    assert!(
        received.is_empty(),
        "the silent client expected the server to close, and got {}",
        printable(&received)
    );
}

#[netlings_helpers::test]
fn returns_the_error_when_the_listener_breaks() {
    let (listener, address) = net::loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener's handle");
    let server = serve_in_background("serve_with_idle_timeout()", listener, |listener| {
        serve_with_idle_timeout(listener, Duration::from_secs(60))
    });
    let mut client = Client::connect(address);
    client.send(b"before\n");
    assert_eq!(
        client.read_line("the echo before the listener broke"),
        "before"
    );
    net::expect_broken_listener_ends(&handle, &server, "serve_with_idle_timeout()");
}

#[netlings_helpers::test]
fn survives_running_out_of_file_descriptors() {
    in_own_process(|| {
        let (listener, address) = net::loopback_listener();
        let server = serve_in_background("serve_with_idle_timeout()", listener, |listener| {
            serve_with_idle_timeout(listener, Duration::from_secs(60))
        });
        // A first client served before the process runs out: the server's
        // runtime is up and holds the descriptors it needs.
        let mut first = Client::connect(address);
        first.send(b"hello\n");
        assert_eq!(first.read_line("the echo to the first client"), "hello");
        let mut out = run_out_of_descriptors(1);
        // The kernel completes the handshake; accept() has no descriptor to
        // give the new connection and fails with EMFILE.
        let mut waiting = Client::from_connected(out.connect(address));
        out.expect_accept_backoff(&server, "serve_with_idle_timeout()");
        first.send(b"still served?\n");
        let echo = first.read_line(
            "the echo to a client connected before the process ran out of descriptors, while \
             the accept loop backs off. std::thread::sleep in async code stops the runtime's \
             thread and every client's task with it: back off with \
             tokio::time::sleep(ACCEPT_BACKOFF).await",
        );
        assert_eq!(echo, "still served?");
        out.release();
        waiting.send(b"served at last?\n");
        let echo = waiting.read_line(
            "the echo to the client that waited in the accept queue while the process had no \
             file descriptor left, once descriptors came back (after EMFILE the loop must print \
             the error, wait ACCEPT_BACKOFF with tokio::time::sleep and accept again)",
        );
        assert_eq!(echo, "served at last?");
    });
}
