//! Lesson 1: socket basics. A socket is IP + port + protocol, and the
//! operating system makes it.
//!
//! Read `lessons/01-socket-basics/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson1` tells you which one is
//! next and which file to open.
//!
//! 1. [`endpoint`]: read `142.250.74.206:443/tcp` (with `FromStr`) and say
//!    what it means.
//! 2. [`resolve`]: turn a name into all of its addresses, and connect to the
//!    first one that answers.
//! 3. [`listener`]: create, bind and listen by hand with socket2, and learn
//!    which port the OS chose.
//! 4. [`whoami`]: a server that tells each client the address it sees the
//!    client connect from (run it: `cargo run -p lesson1 --bin whoami`).
//! 5. [`probe`]: tell an open port from a refused one, from one that never
//!    answers within a deadline, and from an address there is no way to.
//! 6. [`dual_stack`]: one IPv6 socket that also accepts IPv4 clients.

pub mod dual_stack;
pub mod endpoint;
pub mod listener;
pub mod probe;
pub mod resolve;
pub mod whoami;
