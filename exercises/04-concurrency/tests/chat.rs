//! Exercise 3: a chat server (`src/chat.rs`).
//!
//! Every client waits for `welcome` before anybody talks: the server says it
//! only after the client has subscribed, so from then on the client is sure
//! to get every line.

use lesson4::chat::{BACKLOG, serve_chat};
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net::{self, Client};
use netlings_helpers::{Program, STEP};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;

fn start_chat() -> SocketAddr {
    let (listener, address) = net::loopback_listener();
    serve_in_background("serve_chat()", listener, serve_chat);
    address
}

/// Connects a client and waits for its `welcome`.
fn join(address: SocketAddr, who: &str) -> Client {
    let mut client = Client::connect(address);
    let greeting = client.read_line(&format!(
        "the welcome line for {who} (chat_client must subscribe to the channel, then send \
         \"welcome\\n\")"
    ));
    assert_eq!(greeting, "welcome", "the first line the server sends {who}");
    client
}

#[netlings_helpers::test]
fn a_line_reaches_every_other_client() {
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    let mut carol = join(address, "carol");
    alice.send(b"hello, everyone\n");
    let expected = format!("{}: hello, everyone", alice.local_addr());
    for (name, client) in [("bob", &mut bob), ("carol", &mut carol)] {
        let line = client.read_line(&format!(
            "alice's line to reach {name} (read each client's lines and send them on the \
             broadcast channel; write every message the channel delivers to the client)"
        ));
        assert_eq!(
            line, expected,
            "alice sent \"hello, everyone\"; {name} should get it prefixed with alice's address"
        );
    }
}

#[netlings_helpers::test]
fn a_line_never_comes_back_to_its_sender() {
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    alice.send(b"one\n");
    assert_eq!(
        bob.read_line("alice's line to reach bob"),
        format!("{}: one", alice.local_addr())
    );
    bob.send(b"two\n");
    // If alice's own line had come back to her, it would be first in line.
    let line = alice.read_line("bob's answer to reach alice");
    assert_eq!(
        line,
        format!("{}: two", bob.local_addr()),
        "alice's next line should be bob's answer; a server that also sends a line back to its \
         sender delivers alice's own \"one\" first (skip messages whose `from` is this client)"
    );
}

#[netlings_helpers::test]
fn a_burst_of_lines_reaches_the_others_whole_and_in_order() {
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    // Five lines in one write: alice's task reads and sends them one after
    // another, faster than bob's task can write them out.
    alice.send(b"one\ntwo\nthree\nfour\nfive\n");
    for text in ["one", "two", "three", "four", "five"] {
        let line = bob.read_line(&format!(
            "alice's line {text:?} of a burst of five to reach bob. A receiver must live as long \
             as the client's task: one made by subscribe() inside the loop misses every message \
             sent while the task was busy writing the previous one"
        ));
        assert_eq!(
            line,
            format!("{}: {text}", alice.local_addr()),
            "alice sent five lines in one write; bob should get each, in order"
        );
    }
}

/// How many bytes the kernel may buffer for a client that does not read:
/// the server's send buffer at its largest (`tcp_wmem`'s maximum) and the
/// client's receive buffer as it starts (`tcp_rmem`'s default; it grows
/// only when the client reads).
fn socket_buffers_of_a_silent_client() -> usize {
    let field = |path: &str, index: usize| -> usize {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.split_whitespace().nth(index)?.parse().ok())
            .unwrap_or(8 << 20)
    };
    field("/proc/sys/net/ipv4/tcp_wmem", 2) + field("/proc/sys/net/ipv4/tcp_rmem", 1)
}

#[netlings_helpers::test]
fn a_client_that_falls_behind_is_told_and_stays_in_the_chat() {
    const LINE_BYTES: usize = 4096;
    // Enough lines to fill bob's socket buffers, then BACKLOG more twice
    // over: those can only wait in the channel, which keeps BACKLOG.
    let lines = (socket_buffers_of_a_silent_client() / LINE_BYTES + 4 * BACKLOG).max(4000);
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    let mut carol = join(address, "carol");
    let alice_address = alice.local_addr();
    let text = |index: usize| format!("flood {index:04} {}", "x".repeat(LINE_BYTES - 12));
    let last_line = format!("{alice_address}: {}", text(lines - 1));
    // carol reads everything, so the test knows when the server has passed
    // on all of alice's lines. bob reads nothing meanwhile: once his socket's
    // buffers are full (a few MiB), his task waits in a write, and more than
    // BACKLOG messages pile up for his receiver.
    let (carol_done, carol_finished) = mpsc::channel();
    let carol_last = last_line.clone();
    thread::spawn(move || {
        loop {
            let line = carol.read_line("alice's flood of lines to reach carol, who reads them all");
            if line == carol_last {
                break;
            }
        }
        let _ = carol_done.send(carol);
    });
    let flood: String = (0..lines).map(|index| text(index) + "\n").collect();
    alice.send(flood.as_bytes());
    let mut carol = carol_finished
        .recv_timeout(STEP)
        .expect("carol's reader failed or never saw alice's last line: see its message above");
    let mut told = false;
    loop {
        let line = bob.read_line(
            "the rest of alice's flood at bob, who had stopped reading while alice sent megabytes: \
             more than BACKLOG messages piled up for his task, so its receiver reported \
             RecvError::Lagged. A lagging receiver is still subscribed: tell the client \
             \"(N messages missed)\" and carry on, never end its conversation",
        );
        if line.starts_with('(') && line.ends_with(" messages missed)") {
            told = true;
        } else if line == last_line {
            break;
        }
    }
    assert!(
        told,
        "bob fell more than {BACKLOG} messages behind and lost some of alice's lines, but was \
         never told: on RecvError::Lagged(N), write \"(N messages missed)\" to the client"
    );
    alice.send(b"after the flood\n");
    for (name, client) in [("bob", &mut bob), ("carol", &mut carol)] {
        assert_eq!(
            client.read_line(&format!(
                "alice's next line to reach {name} after the flood"
            )),
            format!("{alice_address}: after the flood"),
            "after the flood, {name} should get alice's lines as before"
        );
    }
}

#[netlings_helpers::test]
fn a_client_leaving_does_not_disturb_the_others() {
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    let carol = join(address, "carol");
    let carol_address = carol.local_addr();
    // carol closes politely (FIN); her task reads end-of-file.
    drop(carol);
    let left = format!("{carol_address} left");
    for (name, client) in [("alice", &mut alice), ("bob", &mut bob)] {
        let line = client.read_line(&format!("the news that carol left, at {name}"));
        assert_eq!(
            line, left,
            "carol closed her connection; {name} should hear \"{left}\" once. Anything else \
             means carol's task did not stop at end-of-file (next_line() gives None, a read \
             gives 0 bytes)"
        );
    }
    alice.send(b"still here\n");
    let line = bob.read_line("alice's line to reach bob after carol left");
    assert_eq!(
        line,
        format!("{}: still here", alice.local_addr()),
        "after carol left, alice and bob should talk as before"
    );
}

#[netlings_helpers::test]
fn a_client_that_resets_is_dropped_too() {
    let address = start_chat();
    let mut alice = join(address, "alice");
    let mut bob = join(address, "bob");
    let carol = join(address, "carol");
    let carol_address = carol.local_addr();
    // An abort (RST): carol's task gets ConnectionReset instead of EOF.
    carol.reset();
    let left = format!("{carol_address} left");
    for (name, client) in [("alice", &mut alice), ("bob", &mut bob)] {
        let line = client.read_line(&format!(
            "the news that carol left, at {name}, after her connection was reset (a read error \
             ends a client as surely as end-of-file does)"
        ));
        assert_eq!(line, left);
    }
    bob.send(b"bye carol\n");
    assert_eq!(
        alice.read_line("bob's line to reach alice after carol's reset"),
        format!("{}: bye carol", bob.local_addr())
    );
}

#[netlings_helpers::test]
fn the_chat_program_passes_a_line_on() {
    let program = Program::start(env!("CARGO_BIN_EXE_chat"), &["--listen", "127.0.0.1:0"]);
    let mut alice = join(program.address(), "alice");
    let mut bob = join(program.address(), "bob");
    bob.send(b"hi alice\n");
    assert_eq!(
        alice.read_line("the chat program to pass bob's line to alice"),
        format!("{}: hi alice", bob.local_addr())
    );
}

#[netlings_helpers::test]
fn returns_the_error_when_the_listener_breaks() {
    let (listener, address) = net::loopback_listener();
    let handle = listener.try_clone().expect("cloning the listener's handle");
    let server = serve_in_background("serve_chat()", listener, serve_chat);
    let _alice = join(address, "alice");
    net::expect_broken_listener_ends(&handle, &server, "serve_chat()");
}
