//! Exercise 7: a cancel-safety bug hunt.
//!
//! `tokio::select!` runs the branch of the first future that is ready and
//! *drops* the others. Dropping a future cancels it at the `.await` where it
//! was waiting, and whatever it held is gone. For most socket calls that is
//! harmless: `read`, `accept` and `mpsc::Receiver::recv` take nothing until
//! they complete. But `read_line` is not cancel-safe: it takes bytes out of
//! the reader's buffer as they arrive and keeps them in its own state until
//! the newline comes. Cancel it half-way and those bytes are lost.
//!
//! TCP delivers a line in as many pieces as it likes, so "half a line has
//! arrived" happens all the time on a real network. The fix keeps the
//! partial line somewhere that outlives one turn of the loop:
//! `tokio::io::Lines::next_line` (documented as cancel-safe) keeps it inside
//! the `Lines` value.

use std::io;
use tokio::io::AsyncRead;
use tokio::sync::mpsc;

/// What [`report_lines`] reports, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A whole line from the reader, without its newline.
    Line(String),
    /// A tick arrived on the ticks channel.
    Tick,
}

/// Reads lines from `reader` and, at the same time, waits for ticks on
/// `ticks`; reports each as an [`Event`] on `events`, in the order they
/// happen. A tick that arrives while a line is half received must not lose
/// any of that line. A last line without a newline is reported at
/// end-of-file. Returns at end-of-file, or when nobody receives the events
/// any more; once the ticks channel is closed, it only reads lines.
///
/// A colleague wrote the version below. It passes a quick try with `nc`,
/// and it loses data: find out when, and write one that does not.
///
/// ```ignore
/// let mut reader = BufReader::new(reader);
/// let mut line = String::new();
/// loop {
///     line.clear();
///     let event = tokio::select! {
///         read = reader.read_line(&mut line) => {
///             if read? == 0 {
///                 return Ok(());
///             }
///             Event::Line(line.trim_end_matches('\n').to_string())
///         }
///         Some(()) = ticks.recv() => Event::Tick,
///     };
///     if events.send(event).is_err() {
///         return Ok(());
///     }
/// }
/// ```
///
/// # Errors
///
/// A failed read, or a line that is not UTF-8 (`InvalidData`).
pub async fn report_lines<R>(
    reader: R,
    ticks: mpsc::Receiver<()>,
    events: mpsc::UnboundedSender<Event>,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
{
    todo!(
        "select! between reading the next line and ticks.recv(), keeping a partial line in something that outlives the loop (see the buggy version above), and send each Event"
    )
}
