//! Ctrl-C (and SIGTERM) set a flag instead of killing the runner at once,
//! so that it can first stop the test processes it started: they live in
//! process groups of their own and do not get the terminal's signal.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed since [`install`].
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

#[cfg(unix)]
pub fn install() {
    extern "C" fn on_signal(_signal: libc::c_int) {
        REQUESTED.store(true, Ordering::Relaxed);
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

#[cfg(not(unix))]
pub fn install() {}
