//! Demos for lesson 1. Each program in `src/bin/` is one step of the lesson
//! text; run them with `cargo run -p lesson1-demos --bin NAME`.
