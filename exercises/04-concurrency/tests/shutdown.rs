//! Exercise 6: graceful shutdown (`src/shutdown.rs`).
//!
//! The test holds the cancellation token. A client counts as accepted once it
//! has read `ready`: cancelling before that could close the listener with the
//! client still in its queue, and the kernel would reset that connection.

use lesson4::shutdown::serve_until_cancelled;
use netlings_helpers::accept_queue::wait_until_refused;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net;
use netlings_helpers::{STEP, within_async};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// The whole of one test: its steps have deadlines of [`STEP`] each.
const TEST: Duration = STEP.saturating_mul(4);

/// Binds a listener and spawns the server on the test's runtime.
async fn start_serving(shutdown: &CancellationToken) -> (SocketAddr, JoinHandle<io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the test could not bind 127.0.0.1:0");
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = tokio::spawn(serve_until_cancelled(listener, shutdown.clone()));
    (address, server)
}

/// Connects and waits for `ready`: from then on the client is accepted.
async fn accepted_client(address: SocketAddr) -> BufReader<TcpStream> {
    let stream = timeout(STEP, TcpStream::connect(address))
        .await
        .expect("waited 5s for the connect")
        .expect("the test could not connect to the server");
    let mut client = BufReader::new(stream);
    let line = read_line(
        &mut client,
        "the \"ready\" line that says the server accepted the client",
    )
    .await;
    assert_eq!(line, "ready\n");
    client
}

async fn read_line(client: &mut BufReader<TcpStream>, waiting_for: &str) -> String {
    let mut line = String::new();
    match timeout(STEP, client.read_line(&mut line)).await {
        Ok(Ok(_)) => line,
        Ok(Err(error)) => panic!("while waiting for {waiting_for}, reading failed: {error}"),
        Err(_) => panic!("waited {STEP:?} for {waiting_for}; nothing came"),
    }
}

/// Waits, off the runtime's thread, until connects to `address` are refused.
async fn assert_refused_soon(address: SocketAddr) {
    let refused = tokio::task::spawn_blocking(move || wait_until_refused(address, STEP))
        .await
        .expect("the thread waiting for refused connects");
    if let Err(attempts) = refused {
        panic!(
            "after cancel, {attempts} connects to {address} in {STEP:?} were still accepted or \
             queued: the server must stop accepting at once and close (drop) its listener before \
             it waits for its clients"
        );
    }
}

/// Waits for serve_until_cancelled to return Ok after a cancel. If it does
/// not, one more connect tells why: refused means the accept loop ended and
/// the listener is closed, so the wait for the clients never ends; accepted
/// means the loop never noticed the cancel.
async fn assert_returns(
    server: JoinHandle<io::Result<()>>,
    address: SocketAddr,
    waiting_for: &str,
) {
    match timeout(STEP, server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(error))) => panic!("serve_until_cancelled returned an error: {error}"),
        Ok(Err(panic)) => std::panic::resume_unwind(panic.into_panic()),
        Err(_) => {
            let refused = tokio::task::spawn_blocking(move || {
                std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100))
                    .is_err_and(|error| error.kind() == io::ErrorKind::ConnectionRefused)
            })
            .await
            .expect("the thread probing the listener");
            if refused {
                panic!(
                    "waited {STEP:?} for serve_until_cancelled to return {waiting_for}. New \
                     connections are refused, so its accept loop has ended, but it never \
                     returned: TaskTracker::wait() completes only once the tracker is closed \
                     and empty. Call tracker.close() before tracker.wait().await"
                )
            }
            panic!(
                "waited {STEP:?} for serve_until_cancelled to return {waiting_for}, and it still \
                 accepts connections. Is the accept loop waiting only on accept()? Wait on \
                 shutdown.cancelled() too, with tokio::select!"
            )
        }
    }
}

#[netlings_helpers::test]
fn answers_a_request() {
    within_async(TEST, "a request and its answer", || async {
        let shutdown = CancellationToken::new();
        let (address, _server) = start_serving(&shutdown).await;
        let mut client = accepted_client(address).await;
        client
            .get_mut()
            .write_all(b"hello\n")
            .await
            .expect("sending the request");
        let answer = read_line(&mut client, "the answer to \"hello\"").await;
        assert_eq!(answer, "done: hello\n");
    });
}

#[netlings_helpers::test]
fn returns_soon_after_cancel_with_no_clients() {
    within_async(TEST, "serve_until_cancelled to stop", || async {
        let shutdown = CancellationToken::new();
        let (address, server) = start_serving(&shutdown).await;
        shutdown.cancel();
        assert_returns(server, address, "after cancel, with no client connected").await;
        assert_refused_soon(address).await;
    });
}

#[netlings_helpers::test]
fn stops_when_cancelled_while_waiting_for_the_next_client() {
    within_async(TEST, "serve_until_cancelled to stop", || async {
        let shutdown = CancellationToken::new();
        let (address, server) = start_serving(&shutdown).await;
        // Once this client has its answer, the server is back in its accept
        // loop, waiting for a next client that never comes.
        let mut client = accepted_client(address).await;
        client
            .get_mut()
            .write_all(b"hello\n")
            .await
            .expect("sending the request");
        assert_eq!(
            read_line(&mut client, "the answer to \"hello\"").await,
            "done: hello\n"
        );
        shutdown.cancel();
        assert_returns(
            server,
            address,
            "after a cancel that came while it waited in accept() for the next client (checking \
             shutdown.is_cancelled() before each accept() is not enough: the accept() already \
             waiting never returns)",
        )
        .await;
    });
}

#[netlings_helpers::test]
fn refuses_new_clients_at_once_but_answers_a_client_mid_request() {
    within_async(TEST, "a graceful shutdown", || async {
        let shutdown = CancellationToken::new();
        let (address, server) = start_serving(&shutdown).await;
        let mut client = accepted_client(address).await;
        // Half a request: the server is now in the middle of serving it.
        client
            .get_mut()
            .write_all(b"hel")
            .await
            .expect("sending half a request");
        shutdown.cancel();
        assert_refused_soon(address).await;
        client
            .get_mut()
            .write_all(b"lo\n")
            .await
            .expect("sending the rest of the request");
        let answer = read_line(
            &mut client,
            "the answer to a request that was half sent when the server was cancelled (a \
             client already accepted must get its answer)",
        )
        .await;
        assert_eq!(answer, "done: hello\n");
        assert_returns(server, address, "once its last client had its answer").await;
    });
}

#[netlings_helpers::test]
fn does_not_return_while_a_client_is_mid_request() {
    within_async(TEST, "a graceful shutdown", || async {
        let shutdown = CancellationToken::new();
        let (address, server) = start_serving(&shutdown).await;
        let mut client = accepted_client(address).await;
        client
            .get_mut()
            .write_all(b"hel")
            .await
            .expect("sending half a request");
        shutdown.cancel();
        // Once connects are refused, the server has left its accept loop.
        assert_refused_soon(address).await;
        assert!(
            !server.is_finished(),
            "serve_until_cancelled returned while a client it had accepted was still waiting \
             for its answer: spawn the clients' tasks on a TaskTracker, then close() and \
             wait() for it before returning"
        );
        client
            .get_mut()
            .write_all(b"lo\n")
            .await
            .expect("sending the rest of the request");
        assert_eq!(
            read_line(&mut client, "the answer to \"hello\"").await,
            "done: hello\n"
        );
        assert_returns(server, address, "once its last client had its answer").await;
    });
}

#[netlings_helpers::test]
fn returns_the_error_when_the_listener_breaks() {
    let (listener, address) = net::loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener's handle");
    // A token nobody cancels: only the broken listener can end the server.
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let server = serve_in_background("serve_until_cancelled()", listener, move |listener| {
        serve_until_cancelled(listener, token)
    });
    let mut client = net::Client::connect(address);
    assert_eq!(client.read_line("the \"ready\" line"), "ready");
    net::break_listener(&handle);
    net::expect_ends_with_the_broken_listeners_error(
        &server,
        "serve_until_cancelled()",
        "once its listener broke, without a cancel",
    );
    drop(shutdown);
}
