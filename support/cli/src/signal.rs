//! Ctrl-C (SIGINT) and SIGTERM as an event a server program can wait for,
//! so that it stops gracefully instead of dying in the middle of a request.
//!
//! A signal handler may only do what is async-signal-safe (set an atomic,
//! write to a pipe): it cannot take a lock or wake a blocked `accept()`.
//! So no handler is installed. [`block_stop_signals`] blocks the two
//! signals in the calling thread, and every thread started after it
//! inherits that mask; a signal sent to the process then stays pending
//! until one thread takes it with `sigwait` ([`StopSignals::wait`]), and
//! that thread runs ordinary code: it can trigger a server's shutdown.
//!
//! Call [`block_stop_signals`] in `main` before starting any thread: a
//! thread started earlier would keep the signals unblocked, and the
//! default action (end the process at once) would hit it.

use std::io;

/// SIGINT and SIGTERM, blocked by [`block_stop_signals`]; [`wait`] takes
/// the first that arrives.
///
/// [`wait`]: StopSignals::wait
pub struct StopSignals {
    set: libc::sigset_t,
}

/// Blocks SIGINT (Ctrl-C) and SIGTERM (`kill`, a service manager's stop)
/// in the calling thread and in the threads it starts from now on, so that
/// they wait for [`StopSignals::wait`] instead of ending the process.
///
/// # Errors
///
/// `pthread_sigmask` failed (it does not, for these two signals).
pub fn block_stop_signals() -> io::Result<StopSignals> {
    // SAFETY: sigemptyset, sigaddset and pthread_sigmask only touch the
    // sigset_t we own and this thread's signal mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        let error = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if error != 0 {
            return Err(io::Error::from_raw_os_error(error));
        }
        Ok(StopSignals { set })
    }
}

impl StopSignals {
    /// Waits until SIGINT or SIGTERM arrives, and returns its name
    /// (`"SIGINT"` or `"SIGTERM"`).
    ///
    /// # Errors
    ///
    /// `sigwait` failed (it does not, for a valid set).
    pub fn wait(&self) -> io::Result<&'static str> {
        let mut signal: libc::c_int = 0;
        // SAFETY: sigwait reads the set we own and writes one int.
        let error = unsafe { libc::sigwait(&self.set, &mut signal) };
        if error != 0 {
            return Err(io::Error::from_raw_os_error(error));
        }
        Ok(if signal == libc::SIGINT {
            "SIGINT"
        } else {
            "SIGTERM"
        })
    }
}
