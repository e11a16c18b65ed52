//! The netlings runner.
