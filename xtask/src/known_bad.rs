//! Known-bad variants: the wrong answers learners plausibly write, kept
//! beside each reference solution in `solutions/NN-slug/known-bad/ID.toml`
//! (one file per exercise, named by its id), so that `verify` can prove the
//! tests reject them.
//!
//! A variant is the reference solution with one piece of text replaced. To
//! build it without touching the solution, the runner writes a throwaway
//! package under `target/netlings/verify/known-bad/NN-slug/`: the solution's `src/`
//! with the edit applied, and a manifest that is the solution's own with
//! every path made absolute, every `workspace = true` resolved, and the
//! workspace's profiles and lock file copied, so that cargo reuses every
//! dependency already built and recompiles only the lesson's crate.

use crate::build::BuildDir;
use crate::course::{Course, Lesson};
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

/// Writes the throwaway package for `variant` and returns its manifest path.
pub fn prepare_package(
    course: &Course,
    build_dir: &BuildDir,
    lesson: &Lesson,
    variant: &Variant,
) -> Result<PathBuf> {
    let solution_crate = course.solution_crate(lesson);
    let package_dir = build_dir.path.join("known-bad").join(&lesson.folder);
    let src = package_dir.join("src");
    if src.exists() {
        fs::remove_dir_all(&src).with_context(|| format!("clearing {}", src.display()))?;
    }
    // fs::copy gives each file a fresh modification time, so cargo sees the
    // change and never runs a stale build of an earlier variant.
    copy_dir(&solution_crate.join("src"), &src)?;
    let edited = variant.apply(&solution_crate)?;
    fs::write(package_dir.join(&variant.file), edited).with_context(|| {
        format!(
            "writing variant {} into {}",
            variant.id,
            package_dir.display()
        )
    })?;

    let manifest = standalone_manifest(course, &solution_crate)?;
    fs::write(package_dir.join("Cargo.toml"), manifest.to_string())
        .with_context(|| format!("writing {}", package_dir.join("Cargo.toml").display()))?;
    let lock = course.root.join("Cargo.lock");
    if lock.is_file() {
        fs::copy(&lock, package_dir.join("Cargo.lock")).context("copying Cargo.lock")?;
    }
    Ok(package_dir.join("Cargo.toml"))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry.with_context(|| format!("listing {}", from.display()))?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| {
                format!("copying {} to {}", entry.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}

/// The solution's manifest, made to stand alone outside the workspace.
fn standalone_manifest(course: &Course, solution_crate: &Path) -> Result<toml::Table> {
    let read = |path: &Path| -> Result<toml::Table> {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        text.parse()
            .with_context(|| format!("parsing {}", path.display()))
    };
    let root_manifest = read(&course.root.join("Cargo.toml"))?;
    let mut manifest = read(&solution_crate.join("Cargo.toml"))?;
    let workspace = root_manifest
        .get("workspace")
        .and_then(toml::Value::as_table);
    let inherited = |section: &str| -> Option<&toml::Table> { workspace?.get(section)?.as_table() };

    if let Some(package) = manifest
        .get_mut("package")
        .and_then(toml::Value::as_table_mut)
    {
        for (key, value) in package.iter_mut() {
            if is_inherited(value) {
                let from_workspace = inherited("package")
                    .and_then(|fields| fields.get(key.as_str()))
                    .with_context(|| format!("the workspace has no package.{key} to inherit"))?;
                *value = from_workspace.clone();
            }
        }
        let name = package
            .get("name")
            .and_then(toml::Value::as_str)
            .unwrap_or("lesson");
        let renamed = format!("{name}-known-bad");
        package.insert("name".into(), renamed.into());
    }

    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(dependencies) = manifest
            .get_mut(section)
            .and_then(toml::Value::as_table_mut)
        else {
            continue;
        };
        for (name, value) in dependencies.iter_mut() {
            *value = if is_inherited(value) {
                let base = inherited("dependencies")
                    .and_then(|dependencies| dependencies.get(name.as_str()))
                    .with_context(|| {
                        format!("the workspace has no dependency {name} to inherit")
                    })?;
                let mut resolved = dependency_table(base);
                make_path_absolute(&mut resolved, &course.root);
                merge_member_settings(&mut resolved, value);
                toml::Value::Table(resolved)
            } else {
                let mut own = dependency_table(value);
                make_path_absolute(&mut own, solution_crate);
                toml::Value::Table(own)
            };
        }
    }

    for targets in ["bin", "test", "example", "bench"] {
        let Some(entries) = manifest
            .get_mut(targets)
            .and_then(toml::Value::as_array_mut)
        else {
            continue;
        };
        for entry in entries.iter_mut().filter_map(toml::Value::as_table_mut) {
            // Targets inside the solution's src/ are built from the copy; the
            // others (the exercise's tests and programs) from where they are.
            let inside_src = entry
                .get("path")
                .and_then(toml::Value::as_str)
                .is_some_and(|path| Path::new(path).starts_with("src"));
            if !inside_src {
                make_path_absolute(entry, solution_crate);
            }
        }
    }

    if manifest.get("lints").is_some_and(is_inherited) {
        let lints = inherited("lints").cloned().unwrap_or_default();
        manifest.insert("lints".into(), toml::Value::Table(lints));
    }
    if let Some(profile) = root_manifest.get("profile") {
        manifest.insert("profile".into(), profile.clone());
    }
    // An empty [workspace] makes the package its own workspace, so cargo does
    // not look for the course's workspace above target/.
    manifest.insert("workspace".into(), toml::Value::Table(toml::Table::new()));
    Ok(manifest)
}

fn is_inherited(value: &toml::Value) -> bool {
    value
        .as_table()
        .and_then(|table| table.get("workspace"))
        .and_then(toml::Value::as_bool)
        == Some(true)
}

/// `"1.2"` → `{ version = "1.2" }`; a table stays a table.
fn dependency_table(value: &toml::Value) -> toml::Table {
    match value {
        toml::Value::String(version) => {
            let mut table = toml::Table::new();
            table.insert("version".into(), version.clone().into());
            table
        }
        toml::Value::Table(table) => table.clone(),
        _ => toml::Table::new(),
    }
}

/// What a member may add to an inherited dependency: features and `optional`.
fn merge_member_settings(resolved: &mut toml::Table, member: &toml::Value) {
    let Some(member) = member.as_table() else {
        return;
    };
    if let Some(extra) = member.get("features").and_then(toml::Value::as_array) {
        let features = resolved
            .entry("features")
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        if let Some(features) = features.as_array_mut() {
            features.extend(extra.iter().cloned());
        }
    }
    if let Some(optional) = member.get("optional") {
        resolved.insert("optional".into(), optional.clone());
    }
}

fn make_path_absolute(table: &mut toml::Table, base: &Path) {
    if let Some(toml::Value::String(path)) = table.get_mut("path") {
        let absolute = base.join(&*path);
        *path = absolute.to_string_lossy().into_owned();
    }
}
