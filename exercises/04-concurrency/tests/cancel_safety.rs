//! Exercise 7: a cancel-safety bug hunt (`src/cancel_safety.rs`).
//!
//! The bug needs one interleaving: part of a line arrives, a tick wins the
//! `select!`, then the rest of the line arrives. TCP can split a line
//! anywhere, but a test cannot make it split on cue. So these tests hand
//! `report_lines` a scripted reader instead of a socket: it returns exactly
//! the pieces the test sends, when the test sends them, and tells the test
//! each time `report_lines` has taken one. No timing is involved.

use lesson4::cancel_safety::{Event, report_lines};
use netlings_helpers::{STEP, within_async};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const TEST: Duration = STEP.saturating_mul(2);

/// A stand-in for a socket: each read returns the next piece the test sent,
/// waits while there is none, and returns end-of-file once the test drops
/// its sender.
struct ScriptedReader {
    pieces: mpsc::UnboundedReceiver<Vec<u8>>,
    taken: mpsc::UnboundedSender<usize>,
}

impl AsyncRead for ScriptedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.pieces.poll_recv(context) {
            Poll::Ready(Some(piece)) => {
                buffer.put_slice(&piece);
                let _ = self.taken.send(piece.len());
                Poll::Ready(Ok(()))
            }
            // Nothing put into the buffer: end-of-file.
            Poll::Ready(None) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The test's controls: the pieces the reader returns, the ticks, and what
/// report_lines reports.
struct Script {
    pieces: Option<mpsc::UnboundedSender<Vec<u8>>>,
    taken: mpsc::UnboundedReceiver<usize>,
    ticks: Option<mpsc::Sender<()>>,
    events: mpsc::UnboundedReceiver<Event>,
    running: JoinHandle<io::Result<()>>,
}

impl Script {
    fn start() -> Script {
        let (pieces, pieces_in) = mpsc::unbounded_channel();
        let (taken_out, taken) = mpsc::unbounded_channel();
        let (ticks, ticks_in) = mpsc::channel(1);
        let (events_out, events) = mpsc::unbounded_channel();
        let reader = ScriptedReader {
            pieces: pieces_in,
            taken: taken_out,
        };
        let running = tokio::spawn(report_lines(reader, ticks_in, events_out));
        Script {
            pieces: Some(pieces),
            taken,
            ticks: Some(ticks),
            events,
            running,
        }
    }

    /// Delivers `piece` and waits until report_lines has read it.
    async fn deliver(&mut self, piece: &str) {
        self.deliver_bytes(piece.as_bytes()).await;
    }

    async fn deliver_bytes(&mut self, piece: &[u8]) {
        self.pieces
            .as_ref()
            .expect("the reader is still open")
            .send(piece.to_vec())
            .expect("the scripted reader is gone: did report_lines return early?");
        match timeout(STEP, self.taken.recv()).await {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the scripted reader is gone: did report_lines return early?"),
            Err(_) => panic!(
                "waited {STEP:?} for report_lines to read {}; it never read: is it reading from \
                 the reader inside select!?",
                String::from_utf8_lossy(piece)
            ),
        }
    }

    /// Closes the ticks channel: the ticker has stopped.
    fn close_ticks(&mut self) {
        self.ticks = None;
    }

    /// Drops the receiving end of the events channel: nobody listens.
    fn stop_listening(&mut self) {
        let (_, closed) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.events, closed));
    }

    /// Expects report_lines to return by itself, with the reader still open,
    /// and gives what it returned.
    async fn returned(self, waiting_for: &str) -> io::Result<()> {
        let Script {
            pieces, running, ..
        } = self;
        let outcome = match timeout(STEP, running).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panic)) => std::panic::resume_unwind(panic.into_panic()),
            Err(_) => panic!("waited {STEP:?} for report_lines to return {waiting_for}"),
        };
        drop(pieces);
        outcome
    }

    async fn tick(&mut self) {
        self.ticks
            .as_ref()
            .expect("the ticks channel is still open")
            .send(())
            .await
            .expect("the ticks receiver is gone: did report_lines return early?");
    }

    async fn expect(&mut self, expected: Event, waiting_for: &str) {
        match timeout(STEP, self.events.recv()).await {
            Ok(Some(event)) => assert_eq!(event, expected, "the next event, {waiting_for}"),
            Ok(None) => {
                panic!("report_lines stopped before reporting {expected:?} ({waiting_for})")
            }
            Err(_) => panic!("waited {STEP:?} for {expected:?} ({waiting_for}); nothing came"),
        }
    }

    /// Closes the reader and expects report_lines to return Ok.
    async fn finish(mut self) {
        self.pieces = None;
        match timeout(STEP, self.running).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => panic!("report_lines failed: {error}"),
            Ok(Err(panic)) => std::panic::resume_unwind(panic.into_panic()),
            Err(_) => panic!(
                "waited {STEP:?} for report_lines to return after end-of-file (with the ticks \
                 channel still open)"
            ),
        }
    }
}

fn line(text: &str) -> Event {
    Event::Line(text.to_string())
}

#[netlings_helpers::test]
fn reports_whole_lines_in_order_and_returns_at_end_of_file() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.deliver("one\ntwo\n").await;
        script.expect(line("one"), "the first of two lines").await;
        script.expect(line("two"), "the second of two lines").await;
        script.finish().await;
    });
}

#[netlings_helpers::test]
fn reports_a_tick_between_lines() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.deliver("before\n").await;
        script.expect(line("before"), "a whole line").await;
        script.tick().await;
        script.expect(Event::Tick, "a tick").await;
        script.deliver("after\n").await;
        script
            .expect(line("after"), "a whole line after the tick")
            .await;
        script.finish().await;
    });
}

#[netlings_helpers::test]
fn keeps_the_start_of_a_line_that_a_tick_interrupted() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        // Half a line, read by report_lines and waiting for its newline...
        script.deliver("hel").await;
        // ...when the tick wins the select!, and the read is cancelled.
        script.tick().await;
        script
            .expect(Event::Tick, "the tick that came mid-line")
            .await;
        script.deliver("lo\n").await;
        script
            .expect(
                line("hello"),
                "the line \"hel\" + \"lo\\n\", interrupted by a tick. Getting \"lo\" means the \
                 first half was lost when select! cancelled the read: read_line() keeps a \
                 partial line in its own future, which select! drops. Keep the partial line in \
                 something that outlives the loop (Lines::next_line is cancel-safe)",
            )
            .await;
        script.finish().await;
    });
}

#[netlings_helpers::test]
fn keeps_a_line_interrupted_by_several_ticks() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        for piece in ["a", "b"] {
            script.deliver(piece).await;
            script.tick().await;
            script.expect(Event::Tick, "a tick mid-line").await;
        }
        script.deliver("c\n").await;
        script
            .expect(
                line("abc"),
                "the line \"a\" + \"b\" + \"c\\n\", with a tick after each piece",
            )
            .await;
        script.finish().await;
    });
}

#[netlings_helpers::test]
fn reports_a_last_line_without_newline_at_end_of_file() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.deliver("first\nlast").await;
        script.expect(line("first"), "the first line").await;
        let Script {
            pieces,
            events,
            running,
            ..
        } = script;
        drop(pieces);
        let mut events = events;
        match timeout(STEP, events.recv()).await {
            Ok(event) => assert_eq!(
                event,
                Some(line("last")),
                "at end-of-file, the unfinished line \"last\" is still a line"
            ),
            Err(_) => panic!("waited {STEP:?} for the last line at end-of-file"),
        }
        match timeout(STEP, running).await {
            Ok(Ok(Ok(()))) => {}
            outcome => panic!("report_lines should return Ok at end-of-file: {outcome:?}"),
        }
    });
}

#[netlings_helpers::test]
fn reads_on_after_the_ticks_channel_closes() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.tick().await;
        script.expect(Event::Tick, "a tick").await;
        // The ticker stops: recv() on the closed channel now returns None,
        // at once and every time.
        script.close_ticks();
        // A bounded wait, to show that nothing happens: no tick comes from
        // a ticker that has stopped.
        if let Ok(event) = timeout(Duration::from_millis(50), script.events.recv()).await {
            panic!(
                "once the ticks channel was closed, report_lines reported {event:?}, with no \
                 tick sent. A closed channel's recv() returns None at once, every time: a \
                 select! branch that reports a tick for it fires for ever. Disable the branch \
                 with the pattern `Some(()) = ticks.recv()`"
            );
        }
        script.deliver("still reading\n").await;
        script
            .expect(
                line("still reading"),
                "the next line once the ticks channel was closed. A closed channel's recv() \
                 returns None at once, every time: a select! branch that reports a tick for it \
                 fires for ever, and one that returns stops the reading. Disable the branch \
                 with the pattern `Some(()) = ticks.recv()`",
            )
            .await;
        script.finish().await;
    });
}

#[netlings_helpers::test]
fn returns_when_nobody_receives_the_events() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.deliver("one\n").await;
        script.expect(line("one"), "a line").await;
        script.stop_listening();
        script.deliver("nobody hears this\n").await;
        let outcome = script
            .returned(
                "once the events receiver was dropped, with the reader still open (when \
                 events.send fails, nobody listens any more: stop reading and return Ok)",
            )
            .await;
        assert!(
            outcome.is_ok(),
            "report_lines should return Ok when nobody receives the events, got {outcome:?}"
        );
    });
}

#[netlings_helpers::test]
fn fails_with_invalid_data_on_a_line_that_is_not_utf8() {
    within_async(TEST, "report_lines", || async {
        let mut script = Script::start();
        script.deliver_bytes(b"caf\xe9\n").await;
        let outcome = script
            .returned("after a line that is not UTF-8 (an InvalidData error)")
            .await;
        match outcome {
            Err(error) => assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidData,
                "a line that is not UTF-8 should fail with InvalidData, got {error}"
            ),
            Ok(()) => panic!(
                "report_lines returned Ok after the bytes \"caf\\xe9\\n\", which are not \
                 UTF-8; an Event::Line holds a String, so such a line is an InvalidData error, \
                 not a line with a replacement character"
            ),
        }
    });
}
