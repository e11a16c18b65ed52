//! Blocking inside async code stalls the runtime, and `timeout` cannot help.
//!
//! A worker thread runs one task at a time, and switches to another only
//! when the task reaches an `.await` that is not ready. A task that blocks
//! the thread instead (`std::thread::sleep`, a blocking `std::net` read, a
//! long computation, a `std::sync::Mutex` held across a wait) never gives
//! it back: every other task on that thread waits, timers included.
//!
//! The demo uses a runtime with a single thread, so that the effect is
//! plain. A ticker task prints every 100 ms. Then:
//! 1. a task calls `std::thread::sleep(500 ms)`: the ticker falls silent;
//! 2. `timeout(100 ms, ...)` around a future that blocks for 500 ms: the
//!    timeout cannot fire, because its timer needs the thread too;
//! 3. the same work with `tokio::time::sleep` and with `spawn_blocking`:
//!    the ticker keeps ticking.
//!
//! Run it with `cargo run -p lesson4-demos --bin blocking-in-async`.

use lesson4_demos::Timeline;
use std::time::Duration;
use tokio::time::{sleep, timeout};

const WORK: Duration = Duration::from_millis(500);

// `flavor = "current_thread"`: one thread runs every task.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let timeline = Timeline::start();
    // The ticker records when it ran; each step prints the gaps it saw.
    let ticker = tokio::spawn(async move {
        loop {
            sleep(Duration::from_millis(100)).await;
            timeline.say("tick");
        }
    });
    sleep(Duration::from_millis(250)).await;

    timeline.say("1. a task calls std::thread::sleep(500 ms)");
    tokio::spawn(async { std::thread::sleep(WORK) })
        .await
        .expect("the task does not panic");
    timeline.say("   it returned; no tick for 500 ms, the thread was taken");
    sleep(Duration::from_millis(150)).await;

    timeline.say("2. timeout(100 ms) around a future that blocks for 500 ms");
    let outcome = timeout(Duration::from_millis(100), async {
        std::thread::sleep(WORK)
    })
    .await;
    timeline.say(&format!(
        "   timeout returned {outcome:?}: it did not fire, the work just finished"
    ));
    sleep(Duration::from_millis(150)).await;

    timeline.say("3a. the same wait with tokio::time::sleep(500 ms).await");
    tokio::spawn(sleep(WORK)).await.expect("no panic");
    timeline.say("    done, and the ticker ran meanwhile");

    timeline.say("3b. the blocking call moved to spawn_blocking");
    tokio::task::spawn_blocking(|| std::thread::sleep(WORK))
        .await
        .expect("no panic");
    timeline.say("    done, and the ticker ran meanwhile");
    ticker.abort();
}
