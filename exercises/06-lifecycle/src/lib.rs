//! Lesson 6: the life of a socket. Create, bind, listen, accept or connect,
//! transfer, close: each stage is a system call with its own errors, and
//! the kernel keeps state about a connection that outlives the program's
//! handle on it.
//!
//! Read `lessons/06-lifecycle/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson6` tells you which one is
//! next and which file to open. Parts of this lesson are Linux-specific
//! (`TCP_INFO`, `/proc/net/tcp`); the text says where.
//!
//! 1. [`state`]: ask the kernel what state one of your sockets is in, and
//!    wait for a state with a deadline.
//! 2. [`proc_net`]: find any connection in `/proc/net/tcp` by its
//!    four-tuple, and decode its state and queues.
//! 3. [`half_close`]: a request and its reply, each ended by EOF: the
//!    client shuts down its writing side and still reads the reply.
//! 4. [`departure`]: how did the peer leave: a clean EOF, a reset, or not
//!    at all yet, decided within a deadline.
//! 5. [`closing`]: close in order, or abort on purpose with a reset.
//! 6. [`accept_loop`]: an accept loop that survives running out of file
//!    descriptors (run it: `cargo run -p lesson6 --bin reverse`).
//! 7. [`wrong_order`]: calls made before their stage, and errors that name
//!    the stage that is missing.

pub mod accept_loop;
pub mod closing;
pub mod departure;
pub mod half_close;
pub mod proc_net;
pub mod state;
pub mod wrong_order;
