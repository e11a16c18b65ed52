//! A server and a client through every stage of a TCP connection, one
//! system call at a time, with the kernel's state of each socket after each
//! call: from inside with `getsockopt(TCP_INFO)`, and from outside with
//! `/proc/net/tcp` once the program no longer holds the socket. Linux only.
//!
//! Run it with `cargo run -p lesson6-demos --bin stages`. Where it pauses,
//! run the `ss` command it prints in another terminal.

use lesson6_demos::{kernel_line, own_state, wait_for};
use netlings_cli::pause;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

fn step(side: &str, call: &str, state: String) {
    println!("{side:<7} {call:<28} {state}");
}

fn main() -> std::io::Result<()> {
    let address: SocketAddr = "127.0.0.1:0".parse().expect("a socket address");

    // socket(): a descriptor and a TCP control block, in state CLOSE.
    let server = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    step("server", "socket()", own_state(&server));
    // bind(): an address, still CLOSE: nothing is accepted yet.
    server.bind(&address.into())?;
    let address = server.local_addr()?.as_socket().expect("an IP socket");
    step("server", &format!("bind({address})"), own_state(&server));
    // listen(): from now on the kernel answers SYNs by itself.
    server.listen(128)?;
    step("server", "listen(128)", own_state(&server));

    let client = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    step("client", "socket()", own_state(&client));
    // connect(): SYN, SYN-ACK, ACK. It returns when the handshake is done,
    // before the server program calls accept().
    client.connect(&address.into())?;
    let client: TcpStream = client.into();
    let client_address = client.local_addr()?;
    step("client", "connect()", own_state(&client));
    step(
        "kernel",
        "server end, before accept()",
        kernel_line(address, client_address),
    );

    let (accepted, _) = server.accept()?;
    let mut accepted: TcpStream = accepted.into();
    step("server", "accept()", own_state(&accepted));

    (&client).write_all(b"hello")?;
    step(
        "kernel",
        "client wrote 5 bytes",
        wait_for("ESTABLISHED send-Q 0 recv-Q 5", || {
            kernel_line(address, client_address)
        }),
    );

    // shutdown(Write): the client's FIN. Its end goes FIN_WAIT1, and
    // FIN_WAIT2 once the server's kernel acknowledges the FIN; the server's
    // end goes CLOSE_WAIT: the peer has closed, the program has not.
    client.shutdown(Shutdown::Write)?;
    step(
        "client",
        "shutdown(Write)",
        wait_for("FIN_WAIT2", || own_state(&client)),
    );
    step("server", "(the client's FIN came)", own_state(&accepted));
    let mut request = Vec::new();
    accepted.read_to_end(&mut request)?;
    step(
        "server",
        &format!("read {} bytes, then 0", request.len()),
        own_state(&accepted),
    );
    pause(&format!(
        "\nNow, in another terminal: ss -tan '( sport = :{} )'   (Enter to go on)",
        address.port()
    ));

    // The server answers and closes: its FIN. The server's end goes
    // LAST_ACK until the client acknowledges it; the client's end goes to
    // TIME_WAIT, which the kernel keeps in a small record of its own: the
    // client's descriptor now reports CLOSE, and only /proc/net/tcp shows
    // the TIME_WAIT.
    accepted.write_all(b"olleh")?;
    drop(accepted);
    step(
        "server",
        "write 5 bytes, close()",
        String::from("(descriptor gone)"),
    );
    let mut reply = Vec::new();
    (&client).read_to_end(&mut reply)?;
    step(
        "client",
        &format!("read {} bytes, then 0", reply.len()),
        own_state(&client),
    );
    step(
        "kernel",
        "client end, in the table",
        wait_for("TIME_WAIT", || kernel_line(client_address, address)),
    );
    step(
        "kernel",
        "server end, in the table",
        kernel_line(address, client_address),
    );
    drop(client);
    step(
        "kernel",
        "client end, after close()",
        kernel_line(client_address, address),
    );
    Ok(())
}
