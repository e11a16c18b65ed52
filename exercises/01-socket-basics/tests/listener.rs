//! Exercise 3: make a listening socket by hand (`src/listener.rs`).

use lesson1::listener::listen_by_hand;
use netlings_helpers::likely_cause;
use netlings_helpers::net::{self, Client, fill_accept_queue};
use socket2::SockRef;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

fn listening(addr: SocketAddr, backlog: i32) -> (TcpListener, SocketAddr) {
    listen_by_hand(addr, backlog).unwrap_or_else(|error| {
        panic!(
            "listen_by_hand({addr}, {backlog}) failed: {error}. Likely cause: {}",
            likely_cause(&error)
        )
    })
}

/// Connects a client to `bound`, accepts it on `listener`, and sends a line
/// each way.
fn exchange_a_line(listener: &TcpListener, bound: SocketAddr) {
    let mut client = Client::connect(bound);
    let (server_side, peer) = net::accept(listener, "the client's connection to be accepted");
    assert_eq!(
        peer,
        client.local_addr(),
        "the listener accepted a connection from {peer}, but the test's client is {}",
        client.local_addr()
    );
    let mut server_side = Client::from_accepted(server_side, peer);
    client.send(b"ping\n");
    assert_eq!(server_side.read_line("the client's ping"), "ping");
    server_side.send(b"pong\n");
    assert_eq!(client.read_line("the server side's pong"), "pong");
}

#[netlings_helpers::test]
fn binds_and_reports_the_port_the_os_chose() {
    let (listener, bound) = listening((Ipv4Addr::LOCALHOST, 0).into(), 16);
    assert_ne!(
        bound.port(),
        0,
        "port 0 asks the OS to choose a port; listen_by_hand must return the port it chose \
         (ask the socket: local_addr()), not the 0 it was given"
    );
    assert_eq!(
        bound,
        listener
            .local_addr()
            .expect("a bound listener has a local address"),
        "the returned address must be the one the listener is bound to"
    );
    assert_eq!(bound.ip(), Ipv4Addr::LOCALHOST, "asked for 127.0.0.1:0");
}

#[netlings_helpers::test]
fn a_client_can_connect_and_exchange_bytes() {
    let (listener, bound) = listening((Ipv4Addr::LOCALHOST, 0).into(), 16);
    let non_blocking = SockRef::from(&listener)
        .nonblocking()
        .expect("reading the listener's O_NONBLOCK flag");
    assert!(
        !non_blocking,
        "listen_by_hand returned a listener in non-blocking mode: its accept() would fail with \
         WouldBlock whenever no client is queued, instead of waiting for one as a std \
         TcpListener does. Leave the socket blocking (no set_nonblocking(true))"
    );
    exchange_a_line(&listener, bound);
}

#[netlings_helpers::test]
fn listens_on_ipv6_loopback() {
    let (listener, bound) =
        listen_by_hand((Ipv6Addr::LOCALHOST, 0).into(), 16).unwrap_or_else(|error| {
            panic!(
                "listen_by_hand([::1]:0, 16) failed: {error}. An IPv6 address needs an IPv6 \
                 socket: is the socket's domain (IPv4 or IPv6) taken from the address?"
            )
        });
    assert_eq!(
        bound.ip(),
        Ipv6Addr::LOCALHOST,
        "asked for [::1]:0; the socket's family must follow the address (IPv6 here)"
    );
    exchange_a_line(&listener, bound);
}

#[netlings_helpers::test]
fn fails_to_bind_an_address_this_machine_does_not_have() {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737), reserved for documentation: no
    // interface has it, so bind() fails, and no packet is ever sent.
    let foreign: SocketAddr = (Ipv4Addr::new(192, 0, 2, 1), 0).into();
    match listen_by_hand(foreign, 16) {
        Ok((_, bound)) => panic!(
            "listen_by_hand({foreign}) returned a listener on {bound}, but 192.0.2.1 belongs to no \
             interface of this machine: bind() fails with AddrNotAvailable, and that error must be \
             returned, not ignored (a socket that listens without a successful bind ends up on \
             0.0.0.0, every interface)"
        ),
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::AddrNotAvailable,
            "binding {foreign} failed with {error}; expected AddrNotAvailable (EADDRNOTAVAIL): \
             that IP address belongs to no interface of this machine"
        ),
    }
}

#[netlings_helpers::test]
fn queues_exactly_the_backlog_it_was_given() {
    // Nobody accepts here: each connect that completes waits in the accept
    // queue. Linux keeps backlog + 1 of them, then drops further handshakes,
    // so a connect that gets no answer shows where the queue is full.
    for backlog in [1, 4] {
        let (_listener, bound) = listening((Ipv4Addr::LOCALHOST, 0).into(), backlog);
        let expected = backlog as usize + 1;
        match fill_accept_queue(bound, 16) {
            None => panic!(
                "listen_by_hand(.., {backlog}) asked for a backlog of {backlog}, yet 16 clients \
                 completed their handshake while nobody called accept(): is listen() given the \
                 backlog parameter?"
            ),
            Some(queued) => assert_eq!(
                queued.len(),
                expected,
                "listen_by_hand(.., {backlog}): {} connections waited in the accept queue before \
                 the kernel dropped the next handshake; Linux queues backlog + 1 = {expected}. \
                 Pass the backlog to listen() as it is: no +1 or -1 of your own",
                queued.len()
            ),
        }
    }
}
