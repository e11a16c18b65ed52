//! Exercise 7: calls in the wrong order (`src/wrong_order.rs`). The errors
//! checked are Linux's.

use lesson6::wrong_order::{
    Stage, StageError, accept_after_listen, listen_after_bind, peer_after_connect,
};
use netlings_helpers::net::{Client, loopback_listener};
use netlings_helpers::{STEP, within};
use socket2::{Domain, Protocol, Socket, Type};
use std::error::Error;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

fn tcp_socket(domain: Domain) -> Socket {
    Socket::new(domain, Type::STREAM, Some(Protocol::TCP)).expect("creating a TCP socket")
}

/// A TCP socket bound to `address` (port 0: the kernel picks one).
fn bound(address: SocketAddr) -> Socket {
    let socket = tcp_socket(Domain::for_address(address));
    socket
        .bind(&address.into())
        .expect("binding a loopback address");
    socket
}

fn loopback_v4() -> SocketAddr {
    (Ipv4Addr::LOCALHOST, 0).into()
}

#[netlings_helpers::test]
fn listens_on_a_bound_socket_and_accepts_a_client() {
    let socket = bound(loopback_v4());
    if let Err(error) = listen_after_bind(&socket, 16) {
        panic!("listen_after_bind on a socket bound to 127.0.0.1 failed: {error}");
    }
    let address = socket
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("a bound socket has an address");
    let client = Client::connect(address);
    let accepted = within(
        STEP,
        "accept_after_listen to return the client",
        move || {
            accept_after_listen(&socket)
                .map(|(_, peer)| peer)
                .map_err(|error| error.to_string())
        },
    );
    assert_eq!(
        accepted,
        Ok(client.local_addr()),
        "accept_after_listen must return the client's address"
    );
}

#[netlings_helpers::test]
fn accept_before_listen_names_listen() {
    let socket = bound(loopback_v4());
    match accept_after_listen(&socket) {
        Ok((_, peer)) => panic!("accept() on a socket that never listened returned {peer}"),
        Err(error) => {
            assert_eq!(error.call, "accept()", "the call that failed");
            assert_eq!(
                error.missing,
                Some(Stage::Listen),
                "accept() failed with {}: EINVAL here means the socket is not listening, so \
                 listen() is the missing stage",
                error.source
            );
            assert_eq!(
                error.source.raw_os_error(),
                Some(libc::EINVAL),
                "source must be the kernel's own error, EINVAL, as it came: {:?}",
                error.source
            );
        }
    }
}

#[netlings_helpers::test]
fn listen_before_bind_is_refused_and_binds_nothing() {
    for domain in [Domain::IPV4, Domain::IPV6] {
        let socket = tcp_socket(domain);
        match listen_after_bind(&socket, 16) {
            Ok(()) => panic!(
                "listen_after_bind accepted a socket that was never bound: Linux then binds it to \
                 every interface (0.0.0.0 or ::) on a random port. Check local_addr() first"
            ),
            Err(error) => {
                assert_eq!(error.call, "listen()");
                assert_eq!(
                    error.missing,
                    Some(Stage::Bind),
                    "bind() is the missing stage"
                );
                assert_eq!(error.source.kind(), io::ErrorKind::InvalidInput);
            }
        }
        let port = socket
            .local_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .map(|address| address.port());
        assert_eq!(
            port,
            Some(0),
            "after the refusal the socket must still be unbound (port 0), but it has port {port:?}: \
             was listen() called anyway? It binds an unbound socket to every interface"
        );
    }
}

#[netlings_helpers::test]
fn listen_after_bind_works_on_ipv6_too() {
    let socket = bound((Ipv6Addr::LOCALHOST, 0).into());
    if let Err(error) = listen_after_bind(&socket, 16) {
        panic!("listen_after_bind on a socket bound to [::1] failed: {error}");
    }
}

#[netlings_helpers::test]
fn peer_before_connect_names_connect_and_after_it_names_the_peer() {
    let socket = tcp_socket(Domain::IPV4);
    match peer_after_connect(&socket) {
        Ok(peer) => panic!("an unconnected socket has no peer, yet peer_after_connect gave {peer}"),
        Err(error) => {
            assert_eq!(error.call, "peer_addr()");
            assert_eq!(
                error.missing,
                Some(Stage::Connect),
                "NotConnected means connect() is the missing stage"
            );
            assert_eq!(error.source.kind(), io::ErrorKind::NotConnected);
        }
    }
    let (_listener, address) = loopback_listener();
    socket
        .connect_timeout(&address.into(), STEP)
        .expect("connecting to the test's listener");
    let peer = peer_after_connect(&socket)
        .unwrap_or_else(|error| panic!("peer_after_connect on a connected socket failed: {error}"));
    assert_eq!(
        peer, address,
        "the peer of a socket connected to {address} (the local address is the other one)"
    );
}

#[netlings_helpers::test]
fn other_errors_name_no_stage() {
    // A listening socket with nobody waiting, in non-blocking mode: accept()
    // fails with WouldBlock, which is no missing stage.
    let socket = bound(loopback_v4());
    socket.listen(16).expect("listening");
    socket
        .set_nonblocking(true)
        .expect("setting non-blocking mode");
    match accept_after_listen(&socket) {
        Ok((_, peer)) => panic!("nobody connected, yet accept returned {peer}"),
        Err(error) => {
            assert_eq!(
                error.missing, None,
                "accept() failed with {} on a listening socket: no stage is missing, so missing \
                 must be None (only EINVAL means 'not listening')",
                error.source
            );
            assert_eq!(error.source.kind(), io::ErrorKind::WouldBlock);
        }
    }
}

#[netlings_helpers::test]
fn the_message_names_the_call_the_missing_stage_and_the_cause() {
    let with_stage = StageError {
        call: "accept()",
        missing: Some(Stage::Listen),
        source: io::Error::from_raw_os_error(libc::EINVAL),
    };
    assert!(
        with_stage.source().is_some(),
        "a StageError's source() is the kernel's error, so that a caller (or anyhow) can show \
         the whole chain"
    );
    let text = with_stage.to_string();
    for part in ["accept()", "listen()", "Invalid argument"] {
        assert!(
            text.contains(part),
            "the message {text:?} must name the call, the missing stage and the kernel's error; \
             it lacks {part:?}"
        );
    }
    let without = StageError {
        call: "accept()",
        missing: None,
        source: io::Error::from(io::ErrorKind::WouldBlock),
    };
    let text = without.to_string();
    assert!(
        text.contains("accept()") && text.contains("would block"),
        "with no missing stage, the message names the call and the kernel's error: {text:?}"
    );
    for stage in ["bind()", "listen()", "connect()"] {
        assert!(
            !text.contains(stage),
            "no stage is missing, yet the message {text:?} names {stage}"
        );
    }
}
