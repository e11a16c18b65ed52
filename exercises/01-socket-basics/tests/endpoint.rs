//! Exercise 1: parse and classify endpoints (`src/endpoint.rs`).

use lesson1::endpoint::{Endpoint, EndpointError, PortClass, Protocol, parse_endpoint, port_class};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

fn parsed(text: &str) -> Endpoint {
    parse_endpoint(text).unwrap_or_else(|error| {
        panic!("parse_endpoint({text:?}) returned Err({error:?}), but {text:?} is a valid endpoint")
    })
}

fn rejected(text: &str) -> EndpointError {
    match parse_endpoint(text) {
        Ok(endpoint) => panic!(
            "parse_endpoint({text:?}) returned Ok({endpoint:?}), but {text:?} is not a valid endpoint"
        ),
        Err(error) => error,
    }
}

#[test]
fn parses_an_ipv4_tcp_endpoint() {
    let endpoint = parsed("142.250.74.206:443/tcp");
    assert_eq!(
        endpoint,
        Endpoint {
            addr: SocketAddr::from((Ipv4Addr::new(142, 250, 74, 206), 443)),
            protocol: Protocol::Tcp,
        },
        "142.250.74.206:443/tcp is IP 142.250.74.206, port 443, protocol TCP"
    );
    assert_eq!(endpoint.to_string(), "142.250.74.206:443/tcp");
}

#[test]
fn parses_a_bracketed_ipv6_udp_endpoint() {
    let endpoint = parsed("[::1]:8080/udp");
    assert_eq!(
        endpoint,
        Endpoint {
            addr: SocketAddr::from((Ipv6Addr::LOCALHOST, 8080)),
            protocol: Protocol::Udp,
        },
        "[::1]:8080/udp is the IPv6 loopback address ::1, port 8080, protocol UDP; \
         the address is everything before the last '/', brackets included"
    );
    assert!(endpoint.addr.is_ipv6());
}

#[test]
fn rejects_a_missing_or_unknown_protocol() {
    assert_eq!(
        rejected("127.0.0.1:80"),
        EndpointError::MissingProtocol,
        "an endpoint without /tcp or /udp does not say which protocol it means"
    );
    assert_eq!(
        rejected("127.0.0.1:80/sctp"),
        EndpointError::UnknownProtocol("sctp".into()),
        "only tcp and udp are protocols this course knows"
    );
    assert_eq!(
        rejected("127.0.0.1:80/TCP"),
        EndpointError::UnknownProtocol("TCP".into()),
        "protocols are written in lower case"
    );
}

#[test]
fn rejects_ipv6_without_brackets() {
    assert_eq!(
        rejected("::1:8080/tcp"),
        EndpointError::Ipv6WithoutBrackets,
        "in ::1:8080 nobody can tell where the address ends and the port begins; \
         more than one ':' and no '[' means an IPv6 address without brackets"
    );
}

#[test]
fn rejects_bad_ports_names_and_bad_addresses() {
    assert_eq!(
        rejected("10.0.0.1:70000/tcp"),
        EndpointError::InvalidPort("70000".into()),
        "ports are 16-bit numbers: 65535 is the largest"
    );
    assert_eq!(
        rejected("10.0.0.1:http/tcp"),
        EndpointError::InvalidPort("http".into()),
        "a port is a number; service names like http belong to a resolver"
    );
    assert_eq!(
        rejected("localhost:80/tcp"),
        EndpointError::NotAnIpAddress("localhost".into()),
        "localhost is a name: it has to be resolved to an address first"
    );
    assert_eq!(
        rejected("300.1.2.3:80/udp"),
        EndpointError::InvalidAddress("300.1.2.3:80".into()),
        "each part of an IPv4 address is one byte, 0 to 255"
    );
}

#[test]
fn classifies_ports_by_range() {
    let expected = [
        (0, PortClass::OsChooses),
        (1, PortClass::WellKnown),
        (443, PortClass::WellKnown),
        (1023, PortClass::WellKnown),
        (1024, PortClass::Registered),
        (5432, PortClass::Registered),
        (49151, PortClass::Registered),
        (49152, PortClass::Dynamic),
        (65535, PortClass::Dynamic),
    ];
    for (port, class) in expected {
        assert_eq!(port_class(port), class, "port {port} is {class:?}");
    }
}
