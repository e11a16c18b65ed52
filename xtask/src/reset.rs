//! `cargo xtask reset LESSON[/EX]`: put the course's stub back, after
//! saving the learner's version where they can get it back.

use crate::app_state::AppState;
use crate::release::{RECORD, blob_content, recorded_blobs};
use crate::style::Style;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub struct ResetArgs {
    pub lesson: String,
}

impl ResetArgs {
    pub fn command() -> clap::Command {
        clap::Command::new("reset")
            .about("Put the course's stub back; your version is saved first")
            .arg(
                clap::Arg::new("lesson")
                    .value_name("LESSON[/EXERCISE]")
                    .required(true)
                    .help("lesson1/2 resets one exercise's file; lesson1 every file of the lesson"),
            )
    }

    pub fn from_matches(matches: &clap::ArgMatches) -> ResetArgs {
        ResetArgs {
            lesson: matches
                .get_one::<String>("lesson")
                .cloned()
                .unwrap_or_default(),
        }
    }
}

pub fn reset(state: &mut AppState, args: &ResetArgs, style: Style) -> Result<bool> {
    let handle = args.lesson.as_str();
    let course = &state.course;
    let selection = course.select(handle)?;
    let lesson = course.lesson(selection.lesson());
    let src = format!("exercises/{}/src/", lesson.folder);
    let recorded = recorded_blobs(&course.root)?;
    let files: Vec<&String> = match selection.exercise() {
        Some(exercise) => {
            let path = format!(
                "exercises/{}/{}",
                lesson.folder,
                course.exercise(exercise).file.display()
            );
            let recorded_path = recorded
                .keys()
                .find(|recorded| **recorded == path)
                .with_context(|| {
                    format!("{path} is not in {RECORD}, so its original is unknown")
                })?;
            vec![recorded_path]
        }
        None => recorded
            .keys()
            .filter(|path| path.starts_with(&src))
            .collect(),
    };

    // Fetch every original before touching anything: a reset either
    // happens whole or not at all.
    let mut restores = Vec::new();
    for path in files {
        let original = blob_content(&course.root, &recorded[path]).with_context(|| {
            format!(
                "this checkout's git history does not hold the course's original of {path}. In a \
                 shallow clone, `git fetch --unshallow` brings it; or copy the file from the \
                 course's repository"
            )
        })?;
        let current = fs::read(course.root.join(path)).ok();
        if current.as_deref() != Some(original.as_slice()) {
            restores.push((path, original, current));
        }
    }
    if restores.is_empty() {
        println!("Nothing to reset: {src} already holds the course's stubs for {handle}.");
        return Ok(true);
    }

    let backup_dir = new_backup_dir(&course.root)?;
    for (path, _, current) in &restores {
        if let Some(current) = current {
            let backup = backup_dir.join(path);
            fs::create_dir_all(backup.parent().context("a file has a folder")?)
                .with_context(|| format!("creating the backup folder for {path}"))?;
            fs::write(&backup, current)
                .with_context(|| format!("saving your version of {path}"))?;
        }
    }
    for (path, original, _) in &restores {
        fs::write(course.root.join(path), original).with_context(|| format!("restoring {path}"))?;
    }

    let shown_backup = course.relative(&backup_dir).display().to_string();
    let shown_backups = course
        .relative(backup_dir.parent().unwrap_or(&backup_dir))
        .display()
        .to_string();
    for exercise in course.exercises_of(selection) {
        state.forget_status(exercise);
    }
    state.save();

    println!(
        "{} {handle}: restored the course's stub of",
        style.bold("Reset")
    );
    for (path, _, _) in &restores {
        println!("  {path}");
    }
    println!("\nYour versions are saved in {shown_backup}/. To get one back:");
    let (first, _, _) = &restores[0];
    println!("  cp {shown_backup}/{first} {first}");
    println!("Every backup, oldest first: ls {shown_backups}/");
    Ok(true)
}

/// `.netlings/backups/<date and time>`, like `2026-11-30_13-45-12_UTC`,
/// made unique.
fn new_backup_dir(root: &Path) -> Result<PathBuf> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let stamp = utc_date_and_time(seconds);
    let base = root.join(".netlings").join("backups");
    for attempt in 0..100 {
        let name = if attempt == 0 {
            stamp.clone()
        } else {
            format!("{stamp}-{attempt}")
        };
        let dir = base.join(name);
        if !dir.exists() {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            return Ok(dir);
        }
    }
    bail!("could not find a free backup folder in {}", base.display())
}

/// Seconds since 1970 as a name that sorts by time and reads as one:
/// `2026-11-30_13-45-12_UTC`.
fn utc_date_and_time(seconds: u64) -> String {
    // Howard Hinnant's days-to-civil-date algorithm.
    let days = i64::try_from(seconds / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let second_of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}_{:02}-{:02}-{:02}_UTC",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_folders_are_named_by_date_and_time() {
        assert_eq!(utc_date_and_time(0), "1970-01-01_00-00-00_UTC");
        assert_eq!(utc_date_and_time(951_782_400), "2000-02-29_00-00-00_UTC");
        assert_eq!(utc_date_and_time(1_798_761_599), "2026-12-31_23-59-59_UTC");
    }
}
