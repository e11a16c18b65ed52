//! socket(), bind(), listen(), accept(): one system call at a time.
//!
//! `TcpListener::bind` looks like one operation, but it asks the kernel for
//! three things: create a socket, give it an address, make it listen. The
//! socket2 crate exposes each of those system calls as its own method, so this
//! program can stop after each step and show what changed. Between steps it
//! waits for Enter, so that you can look from another terminal with `ss`.
//!
//! Run it with `cargo run -p lesson1-demos --bin syscalls`. To watch the
//! system calls themselves, run the built program under strace (Linux):
//! `strace -e trace=socket,bind,listen,connect,accept4 target/debug/syscalls`.

use netlings_cli::pause;
use socket2::{Domain, Protocol, Socket, Type};
use std::net::{SocketAddr, TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let requested: SocketAddr = "127.0.0.1:0".parse().expect("a valid socket address");

    // Step 1: socket(AF_INET, SOCK_STREAM, IPPROTO_TCP).
    //
    // The three arguments are the "protocol" part of a socket: the address
    // family (IPv4), the type (a byte stream) and the protocol (TCP). The
    // kernel creates the socket and returns a *file descriptor*: a small
    // integer that indexes this process's table of open files. From here on,
    // every operation names the socket by that number.
    let socket = Socket::new(
        Domain::for_address(requested),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    println!(
        "1. socket()  created a TCP/IPv4 socket: {}",
        describe_handle(&socket)
    );
    // It has no address yet. On Linux, asking for one gives 0.0.0.0:0:
    // no IP, no port.
    println!("   its local address so far: {}", local(&socket)?);
    pause("   Press Enter to bind it...");

    // Step 2: bind(fd, 127.0.0.1:0).
    //
    // Port 0 asks the kernel to choose a free port. The address we passed in
    // still says 0, so the only way to know the real port is to ask the
    // socket: getsockname(), which is what `local_addr()` calls.
    socket.bind(&requested.into())?;
    let bound = local(&socket)?;
    println!("\n2. bind()    asked for {requested}, the kernel bound {bound}");
    println!("   A bound socket that does not listen is in no list that ss prints:");
    println!("     ss -tan 'sport = :{}'", bound.port());
    pause("   Press Enter to listen...");

    // Step 3: listen(fd, 128).
    //
    // Only now can clients connect. The kernel completes their TCP handshakes
    // on its own and queues the finished connections, up to the backlog (128
    // here, the same number std uses), until the program accepts them.
    socket.listen(128)?;
    println!("\n3. listen()  the socket is listening; ss now shows it in state LISTEN:");
    println!("     ss -tlnp 'sport = :{}'", bound.port());
    pause("   Press Enter to connect a client and accept it...");

    // Step 4: a client connects, and accept(fd) returns a new socket.
    //
    // From here we hand the socket to std: `TcpListener` is the same file
    // descriptor with a friendlier API. Then a client in this same process
    // connects; connect() returns as soon as the kernel has finished the
    // handshake, even though nobody has called accept() yet.
    let listener: TcpListener = socket.into();
    let client = TcpStream::connect(bound)?;
    println!(
        "\n4. connect() the client, never bound, got {} from the kernel",
        client.local_addr()?
    );
    let (connection, peer) = listener.accept()?;
    // accept() creates a *second* socket, with a descriptor of its own, for
    // this one connection. The listener keeps listening.
    let connection = Socket::from(connection);
    println!(
        "   accept()  returned a new socket: {}",
        describe_handle(&connection)
    );
    println!("             local {}, peer {peer}", local(&connection)?);
    let listener = Socket::from(listener);
    println!("   the listener is still {}", describe_handle(&listener));
    Ok(())
}

/// The socket's local address as a std `SocketAddr`.
///
/// socket2 returns its own `SockAddr`, which can also hold non-IP addresses
/// (Unix sockets); `as_socket` converts it when it is IPv4 or IPv6.
fn local(socket: &Socket) -> std::io::Result<SocketAddr> {
    let addr = socket.local_addr()?;
    addr.as_socket()
        .ok_or_else(|| std::io::Error::other("not an IP socket address"))
}

/// `fd 3 (socket:[12345])`: the file descriptor, and what Linux's /proc says
/// it points to. The bracketed number is the socket's inode, the same number
/// `ss -e` and /proc/net/tcp print.
#[cfg(unix)]
fn describe_handle(socket: &Socket) -> String {
    use std::os::fd::AsRawFd;
    let fd = socket.as_raw_fd();
    match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
        Ok(target) => format!("fd {fd} ({})", target.display()),
        Err(_) => format!("fd {fd}"),
    }
}

/// On Windows a socket is a SOCKET handle rather than a file descriptor.
#[cfg(windows)]
fn describe_handle(socket: &Socket) -> String {
    use std::os::windows::io::AsRawSocket;
    format!("SOCKET handle {}", socket.as_raw_socket())
}
