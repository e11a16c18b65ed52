//! `course.lock`: the course as released, one git blob id per file.
//!
//! A learner's copy cannot be trusted to hold the course's own files (they
//! edit the stubs, and could edit anything else), but its git history
//! usually still holds their originals, even in a repository made from a
//! template, whose history is new but whose files are the same blobs. So
//! `cargo xtask release` records the blob id of every file of the course,
//! and `reset` restores a stub with `git cat-file blob ID`. `verify` keeps the
//! record in step with the tree.

use crate::course::Course;
use crate::toml_file;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub const RECORD: &str = "course.lock";

/// File path (relative, with `/`) → git blob id.
pub type Blobs = BTreeMap<String, String>;

/// `course.lock` as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseLock {
    files: Blobs,
}

/// Writes `course.lock` for the files as they are now; returns how many.
pub fn release(root: &Path) -> Result<usize> {
    let lock = CourseLock {
        files: current_blobs(root)?,
    };
    let count = lock.files.len();
    let table = toml::to_string(&lock).context("writing the record as TOML")?;
    let text = format!(
        "# The course as released: the git blob id of every file. Written by\n\
         # `cargo xtask release`; `cargo xtask reset` restores stubs from it.\n\
         # Do not edit: run `cargo xtask release` after changing the course.\n{table}"
    );
    fs::write(root.join(RECORD), text).with_context(|| format!("writing {RECORD}"))?;
    Ok(count)
}

/// The recorded blobs of the checkout at `root`, or an error that says
/// what to do.
pub fn recorded_blobs(root: &Path) -> Result<Blobs> {
    read_record(&root.join(RECORD)).with_context(|| {
        format!("reading {RECORD}, the record of the course's original files (restore it with `git checkout -- {RECORD}`)")
    })
}

/// The blobs a `course.lock` file records.
pub fn read_record(path: &Path) -> Result<Blobs> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lock: CourseLock = toml_file::parse(&text, RECORD, "files")?;
    Ok(lock.files)
}

/// The blob id of every file in git's index (what the next commit holds),
/// `course.lock` itself excluded. Stage new and changed files (`git add`)
/// before `cargo xtask release`.
pub fn current_blobs(root: &Path) -> Result<Blobs> {
    let listed = git(root, &["ls-files", "--stage", "-z"], None)
        .context("listing the course's files with git (the record needs a git checkout)")?;
    let mut blobs = Blobs::new();
    for entry in String::from_utf8_lossy(&listed)
        .split('\0')
        .filter(|entry| !entry.is_empty())
    {
        // "<mode> <blob> <stage>\t<path>"
        let (fields, path) = entry
            .split_once('\t')
            .with_context(|| format!("reading git ls-files: {entry:?}"))?;
        let blob = fields
            .split(' ')
            .nth(1)
            .with_context(|| format!("reading git ls-files: {entry:?}"))?;
        if path != RECORD {
            blobs.insert(path.to_owned(), blob.to_owned());
        }
    }
    Ok(blobs)
}

/// The content of a blob from the repository's object store.
pub fn blob_content(root: &Path, blob: &str) -> Result<Vec<u8>> {
    git(root, &["cat-file", "blob", blob], None)
}

/// The contents of many blobs, in order, from one `git cat-file --batch`;
/// `None` for a blob the object store does not hold.
pub fn blob_contents(root: &Path, blobs: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
    let input: String = blobs.iter().map(|blob| format!("{blob}\n")).collect();
    let output = git(root, &["cat-file", "--batch"], Some(input.as_bytes()))?;
    let mut rest = output.as_slice();
    let mut contents = Vec::with_capacity(blobs.len());
    for blob in blobs {
        // "<blob> blob <size>\n<content>\n", or "<blob> missing\n".
        let end = rest
            .iter()
            .position(|byte| *byte == b'\n')
            .with_context(|| format!("reading git cat-file's answer for {blob}"))?;
        let header = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 1..];
        let size = match header.split(' ').collect::<Vec<_>>()[..] {
            [_, "blob", size] => size
                .parse::<usize>()
                .with_context(|| format!("reading git cat-file's header {header:?}"))?,
            _ => {
                contents.push(None);
                continue;
            }
        };
        let content = rest
            .get(..size)
            .with_context(|| format!("git cat-file's answer for {blob} is cut short"))?;
        contents.push(Some(content.to_vec()));
        rest = rest.get(size + 1..).unwrap_or_default();
    }
    Ok(contents)
}

/// Runs git in `root`. `input` is written whole before the output is read,
/// so it must fit in a pipe (64 KiB): about 1,500 blob ids.
fn git(root: &Path, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut child = Command::new("git")
        .arg("-c")
        .arg(format!("safe.directory={}", root.display()))
        .args(args)
        .current_dir(root)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running git (is it installed?)")?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(input).context("writing to git")?;
    }
    let output = child.wait_with_output().context("waiting for git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// What `verify` reports when the record and the tree disagree.
pub fn staleness(course: &Course) -> Result<Option<String>> {
    let recorded = match recorded_blobs(&course.root) {
        Ok(recorded) => recorded,
        Err(error) => return Ok(Some(format!("{error:#}: run `cargo xtask release`"))),
    };
    let current = current_blobs(&course.root)?;
    let changed: Vec<&String> = current
        .iter()
        .filter(|(path, blob)| recorded.get(*path) != Some(*blob))
        .map(|(path, _)| path)
        .chain(recorded.keys().filter(|path| !current.contains_key(*path)))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    let shown: Vec<&str> = changed.iter().take(5).map(|path| path.as_str()).collect();
    Ok(Some(format!(
        "{RECORD} is out of date ({} file(s) differ, such as {}): run `cargo xtask release` and commit it",
        changed.len(),
        shown.join(", ")
    )))
}
