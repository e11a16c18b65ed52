//! Exercise 1: parse and classify endpoints (`src/endpoint.rs`).

use lesson1::endpoint::{Endpoint, EndpointError, PortClass, Protocol, port_class};
use std::error::Error;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// Parses `text`, which is a valid endpoint; if `Endpoint::from_str` rejects
/// it, the test fails with `why`, the reason it is valid.
fn parsed(text: &str, why: &str) -> Endpoint {
    text.parse::<Endpoint>().unwrap_or_else(|error| {
        panic!(
            "{text:?}.parse::<Endpoint>() returned Err({error:?}), but {text:?} is a valid \
             endpoint: {why}"
        )
    })
}

/// Parses `text`, which is not a valid endpoint, and returns the error; if
/// `Endpoint::from_str` accepts it, the test fails with `why`, the reason it
/// is not valid.
fn rejected(text: &str, why: &str) -> EndpointError {
    match text.parse::<Endpoint>() {
        Ok(endpoint) => panic!(
            "{text:?}.parse::<Endpoint>() returned Ok({endpoint:?}), but {text:?} is not a valid \
             endpoint: {why}"
        ),
        Err(error) => {
            // The error is a standard error: it can be shown to a person and
            // boxed into a `Box<dyn Error>` with `?`.
            let shown: &dyn Error = &error;
            assert!(
                !shown.to_string().is_empty(),
                "the error for {text:?} displays as an empty text"
            );
            error
        }
    }
}

#[netlings_helpers::test]
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

#[netlings_helpers::test]
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

    let why = "[fe80::1%2]:80/tcp is the link-local address fe80::1 on the interface whose index \
               is 2 (its scope id), port 80: SocketAddr parses the scope id, and an IP parsed \
               apart from its port (IpAddr, then u16) loses it";
    let endpoint = parsed("[fe80::1%2]:80/tcp", why);
    assert_eq!(
        endpoint.addr,
        SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1),
            80,
            0,
            2
        )),
        "{why}"
    );
    assert_eq!(endpoint.to_string(), "[fe80::1%2]:80/tcp", "{why}");
}

#[netlings_helpers::test]
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
    let why = "a '/' with nothing after it names no protocol this course knows";
    assert_eq!(
        rejected("127.0.0.1:80/", why),
        EndpointError::UnknownProtocol(String::new()),
        "{why}"
    );
    let why = "protocols are written in lower case";
    assert_eq!(
        rejected("127.0.0.1:80/TCP", why),
        EndpointError::UnknownProtocol("TCP".into()),
        "{why}"
    );
    let why = "the protocol follows the last '/': in 127.0.0.1:80/udp/tcp it is tcp, and the \
               address left before it, 127.0.0.1:80/udp, has the port \"80/udp\" (split with \
               rsplit_once('/'), not split_once)";
    assert_eq!(
        rejected("127.0.0.1:80/udp/tcp", why),
        EndpointError::InvalidPort("80/udp".into()),
        "{why}"
    );
}

#[netlings_helpers::test]
fn rejects_ipv6_without_brackets() {
    let why = "in ::1:8080 nobody can tell where the address ends and the port begins; \
         more than one ':' and no '[' means an IPv6 address without brackets";
    assert_eq!(
        rejected("::1:8080/tcp", why),
        EndpointError::Ipv6WithoutBrackets,
        "{why}"
    );
    assert_eq!(
        rejected("fe80::1/udp", why),
        EndpointError::Ipv6WithoutBrackets,
        "{why}"
    );
    let why = "[::1]:http has its brackets, so the address is clear: what is wrong is the port \
               after the last ':', which is not a number";
    assert_eq!(
        rejected("[::1]:http/tcp", why),
        EndpointError::InvalidPort("http".into()),
        "{why}"
    );
    let why = "[::1]:70000 has its brackets; its port does not fit in 16 bits";
    assert_eq!(
        rejected("[::1]:70000/udp", why),
        EndpointError::InvalidPort("70000".into()),
        "{why}"
    );
}

#[netlings_helpers::test]
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
    let why = "127.0.0.1 has no ':' and so no port: the port's text is empty";
    assert_eq!(
        rejected("127.0.0.1/tcp", why),
        EndpointError::InvalidPort(String::new()),
        "{why}"
    );
    let why = "localhost is a name: it has to be resolved to an address first, and parsing \
               never resolves (no to_socket_addrs here)";
    assert_eq!(
        rejected("localhost:80/tcp", why),
        EndpointError::NotAnIpAddress("localhost".into()),
        "{why}"
    );
    let why = "example.com is a name, not an IP address";
    assert_eq!(
        rejected("example.com:443/tcp", why),
        EndpointError::NotAnIpAddress("example.com".into()),
        "{why}"
    );
    let why = "the port is checked before the host: in localhost:http the port is already wrong";
    assert_eq!(
        rejected("localhost:http/tcp", why),
        EndpointError::InvalidPort("http".into()),
        "{why}"
    );
    let why = "SocketAddr takes a scope id as a number (the interface's index), not as a name \
               like eth0; the host starts with '[', so it is not a name but an invalid address";
    assert_eq!(
        rejected("[fe80::1%eth0]:80/tcp", why),
        EndpointError::InvalidAddress("[fe80::1%eth0]:80".into()),
        "{why}"
    );
    let why = "each part of an IPv4 address is one byte, 0 to 255; the error holds the address \
               without its protocol";
    assert_eq!(
        rejected("300.1.2.3:80/udp", why),
        EndpointError::InvalidAddress("300.1.2.3:80".into()),
        "{why}"
    );
}

#[netlings_helpers::test]
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
