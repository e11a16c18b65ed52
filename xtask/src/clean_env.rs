//! The environment of a graded build and of its tests: cleared, then given
//! back only what cargo, rustup and the tests need to run.
//!
//! Cargo obeys many variables (`RUSTFLAGS`, `RUSTC_WRAPPER`, every
//! `CARGO_BUILD_*`, `CARGO_TARGET_*_RUNNER`, `CC` for a build script...), and
//! `cargo xtask` itself is started by cargo with `CARGO_*` variables set
//! (`CARGO_MANIFEST_DIR`, which ring's build script watches: a grade run
//! under `cargo run` and one without rebuilt each other's dependencies). So
//! `grade` starts cargo, and the tests, with none of them.

use std::ffi::OsStr;
use std::process::Command;

/// The variables a graded build keeps from the runner's environment: where
/// to find the tools, the user's home and cargo's and rustup's own folders
/// (the crates already downloaded), temporary files, the locale, and a
/// network proxy for the first download of the course's dependencies.
pub const KEPT: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// Clears `command`'s environment and gives it back the [`KEPT`] variables
/// the runner has. Call it before setting any variable of the child's own.
pub fn clean(command: &mut Command) {
    command.env_clear();
    for name in KEPT {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
}

/// Whether `name` would reach a graded build.
pub fn is_kept(name: &OsStr) -> bool {
    KEPT.iter().any(|kept| OsStr::new(kept) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_variable_that_changes_a_build_is_kept() {
        for name in [
            "RUSTFLAGS",
            "RUSTC_WRAPPER",
            "RUSTC",
            "RUSTDOCFLAGS",
            "RUSTUP_TOOLCHAIN",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTC_WRAPPER",
            "CARGO_TARGET_DIR",
            "CARGO_MANIFEST_DIR",
            "CARGO",
            "CC",
            "CFLAGS",
            "LD_PRELOAD",
            "GITHUB_TOKEN",
        ] {
            assert!(!is_kept(OsStr::new(name)), "{name} must not be kept");
        }
    }

    #[test]
    fn a_cleaned_command_holds_only_kept_variables() {
        let mut command = Command::new("true");
        command.env("RUSTFLAGS", "--cfg forged");
        clean(&mut command);
        command.env("NETLINGS_SEED", "1");
        for (name, value) in command.get_envs() {
            assert!(
                is_kept(name) || name == "NETLINGS_SEED",
                "{name:?} = {value:?} reached the child"
            );
        }
    }
}
