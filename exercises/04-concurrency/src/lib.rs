//! Lesson 4: concurrency. Many clients at once: a thread or a task for each,
//! `select!` to wait on several things, and the limits, timeouts and
//! cancellation that keep a server healthy.
//!
//! Read `lessons/04-concurrency/README.md` first, then work through the
//! exercises in order; `cargo xtask check lesson4` tells you which one is
//! next and which file to open.
//!
//! 1. [`threads`]: an echo server with a thread per client (std).
//! 2. [`tasks`]: the same with a tokio task per client (run it:
//!    `cargo run -p lesson4 --bin echo`).
//! 3. [`chat`]: a chat server, every line to everybody else, with a
//!    broadcast channel and `select!` (run it: `cargo run -p lesson4 --bin chat`).
//! 4. [`idle`]: a deadline for each whole line, so that silent and trickling
//!    clients are cut off.
//! 5. [`limit`]: serve at most N clients at once with a semaphore.
//! 6. [`shutdown`]: stop on a cancellation token, and let accepted clients
//!    finish.
//! 7. [`cancel_safety`]: find and fix the line a `select!` loop loses.

pub mod cancel_safety;
pub mod chat;
pub mod idle;
pub mod limit;
pub mod shutdown;
pub mod tasks;
pub mod threads;
