//! talk: the course's own `nc`. It connects to a server, sends what you type
//! and prints what comes back, and on stderr it says what happened to the
//! connection, in the chapters' words: connected from which local address,
//! refused, reset, the peer's EOF, your own half-close, each datagram's
//! size and sender, and how a TLS handshake went.
//!
//! ```text
//! cargo talk 127.0.0.1:7878                      TCP, one line per write
//! cargo talk --udp 127.0.0.1:7000                UDP, one datagram per line
//! printf '\0\0\0\5hello' | cargo talk --raw --half-close 127.0.0.1:7001
//! cargo talk --tls --ca certs/ca.pem localhost:7005
//! ```
//!
//! What you read on stdout is only what the server sent, byte for byte, so
//! it can be piped into `xxd`; every note goes to stderr, starting with
//! `talk:`.
//!
//! The parts, one per module:
//!
//! - [`input`]: stdin, read on a thread of its own, as lines or raw chunks;
//! - [`connect`]: resolving the address and the TCP handshake;
//! - [`stream`]: a conversation over a byte stream, plain TCP or TLS: both
//!   directions at once, and what happens when stdin or the peer ends;
//! - [`datagrams`]: the same over UDP, where nothing ends;
//! - [`tls`]: the TLS client configuration, the handshake and what it found;
//! - [`certificate`]: reading the names in the server's certificate;
//! - [`notes`]: the lines on stderr and the likely cause of each error.
//!
//! `main.rs` only reads the command line into [`Options`] and calls [`run`].

pub mod certificate;
pub mod connect;
pub mod datagrams;
pub mod input;
pub mod notes;
pub mod stream;
pub mod tls;

use anyhow::Result;
use std::time::Duration;

/// Everything the command line chose.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to connect: `IP:port`, or `name:port` to resolve first
    /// (`localhost:7005`).
    pub address: String,
    /// UDP instead of TCP.
    pub udp: bool,
    /// Send stdin's bytes as they come instead of a line at a time.
    pub raw: bool,
    /// What to do with the connection when stdin ends.
    pub at_end_of_input: AtEndOfInput,
    /// UDP only: how long to wait for replies after stdin ended.
    pub udp_wait: Duration,
    /// TLS over the TCP connection, when set.
    pub tls: Option<tls::TlsOptions>,
}

/// What talk does with a TCP connection when stdin ends (you pressed
/// Ctrl-D, or the file or pipe you fed it is finished). Over TLS, both
/// first send close_notify, the alert that says the end is deliberate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtEndOfInput {
    /// close(): both directions end. Replies still on their way are lost,
    /// and if some had already arrived unread, the kernel answers with a
    /// reset (RST) instead of a FIN.
    Close,
    /// shutdown(Write): the peer reads EOF, talk goes on reading until the
    /// peer closes its side. This is how a client says "that was my whole
    /// request" and still gets the answer (`nc -N` does the same).
    HalfClose,
}

/// How long a connect or a TLS handshake may take before talk gives up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Talks to the server as `options` say, until the conversation ends.
///
/// Returns an error for what a person should treat as a failure: refused,
/// reset, a TLS handshake that failed, a TLS session cut without
/// close_notify. The notes on stderr have already explained it; the error
/// says what talk was doing.
pub async fn run(options: Options) -> Result<()> {
    let input = input::read_stdin(input::InputMode::from_options(&options));
    if options.udp {
        let peer = connect::resolve_one(&options.address).await?;
        return datagrams::converse(peer, input, options.raw, options.udp_wait).await;
    }
    let Some(tls_options) = &options.tls else {
        let tcp = connect::connect_tcp(&options.address).await?;
        return stream::converse(tcp, input, options.at_end_of_input, stream::Layer::Tcp).await;
    };
    // Read the certificates before connecting: a wrong path is reported
    // before any packet is sent.
    let config = tls::client_config(tls_options)?;
    let tcp = connect::connect_tcp(&options.address).await?;
    let host = connect::host_part(&options.address);
    let session = tls::handshake(tcp, host, config, tls_options).await?;
    stream::converse(session, input, options.at_end_of_input, stream::Layer::Tls).await
}
