//! `cargo xtask watch [LESSON]`: check the current exercise again on every
//! save, and move on to the next exercise (and lesson) when it passes.
//!
//! Changes are noticed through inotify on Linux. Where its events do not
//! arrive (network file systems, some WSL setups) or on other systems, the
//! watcher compares modification times instead, and says so.

use crate::app_state::AppState;
use crate::build::BuildDir;
use crate::check::{ReportOptions, check_selection};
use crate::course::{Course, Lesson, Selection};
use crate::interrupt;
use crate::style::Style;
use crate::test_run::{DeadlineArg, Interrupted};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

/// How often the watcher looks for Ctrl-C, and for changes when polling.
const TICK: Duration = Duration::from_millis(250);
/// How long files must stay unchanged before a check starts: editors often
/// write a file in several steps.
const QUIET: Duration = Duration::from_millis(200);

#[derive(Debug)]
pub struct WatchArgs {
    pub lesson: Option<String>,
    pub poll: bool,
    pub deadline: DeadlineArg,
}

impl WatchArgs {
    pub fn command() -> clap::Command {
        clap::Command::new("watch")
            .about("Check your current exercise again on every save; move on when it passes")
            .arg(
                clap::Arg::new("lesson")
                    .value_name("LESSON")
                    .help("Start with this lesson (default: the first one not finished)"),
            )
            .arg(
                clap::Arg::new("poll")
                    .long("poll")
                    .action(clap::ArgAction::SetTrue)
                    .help("Look for changes every 250 ms instead of using file events"),
            )
            .arg(DeadlineArg::arg())
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> WatchArgs {
        WatchArgs {
            lesson: matches.get_one::<String>("lesson").cloned(),
            poll: matches.get_flag("poll"),
            deadline: DeadlineArg::from_matches(matches),
        }
    }
}

pub fn watch(state: &mut AppState, args: &WatchArgs, style: Style) -> Result<bool> {
    let run = &args.deadline.run_options(None);
    interrupt::install();
    let report = ReportOptions {
        every_failure: false,
        style,
    };
    let mut lesson_ref = match args.lesson.as_deref() {
        Some(handle) => state.course.select(handle)?.lesson(),
        None => state
            .first_pending_lesson()
            .or_else(|| state.course.lesson_refs().next())
            .context("the course has no lessons to watch")?,
    };
    let course = &state.course;
    let mut watcher =
        ChangeWatcher::new(&course.exercise_crate(course.lesson(lesson_ref)), args.poll);
    announce(course, course.lesson(lesson_ref), &watcher, style);
    // Enter only means something at a lesson's end; lines typed at other
    // times are dropped there, before the question is asked.
    let enter = enter_presses();
    let (_never_sent, no_enter) = mpsc::channel();

    loop {
        let target = match state.first_pending_exercise(lesson_ref) {
            Some(exercise) => Selection::Exercise(exercise),
            None => Selection::Lesson(lesson_ref),
        };
        let checked = BuildDir::acquire(&state.course.root, "check")
            .and_then(|build_dir| check_selection(state, &build_dir, target, run, report));
        state.save();
        let course = &state.course;
        let lesson = course.lesson(lesson_ref);
        match checked {
            Err(error) if error.is::<Interrupted>() => break,
            Err(error) => eprintln!("error: {error:#}"),
            // One exercise passed: go straight on to the next one (or to the
            // whole lesson, once none is left).
            Ok(true) if target.exercise().is_some() => continue,
            // The whole lesson passes. The next lesson starts with a chapter
            // to read, so the watcher does not rush into it: a lesson named
            // on the command line stays that lesson, and otherwise the
            // learner says when to go on.
            Ok(true) => match course.next_lesson(lesson_ref) {
                Some(next_ref) if args.lesson.is_none() => {
                    let next = course.lesson(next_ref);
                    // Enter pressed earlier, while checks ran, is no answer
                    // to a question not asked yet.
                    while enter.try_recv().is_ok() {}
                    println!(
                        "\n{} passes. Next: {} ({}). Read its chapter first: {}\n\
                         Press Enter to start watching {}, or Ctrl-C to stop.",
                        lesson.handle(),
                        next.handle(),
                        next.title,
                        course.relative(&course.chapter(next)).display(),
                        next.handle()
                    );
                    match watcher.wait_for_change_or_enter(&enter) {
                        Wake::Enter => {
                            lesson_ref = next_ref;
                            watcher = ChangeWatcher::new(&course.exercise_crate(next), args.poll);
                            clear_screen();
                            announce(course, next, &watcher, style);
                        }
                        Wake::Change => clear_screen(),
                        Wake::Interrupted => break,
                    }
                    continue;
                }
                Some(next) => {
                    let next = course.lesson(next);
                    println!(
                        "\n{} passes. When you have read the next chapter ({}), run `cargo xtask watch \
                     {}`. Still watching {}; Ctrl-C to stop.",
                        lesson.handle(),
                        course.relative(&course.chapter(next)).display(),
                        next.handle(),
                        lesson.handle()
                    )
                }
                None => println!("\nEvery lesson passes. Still watching; Ctrl-C to stop."),
            },
            Ok(false) => {}
        }
        println!(
            "\n{}",
            style.dim("Watching for your next save... (Ctrl-C to stop)")
        );
        match watcher.wait_for_change_or_enter(&no_enter) {
            Wake::Interrupted => break,
            Wake::Change | Wake::Enter => clear_screen(),
        }
    }
    println!(
        "\nStopped watching. Your progress is saved; `cargo xtask watch` picks up where you are."
    );
    Ok(true)
}

fn announce(course: &Course, lesson: &Lesson, watcher: &ChangeWatcher, style: Style) {
    println!(
        "{} {} ({}): every save in {} checks your current exercise again. Ctrl-C to stop.",
        style.bold("Watching"),
        lesson.handle(),
        lesson.title,
        course.relative(&watcher.dir).display()
    );
    if watcher.events.is_none() {
        println!(
            "(file events are not available here: looking for changes every {TICK:?} instead)"
        );
    }
}

fn clear_screen() {
    if std::io::stdout().is_terminal() {
        print!("\x1b[2J\x1b[H");
    }
}

/// Notices saves in one folder (recursively).
struct ChangeWatcher {
    dir: PathBuf,
    /// Every file's modification time and length, as last seen.
    snapshot: BTreeMap<PathBuf, (SystemTime, u64)>,
    /// File events, while they work; `None` means polling.
    events: Option<inotify::Inotify>,
}

impl ChangeWatcher {
    fn new(dir: &Path, poll: bool) -> ChangeWatcher {
        ChangeWatcher {
            dir: dir.to_path_buf(),
            snapshot: snapshot(dir),
            events: if poll {
                None
            } else {
                inotify::Inotify::watch(dir)
            },
        }
    }

    /// Waits until a source file changed and then stayed quiet for a
    /// moment, or until Enter arrives on `enter`, or Ctrl-C. A file event
    /// that changed no source file (an editor's swap file, a save of an
    /// unchanged file) does not count.
    fn wait_for_change_or_enter(&mut self, enter: &mpsc::Receiver<()>) -> Wake {
        loop {
            if interrupt::requested() {
                return Wake::Interrupted;
            }
            let evented = match &self.events {
                Some(events) => events.wait(TICK),
                None => {
                    thread::sleep(TICK);
                    false
                }
            };
            if enter.try_recv().is_ok() {
                return Wake::Enter;
            }
            let changed = snapshot(&self.dir) != self.snapshot;
            if changed
                && !evented
                && self
                    .events
                    .as_ref()
                    .is_some_and(|events| !events.wait(QUIET))
            {
                println!(
                    "(a file changed but no file event arrived: this file system does not deliver \
                     them. Looking for changes every {TICK:?} from now on.)"
                );
                self.events = None;
            }
            if changed {
                self.settle();
                return Wake::Change;
            }
        }
    }

    /// Waits until the files stop changing, then remembers them as they are.
    fn settle(&mut self) {
        loop {
            let before = snapshot(&self.dir);
            match &self.events {
                Some(events) => while events.wait(QUIET) {},
                None => thread::sleep(QUIET),
            }
            let after = snapshot(&self.dir);
            if before == after {
                self.snapshot = after;
                return;
            }
        }
    }
}

/// What ended a wait of the watcher.
enum Wake {
    Change,
    Enter,
    Interrupted,
}

/// A channel that receives `()` for each line on stdin: each time the
/// learner presses Enter. A closed stdin (`</dev/null`, CI) sends nothing.
fn enter_presses() -> mpsc::Receiver<()> {
    let (pressed, presses) = mpsc::channel();
    thread::spawn(move || {
        for _ in std::io::stdin().lines().map_while(Result::ok) {
            if pressed.send(()).is_err() {
                break;
            }
        }
    });
    presses
}

/// The modification time and length of every source file (`.rs`, `.toml`)
/// under `dir`: what a check depends on. Editors' swap and backup files are
/// left out, so that they never trigger a check.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let path = entry.path();
            let is_source = path
                .extension()
                .is_some_and(|extension| extension == "rs" || extension == "toml");
            if metadata.is_dir() {
                folders.push(path);
            } else if is_source {
                let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                files.insert(path, (modified, metadata.len()));
            }
        }
    }
    files
}

#[cfg(target_os = "linux")]
mod inotify {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    /// An inotify instance watching a folder and its subfolders.
    pub struct Inotify {
        fd: libc::c_int,
    }

    impl Inotify {
        /// `None` when inotify is unavailable; the caller then polls.
        pub fn watch(dir: &Path) -> Option<Inotify> {
            // SAFETY: plain system call; the descriptor is owned by the
            // returned value and closed on drop.
            let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
            if fd < 0 {
                return None;
            }
            let inotify = Inotify { fd };
            // Editors save by writing in place, or by writing a new file and
            // renaming it over the old one: watch for both.
            let mask = libc::IN_CLOSE_WRITE
                | libc::IN_MODIFY
                | libc::IN_CREATE
                | libc::IN_DELETE
                | libc::IN_MOVED_TO
                | libc::IN_MOVED_FROM;
            let mut folders: Vec<PathBuf> = vec![dir.to_path_buf()];
            while let Some(folder) = folders.pop() {
                let path = CString::new(folder.as_os_str().as_bytes()).ok()?;
                // SAFETY: `path` is a valid NUL-terminated string.
                if unsafe { libc::inotify_add_watch(inotify.fd, path.as_ptr(), mask) } < 0 {
                    return None;
                }
                if let Ok(entries) = std::fs::read_dir(&folder) {
                    folders.extend(
                        entries
                            .flatten()
                            .filter(|entry| entry.path().is_dir())
                            .map(|entry| entry.path()),
                    );
                }
            }
            Some(inotify)
        }

        /// Waits up to `timeout` for events; returns whether any arrived
        /// (and discards them: the caller only needs to know that something
        /// changed).
        pub fn wait(&self, timeout: Duration) -> bool {
            let mut poll = libc::pollfd {
                fd: self.fd,
                events: libc::POLLIN,
                revents: 0,
            };
            let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut poll, 1, millis) };
            if ready <= 0 {
                return false;
            }
            let mut buffer = [0u8; 4096];
            let mut any = false;
            loop {
                // SAFETY: reads into a buffer of the given length.
                let read = unsafe { libc::read(self.fd, buffer.as_mut_ptr().cast(), buffer.len()) };
                if read <= 0 {
                    return any;
                }
                any = true;
            }
        }
    }

    impl Drop for Inotify {
        fn drop(&mut self) {
            // SAFETY: the descriptor is ours and closed once.
            unsafe {
                libc::close(self.fd);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod inotify {
    use std::path::Path;
    use std::time::Duration;

    /// No file events off Linux: the watcher polls.
    pub struct Inotify;

    impl Inotify {
        pub fn watch(_dir: &Path) -> Option<Inotify> {
            None
        }

        pub fn wait(&self, _timeout: Duration) -> bool {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_see_source_files_only() {
        let dir = std::env::temp_dir().join(format!("netlings-watch-{}", std::process::id()));
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("src/endpoint.rs"), "fn main() {}").unwrap();
        fs::write(dir.join("Cargo.toml"), "").unwrap();
        let before = snapshot(&dir);
        // What editors write beside a file they save.
        fs::write(dir.join("src/.endpoint.rs.swp"), "swap").unwrap();
        fs::write(dir.join("src/endpoint.rs~"), "backup").unwrap();
        fs::write(dir.join("src/4913"), "").unwrap();
        let after = snapshot(&dir);
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(before.len(), 2);
        assert_eq!(before, after);
    }
}
