//! Known-bad variants: the wrong answers learners plausibly write, kept
//! beside each reference solution in `solutions/NN-slug/known-bad/ID.toml`
//! (one file per exercise, named by its id), so that `verify` can prove the
//! tests reject them.
//!
//! A variant is the reference solution with one piece of text replaced. To
//! build it without touching the solution, `verify` swaps the edited file
//! into a copy of the whole course ([`variants_workspace`]).

use crate::build::BuildDir;
use crate::course::{Course, Lesson};
use crate::scratch;
use crate::toml_file;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Variant {
    /// Index of the exercise in its lesson.
    pub exercise: usize,
    pub id: String,
    pub mistake: String,
    /// The test (a function name in the exercise's test file) that must fail.
    pub caught_by: String,
    /// The solution file to edit, relative to the solution crate.
    pub file: PathBuf,
    pub find: String,
    pub replace: String,
    /// Where the variant is written down, relative to the course root.
    pub defined_in: PathBuf,
}

/// `known-bad/ID.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownBadFile {
    #[serde(default)]
    variant: Vec<VariantEntry>,
}

/// One `[[variant]]`. Every field says something, except `replace`: an
/// empty replacement deletes the text found, a mistake of omission (a
/// forgotten flush, a missing check).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantEntry {
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    id: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    mistake: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    caught_by: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    file: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    find: String,
    replace: String,
}

/// Every variant of a lesson, in exercise order.
pub fn load_variants(course: &Course, lesson: &Lesson) -> Result<Vec<Variant>> {
    let dir = course.solution_crate(lesson).join("known-bad");
    let mut variants = Vec::new();
    if !dir.is_dir() {
        return Ok(variants);
    }
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("listing {}", dir.display()))?;
    files.sort();
    for path in files {
        let shown = course.relative(&path).to_path_buf();
        if path.extension().is_none_or(|ext| ext != "toml") {
            bail!("{}: known-bad/ holds only ID.toml files", shown.display());
        }
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let exercise = lesson
            .exercises
            .iter()
            .position(|exercise| exercise.id == stem)
            .with_context(|| {
                format!(
                    "{}: no exercise of {} has the id {stem:?}",
                    shown.display(),
                    lesson.handle()
                )
            })?;
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", shown.display()))?;
        let file: KnownBadFile = toml_file::parse(&text, &shown.display().to_string(), "variant")?;
        if file.variant.is_empty() {
            bail!(
                "{}: write each variant as a [[variant]] table",
                shown.display()
            );
        }
        for entry in file.variant {
            variants.push(Variant {
                exercise,
                id: entry.id,
                mistake: entry.mistake,
                caught_by: entry.caught_by,
                file: PathBuf::from(entry.file),
                find: entry.find,
                replace: entry.replace,
                defined_in: shown.clone(),
            });
        }
    }
    Ok(variants)
}

impl Variant {
    /// The solution file with this variant's edit applied, or an error if
    /// the text to replace does not occur exactly once (the solution changed
    /// and the variant was not updated with it).
    pub fn apply(&self, solution_crate: &Path) -> Result<String> {
        let path = solution_crate.join(&self.file);
        let original = fs::read_to_string(&path).with_context(|| {
            format!(
                "known-bad variant {} ({}): reading {}",
                self.id,
                self.defined_in.display(),
                path.display()
            )
        })?;
        let found = original.matches(&self.find).count();
        if found != 1 {
            bail!(
                "known-bad variant {} ({}): its `find` text occurs {found} times in {}, not once; \
                 update the variant to match the solution",
                self.id,
                self.defined_in.display(),
                self.file.display()
            );
        }
        Ok(original.replacen(&self.find, &self.replace, 1))
    }
}

/// The copy of the course the variants are built in,
/// `target/netlings/verify/known-bad/course/`: the whole workspace, brought in
/// step with the course's files. Only a variant's file is swapped in (and
/// put back after), so cargo keeps its fingerprints of everything else and
/// rebuilds only the solution crate.
pub fn variants_workspace(course: &Course, build_dir: &BuildDir) -> Result<Course> {
    let root = build_dir.path.join("known-bad").join("course");
    scratch::sync(&root, &scratch::tree_files(&course.root)?)
        .with_context(|| format!("copying the course to {}", root.display()))?;
    Course::load(&root)
}
