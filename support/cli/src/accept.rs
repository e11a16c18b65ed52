//! The rule every accept loop of the course follows, taught in lesson 2.
//!
//! `accept()` can fail for three very different reasons, and a server must
//! tell them apart, because only one of them means "stop":
//!
//! - **one connection went wrong**: a client gave up while it waited in the
//!   accept queue, or (on Linux) a network error was already pending on the
//!   new connection. The listener is fine: log it and accept the next client.
//! - **the process or the machine ran out of something**: file descriptors
//!   (`EMFILE` for this process, `ENFILE` for the whole system) or kernel
//!   memory (`ENOBUFS`, `ENOMEM`). The connection stays in the accept queue.
//!   Trying again at once fails again at once and burns a core, so log it,
//!   wait [`ACCEPT_BACKOFF`], and try again: when a connection closes, its
//!   descriptor comes back and the waiting client is served.
//! - **the listener itself is broken** (`EBADF`, `EINVAL`, `ENOTSOCK`, ...):
//!   it was closed, shut down or never listened. No retry can help: end the
//!   loop and return the error.
//!
//! mini-redis's accept loop, and hyper's and axum's, make the same split.

use std::io;
use std::time::Duration;

/// How long an accept loop waits before it tries again after running out of
/// a resource. Short enough that a client hardly notices, long enough that a
/// server at its limit does not spin.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What a failed `accept()` means for the accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptFailure {
    /// One connection failed before it could be accepted. Log it and accept
    /// the next client.
    OneConnection,
    /// The process or the system ran out of descriptors or memory. Log it,
    /// wait [`ACCEPT_BACKOFF`], and accept again.
    OutOfResources,
    /// The listener cannot accept any more. End the loop with the error.
    ListenerBroken,
}

/// Sorts an error from `accept()` into one of the three [`AcceptFailure`]s.
///
/// ```
/// use netlings_cli::accept::{AcceptFailure, accept_failure};
/// let too_many_files = std::io::Error::from_raw_os_error(libc::EMFILE);
/// assert_eq!(accept_failure(&too_many_files), AcceptFailure::OutOfResources);
/// ```
pub fn accept_failure(error: &io::Error) -> AcceptFailure {
    match error.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => {
            AcceptFailure::OutOfResources
        }
        // accept(2) on Linux: errors already pending on the new connection
        // are reported here, and "should be treated like EAGAIN by retrying".
        // EPERM is a firewall rule refusing this one connection.
        Some(
            libc::ECONNABORTED
            | libc::ECONNRESET
            | libc::EINTR
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP,
        ) => AcceptFailure::OneConnection,
        Some(_) => AcceptFailure::ListenerBroken,
        // An error without an OS code did not come from accept(2) itself;
        // sort it by its kind.
        None => match error.kind() {
            io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted => AcceptFailure::OneConnection,
            io::ErrorKind::OutOfMemory => AcceptFailure::OutOfResources,
            _ => AcceptFailure::ListenerBroken,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(code: i32) -> AcceptFailure {
        accept_failure(&io::Error::from_raw_os_error(code))
    }

    #[test]
    fn running_out_of_descriptors_or_memory_backs_off() {
        for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert_eq!(os(code), AcceptFailure::OutOfResources, "errno {code}");
        }
    }

    #[test]
    fn a_client_that_left_is_one_connection() {
        assert_eq!(os(libc::ECONNABORTED), AcceptFailure::OneConnection);
        assert_eq!(os(libc::EINTR), AcceptFailure::OneConnection);
        assert_eq!(
            accept_failure(&io::ErrorKind::ConnectionAborted.into()),
            AcceptFailure::OneConnection
        );
    }

    #[test]
    fn a_closed_or_shut_down_listener_is_broken() {
        assert_eq!(os(libc::EBADF), AcceptFailure::ListenerBroken);
        assert_eq!(os(libc::EINVAL), AcceptFailure::ListenerBroken);
        assert_eq!(os(libc::ENOTSOCK), AcceptFailure::ListenerBroken);
    }
}
