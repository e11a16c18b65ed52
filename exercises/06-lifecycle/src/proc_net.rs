//! Exercise 2: find a connection in `/proc/net/tcp` from the outside.
//!
//! `TCP_INFO` answers for a socket you hold. For every other socket of the
//! machine (another program's, or one your program dropped that lingers in
//! TIME_WAIT), Linux publishes a table: `/proc/net/tcp` for IPv4 and
//! `/proc/net/tcp6` for IPv6, one line per socket. `ss` and `netstat` read
//! the kernel's tables the same way. This is Linux-specific: other systems
//! have no `/proc/net`.
//!
//! ```text
//!   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//!    0: 0100007F:1F90 0100007F:D431 01 00000000:00000005 00:00000000 00000000  1000        0 40513 ...
//!       \______/ \__/ \______/ \__/ \/ \______/ \______/
//!       local IP port remote IP port st  send-Q   recv-Q
//! ```
//!
//! Everything is hexadecimal, and the two kinds of number are written
//! differently:
//!
//! - **ports** are printed as numbers: `1F90` is port 8080, read as written;
//! - **IP addresses** are the raw 4 bytes in network order, printed as if
//!   they were one native-endian `u32`. On a little-endian machine (x86,
//!   ARM) the bytes come out reversed: `0100007F` is `7F.00.00.01`, that is
//!   127.0.0.1. An IPv6 address is four such 32-bit words, each reversed on
//!   its own: `::1` is `00000000000000000000000001000000`.
//!
//! `st` is the state number of exercise 1 (`0A` is 10, LISTEN), `tx_queue`
//! is the send queue (bytes written and not yet acknowledged) and `rx_queue`
//! the receive queue (bytes arrived and not yet read).
//!
//! Edit `parse_line` and `find_connection`.

use crate::state::TcpState;
use std::io;
use std::net::SocketAddr;

/// One line of `/proc/net/tcp` or `/proc/net/tcp6`, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcEntry {
    /// The socket's own address (`local_address`, the first column after
    /// `sl`).
    pub local: SocketAddr,
    /// The other end (`rem_address`); `0.0.0.0:0` or `[::]:0` for a listener.
    pub remote: SocketAddr,
    /// The state (`st`).
    pub state: TcpState,
    /// Bytes written and not yet acknowledged by the peer (`tx_queue`).
    pub send_queue: u32,
    /// Bytes received and not yet read by the program (`rx_queue`).
    pub recv_queue: u32,
}

/// Decodes one line of `/proc/net/tcp` (IPv4) or `/proc/net/tcp6` (IPv6);
/// the length of the address tells which (8 or 32 hex digits).
///
/// The fields are separated by runs of spaces: `sl` (with its colon), then
/// `local_address`, `rem_address`, `st`, then `tx_queue:rx_queue` as one
/// field. See the module documentation for how numbers and addresses are
/// written.
///
/// Returns `None` for the header line and for anything else that is not a
/// well-formed socket line (never panics on odd input).
pub fn parse_line(line: &str) -> Option<ProcEntry> {
    todo!(
        "split_whitespace; skip the slot (it ends with ':'); parse local and remote as HEX_IP:HEX_PORT (IP words reversed, see above), st in hex, tx:rx queues in hex; None on anything odd"
    )
}

/// Looks up the socket whose local address is `local` and whose remote
/// address is `remote` in the kernel's table: `/proc/net/tcp` for an IPv4
/// `local`, `/proc/net/tcp6` for an IPv6 one.
///
/// Both addresses must match: a listener and the connections it accepted
/// share the same local address, and the two ends of a loopback connection
/// are both in the table, with local and remote swapped. Returns the first
/// matching entry, or `None` when no socket has that four-tuple (it never
/// existed, or it is gone).
///
/// # Errors
///
/// The error of reading the file (`NotFound` on a system without
/// `/proc/net`, which is every system but Linux).
pub fn find_connection(local: SocketAddr, remote: SocketAddr) -> io::Result<Option<ProcEntry>> {
    todo!(
        "read /proc/net/tcp (IPv4) or /proc/net/tcp6 (IPv6) whole, parse each line with parse_line, and return the first entry whose local and remote both match"
    )
}
