//! Exercise 6: one IPv6 socket for IPv4 clients too (`src/dual_stack.rs`).
//!
//! The tests stay on loopback: they bind `[::ffff:127.0.0.1]` or `[::1]`,
//! never `[::]`.

use lesson1::dual_stack::{ipv6_listener, unmapped};
use netlings_helpers::likely_cause;
use netlings_helpers::net::{self, Client, fill_accept_queue};
use socket2::SockRef;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

#[netlings_helpers::test]
fn unmapped_turns_a_mapped_address_back_into_ipv4() {
    let mapped = SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 51000));
    assert_eq!(
        unmapped(mapped),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 51000)),
        "{mapped} is the IPv4 address 127.0.0.1 written as IPv6 (::ffff: and the four bytes); \
         port 51000 stays"
    );
}

#[netlings_helpers::test]
fn unmapped_leaves_every_other_address_alone() {
    let loopback = SocketAddr::from((Ipv6Addr::LOCALHOST, 51000));
    assert_eq!(
        unmapped(loopback),
        loopback,
        "[::1] is the IPv6 loopback address, not a mapped IPv4 one; Ipv6Addr::to_ipv4() turns \
         it into 0.0.0.1, Ipv6Addr::to_ipv4_mapped() does not"
    );
    for address in [
        SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 443)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 51000)),
        SocketAddr::from((Ipv4Addr::new(192, 0, 2, 7), 80)),
    ] {
        assert_eq!(
            unmapped(address),
            address,
            "{address} is not an IPv4-mapped address: it stays as it is"
        );
    }
}

#[netlings_helpers::test]
fn one_ipv6_socket_accepts_an_ipv4_client() {
    let mapped_loopback = SocketAddrV6::new(Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 0, 0, 0);
    let listener = ipv6_listener(mapped_loopback, true).unwrap_or_else(|error| {
        panic!(
            "ipv6_listener({mapped_loopback}, true) failed: {error}. Binding an IPv4-mapped \
             address needs an IPv6 socket that is not IPv6-only: with accept_ipv4 = true, \
             set_only_v6(false) before bind() (an IPv6-only socket gets InvalidInput, EINVAL)"
        )
    });
    let bound = listener
        .local_addr()
        .expect("a bound listener has a local address");
    assert!(
        bound.is_ipv6() && bound.port() != 0,
        "the listener is bound to {bound}; expected an IPv6 address with the port the OS chose"
    );

    // The client is plain IPv4: it knows nothing of the IPv6 socket.
    let ipv4 = SocketAddr::from((Ipv4Addr::LOCALHOST, bound.port()));
    let client = Client::connect(ipv4);
    let (_server_side, peer) = net::accept(&listener, "the IPv4 client's connection");
    let own = client.local_addr();
    assert_eq!(
        peer,
        SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), own.port())),
        "the IPv4 client {own} arrives on an IPv6 socket, which shows its address IPv4-mapped"
    );
    assert_eq!(
        unmapped(peer),
        own,
        "unmapped({peer}) must give back the address the client sees itself at"
    );
}

#[netlings_helpers::test]
fn accept_ipv4_decides_whatever_the_os_default() {
    let os_default = "A new IPv6 socket's IPV6_V6ONLY depends on the OS: off on Linux (dual stack, \
                      unless net.ipv6.bindv6only says otherwise), on for Windows, FreeBSD and \
                      NetBSD (IPv6 only). Code that relies on the default means something else \
                      on each of them, so it says what it means: set_only_v6(!accept_ipv4), \
                      before bind(), whichever value accept_ipv4 has";
    let mapped_loopback = SocketAddrV6::new(Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 0, 0, 0);

    // An IPv6-only socket has no IPv4 side, so it cannot even bind an
    // IPv4-mapped address: bind() fails with EINVAL, and nothing is sent.
    // (Reading IPV6_V6ONLY back from a listener on [::1] would prove nothing:
    // Linux turns the option on by itself when a socket binds a specific
    // IPv6 address.)
    match ipv6_listener(mapped_loopback, false) {
        Ok(listener) => {
            let only_v6 = SockRef::from(&listener)
                .only_v6()
                .expect("reading the IPV6_V6ONLY option of an IPv6 socket");
            panic!(
                "ipv6_listener({mapped_loopback}, false) returned a listener on that IPv4-mapped \
                 address, with IPV6_V6ONLY = {only_v6}: it takes IPv4 clients, though \
                 accept_ipv4 is false. An IPv6-only socket cannot bind an IPv4-mapped address \
                 (InvalidInput, EINVAL). {os_default}"
            )
        }
        Err(error) => assert_eq!(
            error.kind(),
            io::ErrorKind::InvalidInput,
            "ipv6_listener({mapped_loopback}, false) failed with {error}; expected InvalidInput \
             (EINVAL) from bind(): an IPv6-only socket cannot bind an IPv4-mapped address"
        ),
    }
    if let Err(error) = ipv6_listener(mapped_loopback, true) {
        panic!(
            "ipv6_listener({mapped_loopback}, true) failed: {error}; a socket asked to accept IPv4 \
             clients is dual-stack and can bind an IPv4-mapped address. {os_default}"
        );
    }

    // IPv6 only still means IPv6 clients are welcome.
    let loopback = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
    let listener = ipv6_listener(loopback, false).unwrap_or_else(|error| {
        panic!(
            "ipv6_listener({loopback}, false) failed: {error}. Likely cause: {}",
            likely_cause(&error)
        )
    });
    let bound = listener
        .local_addr()
        .expect("a bound listener has a local address");
    assert!(
        bound.ip() == Ipv6Addr::LOCALHOST && bound.port() != 0,
        "the listener is bound to {bound}; expected [::1] with the port the OS chose"
    );
    let client = Client::connect(bound);
    let (_server_side, peer) = net::accept(&listener, "the IPv6 client's connection");
    assert_eq!(
        peer,
        client.local_addr(),
        "an IPv6-only listener accepts IPv6 clients, and sees each at its own address"
    );

    // Nobody accepts from here on: the accept queue fills up. Linux keeps
    // backlog + 1 finished connections, then drops further handshakes.
    match fill_accept_queue(bound, 160) {
        None => panic!(
            "160 clients completed their handshake with {bound} while nobody called accept(): \
             the listener's backlog is larger than the 128 ipv6_listener documents"
        ),
        Some(queued) => assert_eq!(
            queued.len(),
            129,
            "{} connections waited in the accept queue of {bound} before the kernel dropped \
             the next handshake; a backlog of 128 (listen(128), as std uses) queues 129 on \
             Linux",
            queued.len()
        ),
    }
}
