//! Demos for lesson 7. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson7-demos --bin NAME`.
//!
//! | program | what it shows |
//! |---|---|
//! | `show-request` | the bytes a real client (curl, a browser) sends, exactly as they arrive |
//! | `http-bench` | the reference `httpd` against hyper 1.x: requests/s, latency, memory per connection (run it with `--release`) |
//!
//! The programs only bind loopback addresses unless told otherwise.
