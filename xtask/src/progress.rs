//! The learner's progress: which exercises passed at their last check.
//!
//! Kept in `.netlings/progress.toml` (ignored by git), keyed by lesson handle
//! and exercise id so that new lessons pulled later keep it valid. The tests
//! are the truth: this file only lets `list` show where the learner is
//! without rebuilding everything, and a missing or unreadable file is simply
//! rebuilt by the next check.

use crate::course::Course;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failing,
}

#[derive(Debug, Default)]
pub struct Progress {
    lessons: BTreeMap<String, BTreeMap<String, Status>>,
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
                    "{} is not valid; the next check rebuilds it",
                    path.display()
                )),
            },
        }
    }

    fn parse(text: &str) -> Option<Progress> {
        let table: toml::Table = text.parse().ok()?;
        let mut lessons = BTreeMap::new();
        for (lesson, exercises) in table {
            let mut statuses = BTreeMap::new();
            for (exercise, status) in exercises.as_table()? {
                let status = match status.as_str()? {
                    "passed" => Status::Passed,
                    "failing" => Status::Failing,
                    _ => return None,
                };
                statuses.insert(exercise.clone(), status);
            }
            lessons.insert(lesson, statuses);
        }
        Some(Progress { lessons })
    }

    pub fn status(&self, lesson: &str, exercise: &str) -> Option<Status> {
        self.lessons.get(lesson)?.get(exercise).copied()
    }

    pub fn record(&mut self, lesson: &str, exercise: &str, status: Status) {
        self.lessons
            .entry(lesson.to_owned())
            .or_default()
            .insert(exercise.to_owned(), status);
    }

    /// Writes the file (through a temporary file and a rename, so that an
    /// interrupted write never leaves half a file).
    pub fn save(&self, course: &Course) -> Result<()> {
        let path = Progress::path(course);
        let mut table = toml::Table::new();
        for (lesson, exercises) in &self.lessons {
            let statuses = exercises
                .iter()
                .map(|(exercise, status)| {
                    let status = match status {
                        Status::Passed => "passed",
                        Status::Failing => "failing",
                    };
                    (exercise.clone(), toml::Value::from(status))
                })
                .collect::<toml::Table>();
            table.insert(lesson.clone(), toml::Value::Table(statuses));
        }
        let dir = path.parent().context("the progress file has a folder")?;
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let temporary = path.with_extension("toml.tmp");
        let text = format!(
            "# Written by `cargo xtask check`; safe to delete, the next check rebuilds it.\n{table}"
        );
        fs::write(&temporary, text).with_context(|| format!("writing {}", temporary.display()))?;
        fs::rename(&temporary, &path).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_garbage_and_reads_statuses() {
        assert!(Progress::parse("not = [toml").is_none());
        assert!(Progress::parse("[lesson1]\nendpoint = \"maybe\"").is_none());
        let progress =
            Progress::parse("[lesson1]\nendpoint = \"passed\"\nresolve = \"failing\"").unwrap();
        assert_eq!(progress.status("lesson1", "endpoint"), Some(Status::Passed));
        assert_eq!(progress.status("lesson1", "resolve"), Some(Status::Failing));
        assert_eq!(progress.status("lesson2", "endpoint"), None);
    }
}
