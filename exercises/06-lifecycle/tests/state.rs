//! Exercise 1: ask the kernel what state a connection is in (`src/state.rs`).
//! `TCP_INFO` is Linux-specific: these tests expect Linux.

use lesson6::state::{
    POLL_PAUSE, TcpState, WaitError, raw_tcp_info, summarize, tcp_info, wait_for_state,
};
use netlings_helpers::net::{self, Client, loopback_listener};
use netlings_helpers::{STEP, within};
use std::cell::Cell;
use std::io;
use std::time::Duration;

#[netlings_helpers::test]
fn decodes_every_linux_state_code() {
    let expected = [
        (1, TcpState::Established),
        (2, TcpState::SynSent),
        (3, TcpState::SynRecv),
        (4, TcpState::FinWait1),
        (5, TcpState::FinWait2),
        (6, TcpState::TimeWait),
        (7, TcpState::Close),
        (8, TcpState::CloseWait),
        (9, TcpState::LastAck),
        (10, TcpState::Listen),
        (11, TcpState::Closing),
        (12, TcpState::NewSynRecv),
    ];
    for (code, state) in expected {
        assert_eq!(
            TcpState::from_code(code),
            Some(state),
            "Linux numbers {state} as {code} (include/net/tcp_states.h, and the st column of \
             /proc/net/tcp in hex): the numbering starts at 1 with ESTABLISHED"
        );
    }
    for unused in [0, 13, 0x0A0, 255] {
        assert_eq!(
            TcpState::from_code(unused),
            None,
            "Linux has no TCP state number {unused}; from_code must say so with None"
        );
    }
}

/// The kernel's record for a live connection, with chosen values written
/// over the fields `summarize` reads.
fn raw_info_with(state: u8, rtt_micros: u32, total_retrans: u32, unacked: u32) -> libc::tcp_info {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let _accepted = net::accept(&listener, "the test's own client");
    let mut raw = raw_tcp_info(client.stream()).expect("getsockopt(TCP_INFO) on a live connection");
    raw.tcpi_state = state;
    raw.tcpi_rtt = rtt_micros;
    raw.tcpi_total_retrans = total_retrans;
    // The retransmissions of the segment being retried right now: not the
    // count the exercise asks for.
    raw.tcpi_retransmits = 0;
    raw.tcpi_unacked = unacked;
    raw
}

#[netlings_helpers::test]
fn summarize_converts_the_kernels_units() {
    let raw = raw_info_with(8, 1_500, 7, 3);
    let info = summarize(&raw).expect("state 8 is CLOSE_WAIT, a state Linux uses");
    assert_eq!(
        info.state,
        TcpState::CloseWait,
        "tcpi_state 8 is CLOSE_WAIT"
    );
    assert_eq!(
        info.rtt,
        Duration::from_micros(1_500),
        "tcpi_rtt = 1500 is in microseconds: 1.5 ms"
    );
    assert_eq!(
        info.retransmits, 7,
        "retransmits is tcpi_total_retrans (7 here), every retransmission of the connection's \
         life; tcpi_retransmits (0 here) counts only the segment being retried now"
    );
    assert_eq!(info.unacked, 3, "unacked is tcpi_unacked (3 segments here)");
}

#[netlings_helpers::test]
fn summarize_rejects_a_state_linux_does_not_use() {
    let raw = raw_info_with(99, 10, 0, 0);
    match summarize(&raw) {
        Ok(info) => panic!("tcpi_state 99 is no TCP state, yet summarize returned {info:?}"),
        Err(error) => {
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
            assert!(
                error.to_string().contains("99"),
                "the error must name the number the kernel reported (99); it says: {error}"
            );
        }
    }
}

#[netlings_helpers::test]
fn reads_a_listener_and_a_live_connection() {
    let (listener, address) = loopback_listener();
    let client = Client::connect(address);
    let (accepted, _) = net::accept(&listener, "the test's own client");
    for (what, info) in [
        ("the listener", tcp_info(&listener)),
        ("the client's socket", tcp_info(client.stream())),
        ("the accepted socket", tcp_info(&accepted)),
    ] {
        let info = info.unwrap_or_else(|error| panic!("TCP_INFO of {what} failed: {error}"));
        let expected = if what == "the listener" {
            TcpState::Listen
        } else {
            TcpState::Established
        };
        assert_eq!(info.state, expected, "the kernel's state of {what}");
        assert!(
            info.rtt < Duration::from_secs(1),
            "{what}: a loopback round trip takes microseconds, yet rtt is {:?}: is tcpi_rtt read \
             in the right unit?",
            info.rtt
        );
    }
}

/// A scripted `current_state`: each call returns the next state of
/// `script`, then the last one forever, and counts the calls.
fn scripted<'a>(
    script: &'a [TcpState],
    calls: &'a Cell<usize>,
) -> impl FnMut() -> io::Result<TcpState> + 'a {
    move || {
        let call = calls.get();
        calls.set(call + 1);
        Ok(script[call.min(script.len() - 1)])
    }
}

#[netlings_helpers::test]
fn waits_until_the_state_appears() {
    let calls = Cell::new(0);
    let script = [TcpState::SynSent, TcpState::SynSent, TcpState::Established];
    let outcome = wait_for_state(scripted(&script, &calls), TcpState::Established, STEP);
    assert!(
        outcome.is_ok(),
        "the socket went SYN_SENT, SYN_SENT, ESTABLISHED and the wait was for ESTABLISHED, yet \
         wait_for_state returned {outcome:?}: does it ask again until the state appears?"
    );
    assert_eq!(
        calls.get(),
        3,
        "ESTABLISHED appeared at the third question: wait_for_state must stop asking then"
    );
}

#[netlings_helpers::test]
fn names_the_state_seen_last_when_time_runs_out() {
    let (outcome, calls) = within(STEP, "wait_for_state to give up after 200 ms", || {
        let calls = Cell::new(0);
        let script = [TcpState::SynSent, TcpState::FinWait1, TcpState::FinWait2];
        let outcome = wait_for_state(
            scripted(&script, &calls),
            TcpState::TimeWait,
            Duration::from_millis(200),
        );
        (outcome, calls.get())
    });
    // What the last question answered. On a machine so loaded that the
    // 200 ms ran out before the third question, that is not FIN_WAIT2 yet,
    // and the test expects what was really seen last.
    let seen_last = [TcpState::SynSent, TcpState::FinWait1, TcpState::FinWait2][calls.min(3) - 1];
    match outcome {
        Err(error @ WaitError::TimedOut { .. }) => {
            let WaitError::TimedOut {
                wanted, last_seen, ..
            } = &error
            else {
                unreachable!()
            };
            assert_eq!(*wanted, TcpState::TimeWait, "the state waited for");
            assert_eq!(
                *last_seen, seen_last,
                "the socket went SYN_SENT, FIN_WAIT1, then stayed in FIN_WAIT2 (the last of {calls} \
                 questions answered {seen_last}): the error must name the state seen last, which \
                 says how far the connection got"
            );
            let message = error.to_string();
            assert!(
                message.contains("TIME_WAIT") && message.contains(seen_last.name()),
                "the message must name the state waited for and the state seen last: {message:?}"
            );
        }
        other => panic!(
            "TIME_WAIT never appeared within the 200 ms timeout, so wait_for_state must return \
             WaitError::TimedOut; it returned {other:?}"
        ),
    }
}

#[netlings_helpers::test]
fn pauses_between_questions() {
    let calls = Cell::new(0);
    let timeout = Duration::from_millis(100);
    let script = [TcpState::SynSent];
    let outcome = wait_for_state(scripted(&script, &calls), TcpState::Established, timeout);
    assert!(
        matches!(outcome, Err(WaitError::TimedOut { .. })),
        "{outcome:?}"
    );
    // Each pause lasts at least POLL_PAUSE, so a loop that pauses cannot ask
    // more than timeout / POLL_PAUSE + 1 times.
    let most = (timeout.as_micros() / POLL_PAUSE.as_micros()) as usize + 1;
    assert!(
        calls.get() <= most,
        "wait_for_state asked {} times in {timeout:?}; with a pause of {POLL_PAUSE:?} between \
         questions it can ask at most {most}: a loop without a pause spins a core at 100%",
        calls.get()
    );
}

#[netlings_helpers::test]
fn passes_on_an_error_at_once() {
    let calls = Cell::new(0);
    let outcome = wait_for_state(
        || {
            calls.set(calls.get() + 1);
            Err(io::Error::from_raw_os_error(libc::EBADF))
        },
        TcpState::Established,
        STEP,
    );
    match outcome {
        Err(WaitError::Io(ref error)) => {
            assert_eq!(error.raw_os_error(), Some(libc::EBADF));
            let wait_error = outcome.as_ref().expect_err("matched an error");
            assert!(
                std::error::Error::source(wait_error).is_some(),
                "WaitError::Io keeps the error it wraps as its source()"
            );
        }
        other => panic!(
            "asking for the state failed with EBADF (the socket is closed): wait_for_state must \
             return WaitError::Io with that error; it returned {other:?}"
        ),
    }
    assert_eq!(
        calls.get(),
        1,
        "a failed question will fail again: return the error at once instead of asking again"
    );
}
