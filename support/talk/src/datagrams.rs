//! A conversation over UDP: each line you type goes as one datagram, and
//! each datagram that comes back is printed with its size and sender.
//!
//! UDP has no connection: no handshake before the first datagram, no FIN
//! after the last. So talk cannot learn that "nobody is there" by
//! connecting, and cannot learn that the server is done: after stdin ends
//! it waits a moment (`--wait`) for replies still on their way, then stops.

use crate::input::Piece;
use crate::notes::{note, printed_to_stdout};
use anyhow::{Context, Result};
use netlings_cli::explain::likely_cause;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Sends each piece of `input` to `peer` as one datagram and prints the
/// datagrams that come back, until stdin has ended and `wait` has passed.
/// `raw` prints them exactly; otherwise each is shown as a line.
pub async fn converse(
    peer: SocketAddr,
    mut input: mpsc::Receiver<Piece>,
    raw: bool,
    wait: Duration,
) -> Result<()> {
    // Port 0 on the unspecified address of the peer's family: the kernel
    // picks a free port, and connect() below picks the local IP.
    let any: SocketAddr = if peer.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(any)
        .await
        .with_context(|| format!("binding a UDP socket to {any}"))?;
    // connect() on a UDP socket sends nothing. It records the peer, so that
    // send() needs no address; the kernel then delivers only datagrams
    // from that peer, and reports an ICMP "port unreachable" from it as
    // ConnectionRefused on a later call: the only way UDP can tell you
    // that nothing is listening.
    socket
        .connect(peer)
        .await
        .with_context(|| format!("setting {peer} as the UDP socket's peer"))?;
    let local = socket
        .local_addr()
        .context("reading the UDP socket's local address")?;
    note(format!(
        "UDP from {local} to {peer}: no handshake, nothing is sent until you type a line"
    ));

    let receiving = print_datagrams(&socket, peer, raw);
    tokio::pin!(receiving);
    let sending = send_datagrams(&socket, peer, &mut input);
    tokio::select! {
        failed = &mut receiving => return failed,
        sent = sending => sent?,
    }
    note(format!(
        "stdin ended: UDP has no connection to close; waiting {wait:?} for replies still on \
         their way"
    ));
    match tokio::time::timeout(wait, receiving).await {
        Ok(failed) => failed,
        Err(_waited) => Ok(()),
    }
}

/// Sends each piece of input as one datagram: one `send()`, one datagram,
/// delivered whole or not at all.
async fn send_datagrams(
    socket: &UdpSocket,
    peer: SocketAddr,
    input: &mut mpsc::Receiver<Piece>,
) -> Result<()> {
    while let Some(piece) = input.recv().await {
        let piece = piece.context("reading stdin")?;
        match socket.send(&piece).await {
            Ok(sent) => note(format!("sent {sent} bytes to {peer} (one datagram)")),
            Err(error) => {
                note(format!(
                    "sending failed: {} ({error})",
                    likely_cause(&error)
                ));
                return Err(error).context(format!("sending a datagram of {} bytes", piece.len()));
            }
        }
    }
    Ok(())
}

/// Prints each datagram that arrives; returns only when receiving fails.
async fn print_datagrams(socket: &UdpSocket, peer: SocketAddr, raw: bool) -> Result<()> {
    let mut stdout = tokio::io::stdout();
    // The largest UDP payload fits: a datagram longer than the buffer
    // would be cut, and the rest lost without a word (lesson 3).
    let mut buffer = vec![0; 65536];
    loop {
        let (size, sender) = match socket.recv_from(&mut buffer).await {
            Ok(received) => received,
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {
                note(format!(
                    "refused: nothing is listening on {peer}: its kernel answered a datagram \
                     with ICMP port unreachable"
                ));
                return Err(error).context("receiving a datagram");
            }
            Err(error) => {
                note(format!("{} ({error})", likely_cause(&error)));
                return Err(error).context("receiving a datagram");
            }
        };
        note(format!(
            "received {size} bytes from {sender} (one datagram)"
        ));
        let datagram = &buffer[..size];
        stdout
            .write_all(datagram)
            .await
            .context("writing to stdout")?;
        // Outside --raw a datagram is shown as a line, even if it does not
        // end with one: the next note must not start on the same line.
        if !raw && !datagram.ends_with(b"\n") {
            stdout.write_all(b"\n").await.context("writing to stdout")?;
        }
        stdout.flush().await.context("writing to stdout")?;
        printed_to_stdout(datagram);
    }
}
