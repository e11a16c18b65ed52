//! `cargo xtask reset LESSON[/EX]`: put the course's stub back, after
//! saving the learner's version where they can get it back.

use crate::app_state::AppState;
use crate::release::{RECORD, blob_content, recorded_blobs};
use crate::style::Style;
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn reset(state: &mut AppState, handle: &str, style: Style) -> Result<bool> {
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
    Ok(true)
}

/// `.netlings/backups/<seconds since 1970>`, made unique.
fn new_backup_dir(root: &Path) -> Result<PathBuf> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let base = root.join(".netlings").join("backups");
    for attempt in 0..100 {
        let name = if attempt == 0 {
            seconds.to_string()
        } else {
            format!("{seconds}-{attempt}")
        };
        let dir = base.join(name);
        if !dir.exists() {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            return Ok(dir);
        }
    }
    bail!("could not find a free backup folder in {}", base.display())
}
