//! Exercise 3: a chat server (`src/chat.rs`).
//!
//! Every client waits for `welcome` before anybody talks: the server says it
//! only after the client has subscribed, so from then on the client is sure
//! to get every line.

use lesson4::chat::serve_chat;
use netlings_helpers::Program;
use netlings_helpers::background::serve_in_background;
use netlings_helpers::net::{self, Client};
use std::net::SocketAddr;

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

#[test]
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

#[test]
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

#[test]
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

#[test]
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

#[test]
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
