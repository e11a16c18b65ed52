//! Exercise 1: parse and classify endpoints (`src/endpoint.rs`).

use lesson1::endpoint::{Endpoint, EndpointError, PortClass, Protocol, parse_endpoint, port_class};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// Parses `text`, which is a valid endpoint; if `parse_endpoint` rejects it,
/// the test fails with `why`, the reason it is valid.
fn parsed(text: &str, why: &str) -> Endpoint {
    parse_endpoint(text).unwrap_or_else(|error| {
        panic!(
            "parse_endpoint({text:?}) returned Err({error:?}), but {text:?} is a valid endpoint: \
             {why}"
        )
    })
}

/// Parses `text`, which is not a valid endpoint, and returns the error; if
/// `parse_endpoint` accepts it, the test fails with `why`, the reason it is
/// not valid.
fn rejected(text: &str, why: &str) -> EndpointError {
    match parse_endpoint(text) {
        Ok(endpoint) => panic!(
            "parse_endpoint({text:?}) returned Ok({endpoint:?}), but {text:?} is not a valid \
             endpoint: {why}"
        ),
        Err(error) => error,
    }
}

#[test]
fn parses_an_ipv4_tcp_endpoint() {
    let why = "142.250.74.206:443/tcp is IP 142.250.74.206, port 443, protocol TCP";
    let endpoint = parsed("142.250.74.206:443/tcp", why);
    assert_eq!(
        endpoint,
        Endpoint {
            addr: SocketAddr::from((Ipv4Addr::new(142, 250, 74, 206), 443)),
            protocol: Protocol::Tcp,
        },
        "{why}"
    );
    assert_eq!(endpoint.to_string(), "142.250.74.206:443/tcp");
}

#[test]
fn parses_a_bracketed_ipv6_udp_endpoint() {
    let why = "[::1]:8080/udp is the IPv6 loopback address ::1, port 8080, protocol UDP; \
               the address is everything before the last '/', brackets included";
    let endpoint = parsed("[::1]:8080/udp", why);
    assert_eq!(
        endpoint,
        Endpoint {
            addr: SocketAddr::from((Ipv6Addr::LOCALHOST, 8080)),
            protocol: Protocol::Udp,
        },
        "{why}"
    );
    assert!(endpoint.addr.is_ipv6());
}

#[test]
fn rejects_a_missing_or_unknown_protocol() {
    let why = "an endpoint without /tcp or /udp does not say which protocol it means";
    assert_eq!(
        rejected("127.0.0.1:80", why),
        EndpointError::MissingProtocol,
        "{why}"
    );
    let why = "only tcp and udp are protocols this course knows";
    assert_eq!(
        rejected("127.0.0.1:80/sctp", why),
        EndpointError::UnknownProtocol("sctp".into()),
        "{why}"
    );
    let why = "protocols are written in lower case";
    assert_eq!(
        rejected("127.0.0.1:80/TCP", why),
        EndpointError::UnknownProtocol("TCP".into()),
        "{why}"
    );
}

#[test]
fn rejects_ipv6_without_brackets() {
    let why = "in ::1:8080 nobody can tell where the address ends and the port begins; \
         more than one ':' and no '[' means an IPv6 address without brackets";
    assert_eq!(
        rejected("::1:8080/tcp", why),
        EndpointError::Ipv6WithoutBrackets,
        "{why}"
    );
}

#[test]
fn rejects_bad_ports_names_and_bad_addresses() {
    let why = "ports are 16-bit numbers: 65535 is the largest";
    assert_eq!(
        rejected("10.0.0.1:70000/tcp", why),
        EndpointError::InvalidPort("70000".into()),
        "{why}"
    );
    let why = "a port is a number; service names like http belong to a resolver";
    assert_eq!(
        rejected("10.0.0.1:http/tcp", why),
        EndpointError::InvalidPort("http".into()),
        "{why}"
    );
    let why = "localhost is a name: it has to be resolved to an address first";
    assert_eq!(
        rejected("localhost:80/tcp", why),
        EndpointError::NotAnIpAddress("localhost".into()),
        "{why}"
    );
    let why = "each part of an IPv4 address is one byte, 0 to 255";
    assert_eq!(
        rejected("300.1.2.3:80/udp", why),
        EndpointError::InvalidAddress("300.1.2.3:80".into()),
        "{why}"
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
