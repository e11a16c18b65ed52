//! Exercise 4: a clear error for a taken port, and SO_REUSEADDR
//! (`src/reuse.rs`).

use lesson2::reuse::{BindError, bind_error, bind_reusable};
use netlings_helpers::accept_queue::{BurstCutShort, connect_burst};
use netlings_helpers::net::{self, Client};
use netlings_helpers::{STEP, likely_cause, printable, within};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::time::Duration;

fn listening(addr: SocketAddr) -> TcpListener {
    bind_reusable(addr).unwrap_or_else(|error| panic!("bind_reusable({addr}) failed: {error}"))
}

fn local_addr(listener: &TcpListener) -> SocketAddr {
    listener
        .local_addr()
        .expect("a bound listener has a local address")
}

#[netlings_helpers::test]
fn bind_error_names_the_address_in_use() {
    let addr: SocketAddr = (Ipv4Addr::LOCALHOST, 7878).into();
    match bind_error(addr, io::Error::from(io::ErrorKind::AddrInUse)) {
        BindError::InUse(reported) => assert_eq!(
            reported, addr,
            "BindError::InUse must carry the address that was to be bound"
        ),
        other => panic!(
            "bind_error({addr}, AddrInUse) returned {other:?}; an AddrInUse error means another \
             socket listens there: BindError::InUse({addr})"
        ),
    }
}

#[netlings_helpers::test]
fn bind_error_keeps_any_other_error() {
    let addr: SocketAddr = (Ipv4Addr::new(192, 0, 2, 1), 7878).into();
    for kind in [
        io::ErrorKind::AddrNotAvailable,
        io::ErrorKind::PermissionDenied,
    ] {
        let error = bind_error(addr, io::Error::from(kind));
        let BindError::Other {
            addr: reported,
            source,
        } = &error
        else {
            panic!(
                "bind_error({addr}, {kind:?}) returned {error:?}; only AddrInUse means the \
                 address is in use: anything else is BindError::Other with the error kept"
            )
        };
        assert_eq!(*reported, addr, "BindError::Other must carry the address");
        assert_eq!(
            source.kind(),
            kind,
            "BindError::Other must keep the original error as its source"
        );
        // What a program that prints the chain of causes (anyhow's `{:#}`)
        // finds: the io::Error, through std::error::Error::source().
        let chained = std::error::Error::source(&error)
            .and_then(|cause| cause.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        assert_eq!(
            chained,
            Some(kind),
            "BindError::Other's source() must be the io::Error it keeps"
        );
    }
}

#[netlings_helpers::test]
fn binds_a_listener_that_accepts_a_client_over_ipv4_and_ipv6() {
    for ip in [
        IpAddr::from(Ipv4Addr::LOCALHOST),
        IpAddr::from(Ipv6Addr::LOCALHOST),
    ] {
        let listener = listening(SocketAddr::new(ip, 0));
        let address = local_addr(&listener);
        net::expect_listening_on(ip, &listener, address);
    }
}

#[netlings_helpers::test]
fn the_listener_queues_as_many_clients_as_stds() {
    // std listens with a backlog of 128, and Linux queues backlog + 1: 129
    // clients get in while nobody accepts, and the 130th gets no answer.
    const STD_BACKLOG: usize = 128;
    let listener = listening((Ipv4Addr::LOCALHOST, 0).into());
    let address = local_addr(&listener);
    let clients = STD_BACKLOG + 2;
    let outcome = within(
        STEP,
        &format!("{clients} clients to connect, one after another, while nobody accepts"),
        move || connect_burst(address, clients, Duration::from_secs(1)),
    );
    let queued = match outcome {
        Ok(connected) => connected.len(),
        Err(BurstCutShort {
            connected, error, ..
        }) if error.kind() == io::ErrorKind::TimedOut => connected.len(),
        Err(BurstCutShort { client, error, .. }) => panic!(
            "client {client} could not connect to the listener from bind_reusable: {error}. \
             Likely cause: {}",
            likely_cause(&error)
        ),
    };
    assert_eq!(
        queued,
        STD_BACKLOG + 1,
        "with nobody accepting, {queued} clients got into the accept queue of the listener from \
         bind_reusable; Linux queues backlog + 1, so its backlog is {}. Listen with a backlog of \
         {STD_BACKLOG}, as std does: socket.listen(128)",
        queued.saturating_sub(1)
    );
}

#[netlings_helpers::test]
fn a_second_listener_on_a_busy_port_is_in_use() {
    let first = listening((Ipv4Addr::LOCALHOST, 0).into());
    let address = local_addr(&first);
    match bind_reusable(address) {
        Ok(_) => panic!(
            "a second listener bound {address} while the first one still listens there. \
             SO_REUSEADDR does not allow that on Linux; SO_REUSEPORT does (two live listeners \
             sharing a port): is that the option that was set?"
        ),
        Err(BindError::InUse(reported)) => {
            assert_eq!(reported, address, "the error must name the busy address");
            let message = BindError::InUse(reported).to_string();
            assert!(message.contains(&address.to_string()), "{message}");
        }
        Err(other) => panic!(
            "binding {address} while another listener listens there gave {other:?}; expected \
             BindError::InUse({address}) (the system reports AddrInUse)"
        ),
    }
}

#[netlings_helpers::test]
fn the_listener_has_so_reuseaddr_set() {
    let listener = listening((Ipv4Addr::LOCALHOST, 0).into());
    let reuse = SockRef::from(&listener)
        .reuse_address()
        .expect("reading SO_REUSEADDR with getsockopt");
    assert!(
        reuse,
        "the listener from bind_reusable has SO_REUSEADDR off; set it with socket2's \
         set_reuse_address(true), before bind()"
    );
}

#[netlings_helpers::test]
fn rebinds_a_port_whose_connections_are_in_time_wait() {
    let old = listening((Ipv4Addr::LOCALHOST, 0).into());
    let address = local_addr(&old);

    // One whole exchange, which the server's side closes first: that side
    // ends in TIME_WAIT (after FIN_WAIT), still holding the listener's port.
    let mut client = Client::connect(address);
    let (mut server_side, _) = net::accept(&old, "the client's connection to be accepted");
    server_side
        .write_all(b"bye\n")
        .unwrap_or_else(|error| panic!("the server side's write failed: {error}"));
    drop(server_side);
    assert_eq!(client.read_line("the server's goodbye"), "bye");
    let rest = client.read_to_end("the server side's FIN (end-of-file)");
    assert!(rest.is_empty(), "unexpected bytes: {}", printable(&rest));
    drop(client);
    // The server stops: its listener is closed, its old connection is not gone.
    drop(old);

    // The test checks its own premise: a socket without SO_REUSEADDR cannot
    // bind the port, because the old connection still holds it.
    let plain = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .expect("creating a TCP socket");
    let plain_bind = plain.bind(&address.into());
    assert!(
        matches!(&plain_bind, Err(error) if error.kind() == io::ErrorKind::AddrInUse),
        "test premise: binding {address} without SO_REUSEADDR should fail with AddrInUse while \
         the old connection is in TIME_WAIT, but gave {plain_bind:?}"
    );
    drop(plain);

    // The server restarts on the same port at once.
    if let Err(error) = bind_reusable(address) {
        panic!(
            "restarting: bind_reusable({address}) failed: {error}. The connection the old \
             server closed first still holds {address} in TIME_WAIT (`ss -tan state time-wait` \
             lists it for 60 s). Binding past it works only if both the old listener (its \
             accepted connections inherit the option) and the new one set SO_REUSEADDR, before \
             bind()."
        );
    }
}
