//! show-request: prints the bytes of every request a client sends, escaped
//! so that `\r\n` shows, and answers each with a short page, so that you can
//! see what curl or a browser really puts on the wire.
//!
//! ```text
//! cargo run -p lesson7-demos --bin show-request -- --listen 127.0.0.1:8080
//! curl http://127.0.0.1:8080/hello      (or open it in a browser)
//! ```
//!
//! It reads what arrives within one read of up to 64 KiB: enough for the
//! head of a request from a real client, and it is a demo, not a server
//! (exercises 2 and 3 read a request properly).

use std::io::{Read, Write};

fn main() -> std::process::ExitCode {
    netlings_cli::run(
        "show-request",
        "Prints the raw bytes of each request, and answers with a short page.",
        |address| {
            let listener = netlings_cli::listen_tcp(address)?;
            for connection in listener.incoming() {
                let mut stream = match connection {
                    Ok(stream) => stream,
                    Err(error) => {
                        eprintln!("show-request: accept failed: {error}");
                        continue;
                    }
                };
                let mut buffer = vec![0; 64 * 1024];
                let read = match stream.read(&mut buffer) {
                    Ok(read) => read,
                    Err(error) => {
                        eprintln!("show-request: read failed: {error}");
                        continue;
                    }
                };
                println!("--- {read} bytes from {:?}:", stream.peer_addr().ok());
                for line in buffer[..read].split_inclusive(|&byte| byte == b'\n') {
                    println!("{}", line.escape_ascii());
                }
                let body = "<h1>seen</h1>\n";
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                if let Err(error) = stream.write_all(response.as_bytes()) {
                    eprintln!("show-request: write failed: {error}");
                }
            }
            Ok(())
        },
    )
}
