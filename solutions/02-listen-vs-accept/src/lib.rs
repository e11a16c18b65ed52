//! Lesson 2: listen vs accept. A listening socket only accepts; every
//! `accept()` hands back a new socket for one client, with the listener's
//! local port and that client's address as its peer.
//!
//! Read `lessons/02-listen-vs-accept/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson2` tells you which one is
//! next and which file to open.
//!
//! 1. [`accept`]: accept clients one by one and report who each one is; a
//!    server that logs every client and tells it how many came before (run
//!    it: `cargo run -p lesson2 --bin accept-log`).
//! 2. [`queued`]: a connection works before it is accepted: read what
//!    clients sent while nobody was accepting.
//! 3. [`backlog`]: size the accept queue so that a burst of 200 clients gets
//!    in, and learn the kernel's cap on it.
//! 4. [`reuse`]: a clear error when the port is taken, and SO_REUSEADDR to
//!    restart a server at once on a port with connections in TIME_WAIT.
//! 5. [`threaded`]: the shape of every server: accept in a loop, a thread per
//!    client, so that an idle client blocks nobody.
//! 6. [`shutdown`]: stop accepting on request, and let the clients already
//!    connected finish.

pub mod accept;
pub mod backlog;
pub mod queued;
pub mod reuse;
pub mod shutdown;
pub mod threaded;
