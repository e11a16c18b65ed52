//! Exercise 6: one IPv6 socket for IPv4 clients too (`src/dual_stack.rs`).
//!
//! The tests stay on loopback: they bind `[::ffff:127.0.0.1]`, never `[::]`.

use lesson1::dual_stack::{dual_stack_listener, unmapped};
use netlings_helpers::net::{self, Client};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

#[test]
fn unmapped_turns_a_mapped_address_back_into_ipv4() {
    let mapped = SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 51000));
    assert_eq!(
        unmapped(mapped),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 51000)),
        "{mapped} is the IPv4 address 127.0.0.1 written as IPv6 (::ffff: and the four bytes); \
         port 51000 stays"
    );
}

#[test]
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

#[test]
fn one_ipv6_socket_accepts_an_ipv4_client() {
    let mapped_loopback = SocketAddrV6::new(Ipv4Addr::LOCALHOST.to_ipv6_mapped(), 0, 0, 0);
    let listener = dual_stack_listener(mapped_loopback).unwrap_or_else(|error| {
        panic!(
            "dual_stack_listener({mapped_loopback}) failed: {error}. Binding an IPv4-mapped \
             address needs an IPv6 socket that is not IPv6-only: set_only_v6(false) before bind() \
             (an IPv6-only socket gets InvalidInput, EINVAL)"
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
