//! Lesson 3: TCP vs UDP. TCP gives a connection and a reliable, ordered
//! stream of bytes with no message boundaries; UDP gives datagrams that keep
//! their boundaries, with no connection and no guarantees.
//!
//! Read `lessons/03-tcp-vs-udp/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson3` tells you which one is
//! next and which file to open.
//!
//! On a stream, messages are yours to frame:
//!
//! 1. [`whole_message`]: read exactly one message of a known size, however
//!    many pieces it arrives in.
//! 2. [`lines`]: newline-framed messages, with a limit on how long a line
//!    may grow.
//! 3. [`frames`]: length-prefixed frames, rejecting a huge one before
//!    allocating it; then the same format with tokio-util's codec (run the
//!    server: `cargo run -p lesson3 --bin frame-echo`).
//!
//! With datagrams, boundaries come free and everything else is yours:
//!
//! 4. [`udp_echo`]: a UDP echo server, one datagram in, one datagram back
//!    (run it: `cargo run -p lesson3 --bin udp-echo`).
//! 5. [`truncation`]: notice a datagram too big for the buffer instead of
//!    silently keeping part of it.
//! 6. [`connected_udp`]: a connected UDP client that hears only its server
//!    and learns when nothing listens there.
//! 7. [`reliable`]: sequence numbers, acknowledgements and retransmission:
//!    every message arrives once and in order over a link that drops,
//!    duplicates and reorders datagrams.

pub mod connected_udp;
pub mod frames;
pub mod lines;
pub mod reliable;
pub mod truncation;
pub mod udp_echo;
pub mod whole_message;
