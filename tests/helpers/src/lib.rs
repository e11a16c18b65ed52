//! Shared helpers for the course's tests.
//!
//! Every test of the course is marked [`#[netlings_helpers::test]`](test)
//! instead of `#[test]`: the runner then learns that the test body finished
//! from a private channel (the [`verdict`] module), never from what the test
//! process prints, which the code under test could fake.
//!
//! Every lesson's tests are written with these, so that every test of the
//! course fails the same three ways a socket test can fail (an assertion, a
//! panic in the code under test, a hang) and always ends quickly with a message
//! that teaches:
//!
//! - [`deadline`]: run a blocking or async step with a deadline that fires even
//!   when the code under test blocks its thread forever;
//! - [`net`]: loopback sockets on port 0, and connect, accept and read steps
//!   that each carry a deadline and explain a failure in networking terms;
//! - [`program`]: start a lesson's runnable program and wait for its
//!   `listening on ADDR` line, for lines on its stderr, and for its exit
//!   after SIGTERM;
//! - [`explain`]: turn bytes and I/O errors into readable messages;
//! - [`background`]: run a server under test on a thread (and, for async
//!   code, a runtime) of its own, and see whether and how it returned;
//! - [`fake_io`]: readers and writers that hand over a few bytes per call or
//!   fail once with `Interrupted`, for code over `impl Read`/`impl Write`;
//! - [`own_process`] and [`descriptors`]: run one test in a process of its
//!   own and use up its file descriptors, to test the accept-loop rule;
//! - [`kernel_table`]: what `/proc/net/tcp` says about the code under
//!   test's end of a connection (its queues, its state), to wait for a fact
//!   such as "the server has read everything" instead of sleeping;
//! - [`accept_queue`]: bursts of connects, and waiting for a listener to close;
//! - [`tls`] (feature `tls`, lesson 5 only): a certificate authority made
//!   fresh for every test, certificates right and wrong, and temporary
//!   directories for PEM files;
//! - [`temp_dir`]: a directory of its own for each test, removed when
//!   dropped;
//! - [`lossy`]: a UDP relay that drops, duplicates and reorders datagrams on a
//!   seeded schedule, for the reliability exercises.

// So that `#[netlings_helpers::test]` works in this crate's own tests too.
extern crate self as netlings_helpers;

pub mod accept_queue;
pub mod background;
pub mod deadline;
pub mod descriptors;
pub mod fake_io;
pub mod kernel_table;
pub mod lossy;
pub mod net;
pub mod own_process;
pub mod program;
pub mod temp_dir;
#[cfg(feature = "tls")]
pub mod tls;

pub use netlings_verdict as verdict;
pub use netlings_verdict_macro::test;

pub use deadline::{STEP, within, within_async};
pub use netlings_cli::explain::{self, likely_cause, printable};
pub use program::Program;
