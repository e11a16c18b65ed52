//! Each stage's call made at the wrong moment, and what the kernel answers.
//! A program that reports these errors well names the stage that is
//! missing; the raw messages ("Invalid argument") do not.
//!
//! Run it with `cargo run -p lesson6-demos --bin wrong-order`.

use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

fn show(call: &str, outcome: io::Result<impl std::fmt::Debug>) {
    match outcome {
        Ok(value) => println!("{call:<48} Ok({value:?})"),
        Err(error) => println!(
            "{call:<48} Err: {error} [{:?}, errno {}]",
            error.kind(),
            error.raw_os_error().unwrap_or(0)
        ),
    }
}

fn tcp() -> io::Result<Socket> {
    Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
}

fn main() -> io::Result<()> {
    let any_port: SocketAddr = "127.0.0.1:0".parse().expect("an address");

    let socket = tcp()?;
    show(
        "peer_addr() on a fresh socket",
        socket.peer_addr().map(|_| ()),
    );
    show("send() on a fresh socket", socket.send(b"x"));
    socket.bind(&any_port.into())?;
    let bound = socket.local_addr()?.as_socket().expect("an IP address");
    show(
        "accept() after bind(), before listen()",
        socket.accept().map(|_| ()),
    );
    show("bind() a second time", socket.bind(&any_port.into()));
    show(
        "connect() to a socket that never listened",
        tcp()?.connect(&bound.into()),
    );

    let listener = TcpListener::bind(any_port)?;
    let listening = listener.local_addr()?;
    show(
        "bind() to a port with a live listener",
        tcp()?.bind(&listening.into()),
    );
    show(
        "bind() to 192.0.2.1, no interface has it",
        tcp()?.bind(
            &"192.0.2.1:0"
                .parse::<SocketAddr>()
                .expect("an address")
                .into(),
        ),
    );
    let listening_socket = socket2::SockRef::from(&listener);
    show(
        "connect() on a listening socket",
        listening_socket.connect(&listening.into()),
    );

    // A non-blocking connect returns at once, "in progress"; the handshake
    // goes on in the kernel. The socket becomes writable when it is done,
    // and SO_ERROR (take_error) then says whether it worked.
    let client = tcp()?;
    client.set_nonblocking(true)?;
    show("non-blocking connect()", client.connect(&listening.into()));
    let mut poll = libc::pollfd {
        fd: std::os::fd::AsRawFd::as_raw_fd(&client),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, and its count is 1.
    let ready = unsafe { libc::poll(&mut poll, 1, 2000) };
    println!("{:<48} {ready} socket writable", "poll(POLLOUT, 2 s)");
    show("take_error() after it", client.take_error());
    show(
        "peer_addr() after it",
        client.peer_addr().map(|a| a.as_socket()),
    );

    let refused = tcp()?;
    refused.set_nonblocking(true)?;
    show(
        "non-blocking connect() to nobody",
        refused.connect(&bound.into()),
    );
    std::thread::sleep(Duration::from_millis(50));
    show("take_error() 50 ms later", refused.take_error());
    Ok(())
}
