//! A lossy link for tests of protocols built on UDP: a relay on loopback that
//! drops, duplicates and reorders datagrams, in both directions, on a
//! schedule drawn from a seed.
//!
//! ```text
//! client ---> LossyLink::address() ---> target     (towards the target)
//! client <--- LossyLink::address() <--- target     (back to the client)
//! ```
//!
//! The relay is one UDP socket on a port the OS chooses, served by a thread
//! of its own. Whatever the target sends is relayed to the client, the
//! address the relay last heard from that is not the target; everything else
//! is relayed to the target, so the target sees the relay as its peer.
//!
//! The seed comes from the environment variable `NETLINGS_SEED` when it is
//! set, and is fresh and random otherwise. The seed fixes the fate of the
//! n-th datagram in each direction (passed, dropped, duplicated or held
//! back); how the two directions interleave still depends on timing, so a
//! replay repeats the link's decisions, not every microsecond. Every test
//! that uses a link must print its seed when it fails:
//! [`LossyLink::explain_failures`] does that for a whole test body.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// The environment variable that fixes the seed of every lossy link (and of
/// whatever else a test draws from [`seed`]): `NETLINGS_SEED=42`.
pub const SEED_VARIABLE: &str = "NETLINGS_SEED";

/// How long the relay holds back a datagram chosen for reordering when no
/// later datagram comes to overtake it.
const HOLD_AT_MOST: Duration = Duration::from_millis(5);

/// How often the relay thread looks up from its socket to see whether its
/// link was dropped.
const STOP_CHECK: Duration = Duration::from_millis(20);

/// The seed for this run: the value of `NETLINGS_SEED` when it is set, a
/// fresh random one otherwise.
///
/// Panics with an explanation when `NETLINGS_SEED` is set but is not a whole
/// number.
pub fn seed() -> u64 {
    parse_seed(std::env::var(SEED_VARIABLE).ok().as_deref())
        .unwrap_or_else(|message| panic!("{message}"))
}

fn parse_seed(variable: Option<&str>) -> Result<u64, String> {
    match variable {
        Some(text) => text.trim().parse().map_err(|_| {
            format!("{SEED_VARIABLE}={text:?} is not a seed: give a whole number, like {SEED_VARIABLE}=42")
        }),
        // std seeds RandomState from the OS's random source, once per
        // process, and varies it for every instance.
        None => Ok(RandomState::new().hash_one(SystemTime::now())),
    }
}

/// A small, fast, seeded random number generator (SplitMix64): the same seed
/// gives the same numbers on every machine. Not for cryptography.
#[derive(Debug, Clone)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub fn new(seed: u64) -> SeededRng {
        SeededRng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` must not be 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "SeededRng::below(0): the range 0..0 is empty");
        self.next_u64() % bound
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // The top 53 bits fill an f64's mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// How often the link mistreats a datagram, as probabilities from 0 to 1.
/// Each datagram meets at most one fault; their sum must not exceed 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// The datagram is lost.
    pub drop: f64,
    /// The datagram arrives twice.
    pub duplicate: f64,
    /// The datagram is held back until the next one in the same direction
    /// has passed (or for a few milliseconds when none comes), so it arrives
    /// after a datagram sent later.
    pub reorder: f64,
}

impl Faults {
    /// No faults: a plain relay.
    pub const NONE: Faults = Faults {
        drop: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
    };

    /// A bad but usable link: 20% of datagrams lost, 10% duplicated, 10%
    /// reordered, in each direction.
    pub const MODERATE: Faults = Faults {
        drop: 0.2,
        duplicate: 0.1,
        reorder: 0.1,
    };
}

/// What happens to one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Pass,
    Drop,
    Duplicate,
    HoldBack,
}

/// The fates of the datagrams of one direction, in order, drawn from a seed.
#[derive(Debug, Clone)]
pub struct Schedule {
    rng: SeededRng,
    faults: Faults,
}

impl Schedule {
    /// The schedule of one direction; `direction` tells the two directions
    /// of a link apart, so that each gets its own sequence of fates.
    pub fn new(seed: u64, direction: u64, faults: Faults) -> Schedule {
        let total = faults.drop + faults.duplicate + faults.reorder;
        assert!(
            (0.0..=1.0).contains(&total),
            "the probabilities of {faults:?} add up to {total}; they must be between 0 and 1"
        );
        // Mixing the direction in through the generator itself keeps the two
        // sequences unrelated even for neighbouring seeds.
        let mut mixer = SeededRng::new(seed ^ direction.wrapping_mul(0xd1b5_4a32_d192_ed03));
        Schedule {
            rng: SeededRng::new(mixer.next_u64()),
            faults,
        }
    }

    /// The fate of the next datagram.
    pub fn next_fate(&mut self) -> Fate {
        let roll = self.rng.unit();
        let Faults {
            drop,
            duplicate,
            reorder,
        } = self.faults;
        if roll < drop {
            Fate::Drop
        } else if roll < drop + duplicate {
            Fate::Duplicate
        } else if roll < drop + duplicate + reorder {
            Fate::HoldBack
        } else {
            Fate::Pass
        }
    }
}

/// What the link did to the datagrams of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectionStats {
    pub received: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

/// What the link did so far, in each direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub towards_target: DirectionStats,
    pub back_to_client: DirectionStats,
}

impl fmt::Display for DirectionStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} datagrams: {} dropped, {} duplicated, {} reordered",
            self.received, self.dropped, self.duplicated, self.reordered
        )
    }
}

impl fmt::Display for LinkStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "towards the target {}; back to the client {}",
            self.towards_target, self.back_to_client
        )
    }
}

/// A running lossy relay. Dropping it stops the relay within a few tens of
/// milliseconds.
pub struct LossyLink {
    address: SocketAddr,
    seed: u64,
    replay: String,
    stats: Arc<Mutex<LinkStats>>,
    stop: Arc<AtomicBool>,
}

impl LossyLink {
    /// Starts a relay towards `target` with the run's [`seed`].
    ///
    /// `check_command` is what a learner types to run this test again, such
    /// as `cargo xtask check lesson3/7`; the replay advice puts the seed in
    /// front of it.
    pub fn start(target: SocketAddr, faults: Faults, check_command: &str) -> LossyLink {
        LossyLink::start_with_seed(target, faults, seed(), check_command)
    }

    /// Starts a relay towards `target` with a seed of the caller's choice.
    pub fn start_with_seed(
        target: SocketAddr,
        faults: Faults,
        seed: u64,
        check_command: &str,
    ) -> LossyLink {
        let loopback: SocketAddr = match target {
            SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
        };
        let socket = UdpSocket::bind(loopback)
            .unwrap_or_else(|error| panic!("the lossy link could not bind {loopback}: {error}"));
        let address = socket
            .local_addr()
            .expect("a bound socket has a local address");
        let replay = format!(
            "The lossy link used seed {seed}. Replay this run with: {SEED_VARIABLE}={seed} {check_command}"
        );
        let stats = Arc::new(Mutex::new(LinkStats::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let relay = Relay {
            socket,
            target,
            client: None,
            towards_target: Direction::new(seed, 1, faults),
            back_to_client: Direction::new(seed, 2, faults),
            stats: Arc::clone(&stats),
            stop: Arc::clone(&stop),
        };
        thread::Builder::new()
            .name(format!("lossy link {address} -> {target}"))
            .spawn(move || relay.run())
            .expect("the test could not start the lossy link's thread");
        // Captured by the test harness, and shown when the test fails.
        println!("lossy link {address} -> {target}, {faults:?}. {replay}");
        LossyLink {
            address,
            seed,
            replay,
            stats,
            stop,
        }
    }

    /// Where the client sends: the relay's own address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The seed of this link's schedule.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// One sentence with the seed and the command that replays it, for
    /// failure messages.
    pub fn replay(&self) -> &str {
        &self.replay
    }

    /// What the link did so far.
    pub fn stats(&self) -> LinkStats {
        *self
            .stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `body`, and if it panics (an assertion, a deadline, a panic in the
    /// code under test), panics again with the original message followed by
    /// the seed, how to replay it, and what the link did.
    pub fn explain_failures<T>(&self, body: impl FnOnce() -> T) -> T {
        match panic::catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => value,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("the test panicked");
                panic!(
                    "{message}\n{}\nWhat the link did: {}.",
                    self.replay,
                    self.stats()
                )
            }
        }
    }
}

impl Drop for LossyLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One direction of the relay: its schedule, and the datagram it holds back.
struct Direction {
    schedule: Schedule,
    held: Option<Held>,
}

struct Held {
    datagram: Vec<u8>,
    to: SocketAddr,
    since: Instant,
}

impl Direction {
    fn new(seed: u64, direction: u64, faults: Faults) -> Direction {
        Direction {
            schedule: Schedule::new(seed, direction, faults),
            held: None,
        }
    }

    /// Decides the fate of `datagram` and carries it out.
    fn pass(
        &mut self,
        socket: &UdpSocket,
        datagram: &[u8],
        to: SocketAddr,
        stats: &mut DirectionStats,
    ) {
        stats.received += 1;
        match self.schedule.next_fate() {
            Fate::Drop => {
                stats.dropped += 1;
                return;
            }
            Fate::Duplicate => {
                stats.duplicated += 1;
                send(socket, datagram, to);
                send(socket, datagram, to);
            }
            // One datagram is held back at a time; a second one chosen for
            // reordering while another waits simply passes.
            Fate::HoldBack if self.held.is_none() => {
                stats.reordered += 1;
                self.held = Some(Held {
                    datagram: datagram.to_vec(),
                    to,
                    since: Instant::now(),
                });
                return;
            }
            Fate::HoldBack | Fate::Pass => send(socket, datagram, to),
        }
        // A later datagram has passed: the held one follows it now.
        self.release(socket);
    }

    fn release(&mut self, socket: &UdpSocket) {
        if let Some(held) = self.held.take() {
            send(socket, &held.datagram, held.to);
        }
    }

    /// When the held datagram is due even if no later one comes.
    fn release_at(&self) -> Option<Instant> {
        self.held.as_ref().map(|held| held.since + HOLD_AT_MOST)
    }
}

/// Sends one datagram; a lossy link has no reason to complain when that
/// fails (the receiver may be gone, and losing datagrams is its trade).
fn send(socket: &UdpSocket, datagram: &[u8], to: SocketAddr) {
    let _ = socket.send_to(datagram, to);
}

struct Relay {
    socket: UdpSocket,
    target: SocketAddr,
    /// The last address heard from that is not the target.
    client: Option<SocketAddr>,
    towards_target: Direction,
    back_to_client: Direction,
    stats: Arc<Mutex<LinkStats>>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn run(mut self) {
        let mut buffer = vec![0; 65_536];
        while !self.stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            let mut wake_at = now + STOP_CHECK;
            for direction in [&mut self.towards_target, &mut self.back_to_client] {
                match direction.release_at() {
                    Some(due) if due <= now => direction.release(&self.socket),
                    Some(due) => wake_at = wake_at.min(due),
                    None => {}
                }
            }
            let wait = wake_at
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            self.socket
                .set_read_timeout(Some(wait))
                .expect("setting the relay's read timeout");
            match self.socket.recv_from(&mut buffer) {
                Ok((len, from)) => self.relay(&buffer[..len], from),
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(error) => {
                    eprintln!("the lossy link stopped: receiving failed: {error}");
                    return;
                }
            }
        }
    }

    fn relay(&mut self, datagram: &[u8], from: SocketAddr) {
        let mut stats = self
            .stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if from == self.target {
            // Until a client has spoken, nobody is there to answer.
            if let Some(client) = self.client {
                self.back_to_client
                    .pass(&self.socket, datagram, client, &mut stats.back_to_client);
            }
        } else {
            self.client = Some(from);
            self.towards_target.pass(
                &self.socket,
                datagram,
                self.target,
                &mut stats.towards_target,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::STEP;

    fn receive(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
        let mut buffer = [0; 2048];
        let (len, from) = socket
            .recv_from(&mut buffer)
            .expect("the relayed datagram arrives");
        (buffer[..len].to_vec(), from)
    }

    #[test]
    fn the_seed_comes_from_the_variable_or_is_fresh() {
        assert_eq!(parse_seed(Some("42")), Ok(42));
        assert_eq!(parse_seed(Some(" 7\n")), Ok(7));
        assert!(
            parse_seed(Some("forty-two"))
                .unwrap_err()
                .contains("NETLINGS_SEED=42")
        );
        assert_ne!(parse_seed(None), parse_seed(None));
    }

    #[test]
    fn one_seed_gives_one_schedule_per_direction() {
        let fates = |seed, direction| {
            let mut schedule = Schedule::new(seed, direction, Faults::MODERATE);
            (0..1000).map(|_| schedule.next_fate()).collect::<Vec<_>>()
        };
        assert_eq!(fates(5, 1), fates(5, 1));
        assert_ne!(fates(5, 1), fates(5, 2));
        assert_ne!(fates(5, 1), fates(6, 1));
    }

    #[test]
    fn fates_come_at_the_rates_asked_for() {
        let mut schedule = Schedule::new(1, 1, Faults::MODERATE);
        let fates: Vec<Fate> = (0..100_000).map(|_| schedule.next_fate()).collect();
        let share = |fate| fates.iter().filter(|&&f| f == fate).count() as f64 / 100_000.0;
        assert!((share(Fate::Drop) - 0.2).abs() < 0.01);
        assert!((share(Fate::Duplicate) - 0.1).abs() < 0.01);
        assert!((share(Fate::HoldBack) - 0.1).abs() < 0.01);
    }

    #[test]
    fn a_link_without_faults_relays_both_ways() {
        let (target, target_address) = crate::net::loopback_udp();
        let link = LossyLink::start_with_seed(target_address, Faults::NONE, 1, "test");
        let (client, _) = crate::net::loopback_udp();
        client.send_to(b"ping", link.address()).unwrap();
        let (datagram, relay) = receive(&target);
        assert_eq!((datagram.as_slice(), relay), (&b"ping"[..], link.address()));
        target.send_to(b"pong", relay).unwrap();
        let (datagram, from) = receive(&client);
        assert_eq!((datagram.as_slice(), from), (&b"pong"[..], link.address()));
        assert_eq!(link.stats().towards_target.received, 1);
        assert_eq!(link.stats().back_to_client.received, 1);
    }

    #[test]
    fn a_link_that_duplicates_delivers_twice() {
        let always = Faults {
            duplicate: 1.0,
            ..Faults::NONE
        };
        let (target, target_address) = crate::net::loopback_udp();
        let link = LossyLink::start_with_seed(target_address, always, 1, "test");
        let (client, _) = crate::net::loopback_udp();
        client.send_to(b"twice", link.address()).unwrap();
        assert_eq!(receive(&target).0, b"twice");
        assert_eq!(receive(&target).0, b"twice");
    }

    #[test]
    fn a_link_that_reorders_lets_the_next_datagram_overtake() {
        let always = Faults {
            reorder: 1.0,
            ..Faults::NONE
        };
        let (target, target_address) = crate::net::loopback_udp();
        let link = LossyLink::start_with_seed(target_address, always, 1, "test");
        let (client, _) = crate::net::loopback_udp();
        client.send_to(b"first", link.address()).unwrap();
        client.send_to(b"second", link.address()).unwrap();
        assert_eq!(receive(&target).0, b"second");
        assert_eq!(receive(&target).0, b"first");
        // With nothing behind it, a held datagram still comes, a little late.
        client.send_to(b"alone", link.address()).unwrap();
        assert_eq!(receive(&target).0, b"alone");
    }

    #[test]
    fn a_link_that_drops_everything_delivers_nothing() {
        let always = Faults {
            drop: 1.0,
            ..Faults::NONE
        };
        let (target, target_address) = crate::net::loopback_udp();
        let link = LossyLink::start_with_seed(target_address, always, 1, "test");
        let (client, _) = crate::net::loopback_udp();
        client.send_to(b"lost", link.address()).unwrap();
        // First the event: the relay has seen the datagram and dropped it.
        let deadline = std::time::Instant::now() + STEP;
        while link.stats().towards_target.dropped == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the relay never saw the datagram"
            );
            thread::sleep(Duration::from_millis(1));
        }
        // The one bounded wait allowed: proving that nothing arrives.
        target
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut buffer = [0; 16];
        let error = target.recv_from(&mut buffer).expect_err("nothing passes");
        assert!(matches!(
            error.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ));
    }

    #[test]
    fn explain_failures_adds_the_seed_and_the_replay_command() {
        let (_target, target_address) = crate::net::loopback_udp();
        let link = LossyLink::start_with_seed(
            target_address,
            Faults::NONE,
            1234,
            "cargo xtask check lesson3/7",
        );
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            link.explain_failures(|| panic!("the messages came out of order"))
        }));
        let message = *outcome
            .expect_err("the body's panic is raised again")
            .downcast::<String>()
            .expect("the new panic carries a String");
        assert!(
            message.starts_with("the messages came out of order\n"),
            "{message}"
        );
        assert!(
            message.contains("NETLINGS_SEED=1234 cargo xtask check lesson3/7"),
            "{message}"
        );
    }
}
