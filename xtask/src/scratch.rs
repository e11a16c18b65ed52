//! Scratch copies of the course: a folder that holds exactly a given set of
//! the course's files, built with a target directory of its own. `grade`
//! builds the course with a student's files in one, `verify` builds each
//! known-bad variant in one, and the CLI tests run the runner in them.
//!
//! A file whose content is already in place is left alone, so that cargo's
//! fingerprints (which go by modification time) stay valid from one use of
//! the folder to the next, and a build there recompiles only what changed.

use crate::release;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A file of the course: its path relative to the course's root, and its
/// content.
pub type FileSet = BTreeMap<PathBuf, Vec<u8>>;

/// Makes `root` hold exactly `files`: writes those that are missing or
/// differ, and deletes every other file. (Builds in it use a target
/// directory elsewhere.)
pub fn sync(root: &Path, files: &FileSet) -> Result<()> {
    let mut present = Vec::new();
    if root.is_dir() {
        walk(root, Path::new(""), &[], &mut present)?;
    }
    for stale in present.iter().filter(|file| !files.contains_key(*file)) {
        let path = root.join(stale);
        fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    for (file, content) in files {
        write_if_changed(&root.join(file), content)?;
    }
    Ok(())
}

/// Writes `content` to `path` unless it holds it already; a write gives the
/// file a fresh modification time, which tells cargo it changed.
pub fn write_if_changed(path: &Path, content: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    let folder = path.parent().context("a file has a folder")?;
    fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

/// Every file of the course tree at `root`, with its content: what git
/// tracks (and what it would, untracked but not ignored) when `root` is the
/// top of its own checkout, else every file but build output, `.git` and the
/// runner's state.
pub fn tree_files(root: &Path) -> Result<FileSet> {
    let mut files = FileSet::new();
    for file in file_list(root)? {
        let path = root.join(&file);
        let content = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        files.insert(file, content);
    }
    Ok(files)
}

/// The course as released: each file `course.lock` (at `root`) records, read
/// from the git objects of the checkout at `root` (a file git cannot give,
/// in a download without history, is read from disk), and `course.lock`
/// itself. A learner's edits never reach it.
pub fn released_files(root: &Path) -> Result<FileSet> {
    let mut files = released_files_where(root, root, |_| true)?;
    let record = root.join(release::RECORD);
    let content = fs::read(&record).with_context(|| format!("reading {}", record.display()))?;
    files.insert(PathBuf::from(release::RECORD), content);
    Ok(files)
}

/// The files the `course.lock` of the course at `root` records that `wanted`
/// keeps, read from the git objects of the checkout at `git_checkout`, or
/// else from `root`.
pub fn released_files_where(
    root: &Path,
    git_checkout: &Path,
    wanted: impl Fn(&Path) -> bool,
) -> Result<FileSet> {
    let recorded: Vec<(PathBuf, String)> = release::recorded_blobs(root)?
        .into_iter()
        .map(|(path, blob)| (PathBuf::from(path), blob))
        .filter(|(path, _)| wanted(path))
        .collect();
    let blobs: Vec<&str> = recorded.iter().map(|(_, blob)| blob.as_str()).collect();
    let contents = release::blob_contents(git_checkout, &blobs).unwrap_or_default();
    let mut files = FileSet::new();
    for (index, (path, _)) in recorded.into_iter().enumerate() {
        let content = match contents.get(index).cloned().flatten() {
            Some(content) => content,
            None => fs::read(root.join(&path))
                .with_context(|| format!("reading {} of the course", path.display()))?,
        };
        files.insert(path, content);
    }
    Ok(files)
}

/// Runs `work` with the file at `path` holding `content`, then puts the
/// file's own content back, whatever `work` returned.
pub fn with_file_replaced<T>(path: &Path, content: &[u8], work: impl FnOnce() -> T) -> Result<T> {
    let original = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    fs::write(path, content).with_context(|| format!("writing {}", path.display()))?;
    let result = work();
    fs::write(path, original).with_context(|| format!("restoring {}", path.display()))?;
    Ok(result)
}

/// The files of the tree at `root`, relative to it (see [`tree_files`]).
pub fn file_list(root: &Path) -> Result<Vec<PathBuf>> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-c")
            .arg(format!("safe.directory={}", root.display()))
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|output| output.status.success())
    };
    // Only when `root` is the top of its own git checkout: a copy of the
    // course inside another checkout (under its target/, say) is not tracked.
    let own_checkout = git(&["rev-parse", "--show-toplevel"]).is_some_and(|output| {
        let top = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Path::new(&top).canonicalize().ok() == root.canonicalize().ok()
    });
    let tracked = if own_checkout {
        git(&[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
    } else {
        None
    };
    let mut files = match tracked {
        Some(output) => output
            .stdout
            .split(|byte| *byte == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            .filter(|file| root.join(file).is_file())
            .collect(),
        None => {
            let mut files = Vec::new();
            walk(
                root,
                Path::new(""),
                &[".git", "target", ".netlings"],
                &mut files,
            )?;
            files
        }
    };
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(root: &Path, relative: &Path, skipped: &[&str], files: &mut Vec<PathBuf>) -> Result<()> {
    let dir = root.join(relative);
    for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name();
        if skipped.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let path = relative.join(&name);
        if entry.file_type()?.is_dir() {
            walk(root, &path, skipped, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("netlings-scratch-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn modified(path: &Path) -> SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn sync_writes_what_changed_keeps_what_did_not_and_removes_the_rest() {
        let root = scratch_dir("sync");
        let mut files = FileSet::new();
        files.insert("Cargo.toml".into(), b"[workspace]\n".to_vec());
        files.insert("src/lib.rs".into(), b"pub fn a() {}\n".to_vec());
        files.insert("src/old.rs".into(), b"\n".to_vec());
        sync(&root, &files).unwrap();
        write_if_changed(&root.join("left/over.rs"), b"from an earlier use").unwrap();
        let before = modified(&root.join("Cargo.toml"));

        files.remove(Path::new("src/old.rs"));
        files.insert("src/lib.rs".into(), b"pub fn b() {}\n".to_vec());
        sync(&root, &files).unwrap();

        assert_eq!(modified(&root.join("Cargo.toml")), before);
        assert_eq!(
            fs::read(root.join("src/lib.rs")).unwrap(),
            b"pub fn b() {}\n"
        );
        assert!(!root.join("src/old.rs").exists());
        assert!(!root.join("left/over.rs").exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_replaced_file_is_restored_after_the_work() {
        let root = scratch_dir("replace");
        let file = root.join("src/lib.rs");
        write_if_changed(&file, b"original").unwrap();
        let seen = with_file_replaced(&file, b"variant", || fs::read(&file).unwrap()).unwrap();
        assert_eq!(seen, b"variant");
        assert_eq!(fs::read(&file).unwrap(), b"original");
        fs::remove_dir_all(&root).unwrap();
    }
}
