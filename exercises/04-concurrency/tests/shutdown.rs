//! Exercise 6: graceful shutdown (`src/shutdown.rs`).
//!
//! The test holds the cancellation token. A client counts as accepted once it
//! has read `ready`: cancelling before that could close the listener with the
//! client still in its queue, and the kernel would reset that connection.

use lesson4::shutdown::serve_until_cancelled;
use netlings_helpers::accept_queue::wait_until_refused;
use netlings_helpers::{STEP, within_async};
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// The whole of one test: its steps have deadlines of [`STEP`] each.
const TEST: std::time::Duration = STEP.saturating_mul(4);

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

async fn assert_returns(server: JoinHandle<io::Result<()>>, waiting_for: &str) {
    match timeout(STEP, server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(error))) => panic!("serve_until_cancelled returned an error: {error}"),
        Ok(Err(panic)) => std::panic::resume_unwind(panic.into_panic()),
        Err(_) => panic!("waited {STEP:?} for serve_until_cancelled to return {waiting_for}"),
    }
}

#[test]
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

#[test]
fn returns_soon_after_cancel_with_no_clients() {
    within_async(TEST, "serve_until_cancelled to stop", || async {
        let shutdown = CancellationToken::new();
        let (address, server) = start_serving(&shutdown).await;
        shutdown.cancel();
        assert_returns(
            server,
            "after cancel, with no client connected. Is the accept loop waiting only on \
             accept()? Wait on shutdown.cancelled() too, with tokio::select!",
        )
        .await;
        assert_refused_soon(address).await;
    });
}

#[test]
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
        assert_returns(server, "once its last client had its answer").await;
    });
}

#[test]
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
        assert_returns(server, "once its last client had its answer").await;
    });
}
