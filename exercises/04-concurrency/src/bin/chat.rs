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
//! This file only reads the command line and binds, and netlings_cli builds
//! the tokio runtime; the server is `lesson4::chat::serve_chat`, which you write in
//! exercise 3.

use std::process::ExitCode;

fn main() -> ExitCode {
    let about =
        "A line-based chat: every line a client sends reaches every other connected client.";
    netlings_cli::run("chat", about, |address| {
        let listener = netlings_cli::listen_tcp(address)?;
        // A multi-threaded tokio runtime, one worker per core, serves.
        netlings_cli::serve_on_tokio(listener, lesson4::chat::serve_chat)
    })
}
