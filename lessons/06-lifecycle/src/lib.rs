//! Demos for lesson 6. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson6-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `stages` | a server and a client through every stage, with the kernel's state after each |
//!
//! The programs only ever bind loopback addresses (`127.0.0.1`, `::1`), so
//! nothing they open can be reached from another machine. `TCP_INFO` and
//! `/proc/net/tcp` are Linux-specific, and so are the demos that read them.
