//! echo: sends every byte back to the client that sent it, to many clients
//! at once, a tokio task each.
//!
//! ```text
//! cargo run -p lesson4 --bin echo -- --listen 127.0.0.1:7004
//! nc 127.0.0.1 7004          (in several terminals at once)
//! ```
//!
//! Without `nc`, the chapter's Python line does the same (type lines, Ctrl-D
//! to close):
//!
//! ```text
//! python3 -c "import socket,sys,threading;s=socket.create_connection(('127.0.0.1',int(sys.argv[1])));t=threading.Thread(target=lambda:[sys.stdout.buffer.write(d) or sys.stdout.flush() for d in iter(lambda:s.recv(4096),b'')],daemon=True);t.start();[s.sendall(l) for l in sys.stdin.buffer];s.shutdown(socket.SHUT_WR);t.join()" 7004
//! ```
//!
//! This file only reads the command line and binds, and netlings_cli builds
//! the tokio runtime; the server is `lesson4::tasks::serve`, which you write in
//! exercise 2.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about = "Sends every byte back to the client that sent it; serves many clients at once.";
    netlings_cli::run("echo", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        // A multi-threaded tokio runtime, one worker per core, serves.
        netlings_cli::serve_on_tokio(listener, lesson4::tasks::serve)
    })
}
