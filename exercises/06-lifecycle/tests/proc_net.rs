//! Exercise 2: find a connection in `/proc/net/tcp` (`src/proc_net.rs`).
//! `/proc/net/tcp` is Linux-specific: these tests expect Linux.

use lesson6::proc_net::{ProcEntry, find_connection, parse_line};
use lesson6::state::TcpState;
use netlings_helpers::STEP;
use netlings_helpers::net::{self, Client, loopback_listener, loopback_listener_v6};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("a socket address")
}

#[netlings_helpers::test]
fn decodes_an_ipv4_line() {
    // 127.0.0.1:8080 connected to 127.0.0.1:54321, CLOSE_WAIT, 16 bytes
    // waiting to be sent and 5 waiting to be read.
    let line = "   3: 0100007F:1F90 0100007F:D431 08 00000010:00000005 00:00000000 00000000  1000        0 40513 1 0000000000000000 20 4 30 10 -1";
    let entry = parse_line(line).unwrap_or_else(|| panic!("parse_line returned None for {line:?}"));
    assert_eq!(
        entry.local,
        addr("127.0.0.1:8080"),
        "local_address 0100007F:1F90: the IP's bytes are printed in memory order, reversed on a \
         little-endian machine (7F.00.00.01 = 127.0.0.1); the port is a plain hex number \
         (0x1F90 = 8080)"
    );
    assert_eq!(
        entry.remote,
        addr("127.0.0.1:54321"),
        "rem_address is the second address column (0100007F:D431 = 127.0.0.1:54321)"
    );
    assert_eq!(entry.state, TcpState::CloseWait, "st 08 is CLOSE_WAIT");
    assert_eq!(
        (entry.send_queue, entry.recv_queue),
        (0x10, 5),
        "tx_queue:rx_queue is 00000010:00000005, hex: send queue 16, receive queue 5"
    );
}

#[netlings_helpers::test]
fn decodes_hex_states_and_rejects_the_header() {
    let listener = "   0: 0100007F:A76E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51 1 000000001b678afd 100 0 0 10 0";
    let entry = parse_line(listener).expect("a listener's line");
    assert_eq!(
        entry.state,
        TcpState::Listen,
        "st 0A is hexadecimal for 10, LISTEN"
    );
    assert_eq!(entry.remote, addr("0.0.0.0:0"), "a listener has no peer");
    assert_eq!(
        parse_line(HEADER),
        None,
        "the header line of /proc/net/tcp is no socket"
    );
    for odd in [
        "",
        "   0:",
        "   0: 0100007F:A76E",
        "   0: XYZ:A76E 00000000:0000 0A 0:0",
    ] {
        assert_eq!(parse_line(odd), None, "{odd:?} is no socket line");
    }
}

#[netlings_helpers::test]
fn decodes_an_ipv6_line() {
    // [::1]:8080 connected to [2001:db8::ff00:42:8329]:443, ESTABLISHED.
    let line = "   0: 00000000000000000000000001000000:1F90 B80D01200000000000FF000029834200:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 9133 1 0000000000000000 20 4 30 10 -1";
    let entry = parse_line(line).unwrap_or_else(|| panic!("parse_line returned None for {line:?}"));
    assert_eq!(
        entry.local,
        addr("[::1]:8080"),
        "an IPv6 address is four 32-bit words, each printed in memory order (reversed on its \
         own on a little-endian machine); the words stay in order: \
         00000000000000000000000001000000 is ::1"
    );
    assert_eq!(
        entry.remote,
        addr("[2001:db8::ff00:42:8329]:443"),
        "B80D0120 00000000 00FF0000 29834200 is 2001:0db8:0000:0000:0000:ff00:0042:8329"
    );
    assert_eq!(entry.state, TcpState::Established);
}

/// Looks up `local` → `remote` until `ready` accepts the entry, failing with
/// the entry seen last (or its absence) after [`STEP`]. The kernel updates
/// the table when segments arrive, so a test waits for what it expects.
fn wait_for_entry(
    local: SocketAddr,
    remote: SocketAddr,
    expecting: &str,
    ready: impl Fn(&ProcEntry) -> bool,
) -> ProcEntry {
    // Reading a file cannot block, so the loop's own deadline is enough.
    let deadline = Instant::now() + STEP;
    loop {
        let found = find_connection(local, remote).unwrap_or_else(|error| {
            panic!(
                "find_connection({local}, {remote}) failed: {error} (this test needs Linux's \
                 /proc/net)"
            )
        });
        match found {
            Some(entry) if ready(&entry) => return entry,
            _ if Instant::now() > deadline => panic!(
                "find_connection(local {local}, remote {remote}) never found {expecting} \
                 within {STEP:?}; it last returned {found:?}"
            ),
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

#[netlings_helpers::test]
fn finds_a_live_ipv4_connection_by_its_four_tuple() {
    let (listener, address) = loopback_listener();
    let mut client = Client::connect(address);
    let (accepted, peer) = net::accept(&listener, "the test's own client");
    // The accepted socket's local address is the listener's, as is the
    // listener's own line: only the remote address tells them apart.
    let local = accepted
        .local_addr()
        .expect("a connected socket has an address");
    client.send(b"12345");
    let entry = wait_for_entry(
        local,
        peer,
        "5 unread bytes in its receive queue",
        |entry| entry.recv_queue == 5,
    );
    assert_eq!(
        (entry.local, entry.remote, entry.state),
        (local, peer, TcpState::Established),
        "the server's end of the connection, found by its four-tuple"
    );
    assert_eq!(entry.send_queue, 0, "the server side wrote nothing");
}

#[netlings_helpers::test]
fn finds_a_live_ipv6_connection_in_tcp6() {
    let (listener, address) = loopback_listener_v6();
    let client = Client::connect(address);
    let (accepted, _) = net::accept(&listener, "the test's own client");
    let local = client.local_addr();
    let remote = accepted
        .local_addr()
        .expect("a connected socket has an address");
    let entry = wait_for_entry(local, remote, "an ESTABLISHED IPv6 connection", |entry| {
        entry.state == TcpState::Established
    });
    assert_eq!(
        (entry.local, entry.remote),
        (local, remote),
        "IPv6 sockets are listed in /proc/net/tcp6, not /proc/net/tcp"
    );
}

#[netlings_helpers::test]
fn finds_a_dropped_socket_in_time_wait() {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let local = client.local_addr();
    let (accepted, peer) = net::accept(&listener, "the test's own client");
    let mut server_side = Client::from_accepted(accepted, peer);
    // The client closes first, the server after it has read the EOF: the
    // client's end goes to TIME_WAIT. The program holds no handle on it any
    // more, so only the kernel's table can still show it.
    drop(client);
    assert_eq!(server_side.read_to_end("the client's FIN"), b"");
    drop(server_side);
    let entry = wait_for_entry(local, address, "the client's end in TIME_WAIT", |entry| {
        entry.state == TcpState::TimeWait
    });
    assert_eq!((entry.local, entry.remote), (local, address));
}
