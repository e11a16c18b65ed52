//! chat: every line a client sends goes to every other connected client,
//! a tokio task each and one broadcast channel.
//!
//! ```text
//! cargo run -p lesson4 --bin chat -- --listen 127.0.0.1:7005
//! nc 127.0.0.1 7005          (in several terminals; type a line in one)
//! ```
//!
//! Without `nc`, the chapter's Python line does the same (type lines, Ctrl-D
//! to close):
//!
//! ```text
//! python3 -c "import socket,sys,threading;s=socket.create_connection(('127.0.0.1',int(sys.argv[1])));t=threading.Thread(target=lambda:[sys.stdout.buffer.write(d) or sys.stdout.flush() for d in iter(lambda:s.recv(4096),b'')],daemon=True);t.start();[s.sendall(l) for l in sys.stdin.buffer];s.shutdown(socket.SHUT_WR);t.join()" 7005
//! ```
//!
//! This file only reads the command line, builds the runtime and binds; the
//! server is `lesson4::chat::serve_chat`, which you write in exercise 3.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about =
        "A line-based chat: every line a client sends reaches every other connected client.";
    netlings_cli::run("chat", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        // A multi-threaded runtime, one worker per core: what a real server uses.
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|error| format!("cannot start the tokio runtime: {error}"))?;
        runtime.block_on(async {
            // tokio takes over the bound std listener; it must not block.
            listener
                .set_nonblocking(true)
                .map_err(|error| format!("cannot make the listener non-blocking: {error}"))?;
            let listener = tokio::net::TcpListener::from_std(listener)
                .map_err(|error| format!("cannot hand the listener to tokio: {error}"))?;
            lesson4::chat::serve_chat(listener)
                .await
                .map_err(|error| format!("the listener failed: {error}"))
        })
    })
}
