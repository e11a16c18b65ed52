//! The learner's progress: which exercises passed at their last check, and
//! how many hints of each the learner has seen.
//!
//! Kept in `.netlings/progress.toml` (ignored by git), keyed by lesson handle
//! and exercise id so that new lessons pulled later keep it valid. The tests
//! are the truth: this file only lets `list` show where the learner is
//! without rebuilding everything, and a missing or unreadable file is simply
//! rebuilt by the next check.

use crate::course::Course;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failing,
}

/// What the runner remembers of one exercise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseProgress {
    /// The verdict of its last check, if it was ever checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    /// How many of its hints the learner has seen.
    #[serde(default, skip_serializing_if = "is_zero")]
    hints_seen: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Progress {
    /// Keyed by lesson handle, then exercise id.
    lessons: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
}

pub struct Loaded {
    pub progress: Progress,
    /// Set when the file existed but could not be read; says why.
    pub problem: Option<String>,
}

impl Progress {
    fn path(course: &Course) -> PathBuf {
        course.root.join(".netlings").join("progress.toml")
    }

    pub fn load(course: &Course) -> Loaded {
        let path = Progress::path(course);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    progress: Progress::default(),
                    problem: None,
                };
            }
            Err(error) => {
                return Loaded {
                    progress: Progress::default(),
                    problem: Some(format!("could not read {}: {error}", path.display())),
                };
            }
        };
        match Progress::parse(&text) {
            Some(progress) => Loaded {
                progress,
                problem: None,
            },
            None => Loaded {
                progress: Progress::default(),
                problem: Some(format!(
                    "{} is not valid; starting afresh (the next check records your progress again)",
                    path.display()
                )),
            },
        }
    }

    fn parse(text: &str) -> Option<Progress> {
        toml::from_str(text).ok()
    }

    fn entry(&mut self, lesson: &str, exercise: &str) -> &mut ExerciseProgress {
        self.lessons
            .entry(lesson.to_owned())
            .or_default()
            .entry(exercise.to_owned())
            .or_default()
    }

    fn get(&self, lesson: &str, exercise: &str) -> ExerciseProgress {
        self.lessons
            .get(lesson)
            .and_then(|exercises| exercises.get(exercise))
            .copied()
            .unwrap_or_default()
    }

    pub fn status(&self, lesson: &str, exercise: &str) -> Option<Status> {
        self.get(lesson, exercise).status
    }

    pub fn record(&mut self, lesson: &str, exercise: &str, status: Status) {
        self.entry(lesson, exercise).status = Some(status);
    }

    /// Forgets the verdict of an exercise (after a reset), keeping the
    /// hints seen.
    pub fn forget_status(&mut self, lesson: &str, exercise: &str) {
        self.entry(lesson, exercise).status = None;
    }

    pub fn hints_seen(&self, lesson: &str, exercise: &str) -> usize {
        self.get(lesson, exercise).hints_seen
    }

    pub fn record_hints_seen(&mut self, lesson: &str, exercise: &str, seen: usize) {
        self.entry(lesson, exercise).hints_seen = seen;
    }

    /// Writes the file (through a temporary file and a rename, so that an
    /// interrupted write never leaves half a file).
    pub fn save(&self, course: &Course) -> Result<()> {
        let path = Progress::path(course);
        let table = toml::to_string(self).context("writing the progress as TOML")?;
        let dir = path.parent().context("the progress file has a folder")?;
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let temporary = path.with_extension("toml.tmp");
        let text = format!(
            "# Written by `cargo xtask`: your progress. Safe to delete; checks rebuild it.\n{table}"
        );
        fs::write(&temporary, text).with_context(|| format!("writing {}", temporary.display()))?;
        fs::rename(&temporary, &path).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_garbage_and_reads_statuses_and_hints() {
        assert!(Progress::parse("not = [toml").is_none());
        assert!(Progress::parse("[lesson1.endpoint]\nstatus = \"maybe\"").is_none());
        let progress = Progress::parse(
            "[lesson1.endpoint]\nstatus = \"passed\"\n[lesson1.resolve]\nstatus = \"failing\"\nhints_seen = 2",
        )
        .unwrap();
        assert_eq!(progress.status("lesson1", "endpoint"), Some(Status::Passed));
        assert_eq!(progress.status("lesson1", "resolve"), Some(Status::Failing));
        assert_eq!(progress.hints_seen("lesson1", "resolve"), 2);
        assert_eq!(progress.status("lesson2", "endpoint"), None);
    }

    #[test]
    fn the_saved_text_reads_back_the_same() {
        let mut progress = Progress::default();
        progress.record("lesson1", "endpoint", Status::Passed);
        progress.record_hints_seen("lesson1", "resolve", 2);
        let text = toml::to_string(&progress).unwrap();
        assert_eq!(
            text,
            "[lesson1.endpoint]\nstatus = \"passed\"\n\n[lesson1.resolve]\nhints_seen = 2\n"
        );
        let again = Progress::parse(&text).unwrap();
        assert_eq!(again.status("lesson1", "endpoint"), Some(Status::Passed));
        assert_eq!(again.hints_seen("lesson1", "resolve"), 2);
        assert_eq!(again.status("lesson1", "resolve"), None);
    }
}
