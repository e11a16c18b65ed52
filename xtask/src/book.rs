//! `cargo xtask book`: the course as an mdBook site. The lesson READMEs
//! stay the single source; this assembles a book from them under
//! `target/netlings/book/` (a SUMMARY made from the lesson manifests, the
//! root README's learner part as the first page, each chapter with a page
//! of its exercises), runs `mdbook` on it, and checks every link, anchor
//! and image of the result. mdBook is a separate program, installed with
//! `cargo install` the first time it is needed, so that it never slows the
//! runner's own build.

mod links;
mod markdown;
mod svg;

use crate::build::BuildDir;
use crate::course::{Course, Lesson, UsageError};
use crate::style::Style;
use anyhow::{Context, Result, bail};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

/// The mdBook the book is made with; `book.toml` below is written for 0.5.
pub const MDBOOK_VERSION: &str = "0.5.4";
const MDBOOK_SERIES: &str = "v0.5.";

/// The line of the root README after which it stops being the book's first
/// page: what comes after it is for instructors and maintainers.
pub const FIRST_PAGE_ENDS: &str = "<!-- book: the first page ends here -->";

const DEFAULT_PORT: u16 = 3000;

const BOOK_TOML: &str = r#"# Written by `cargo xtask book`; edits here are lost at the next run.
[book]
title = "netlings"
description = "Learn network socket programming in Rust by making failing tests pass."
language = "en"
src = "src"

[build]
build-dir = "html"
create-missing = false
# The default preprocessors would turn README.md into index.md and break
# the links the chapters make to each other's README.md.
use-default-preprocessors = false

[output.html]
no-section-label = true
default-theme = "light"
preferred-dark-theme = "navy"

[output.html.search]
enable = true

# The course's code talks to sockets and uses crates: the Rust playground
# cannot run it.
[output.html.playground]
runnable = false

[output.html.print]
enable = true
"#;

#[derive(Debug)]
pub struct BookArgs {
    pub serve: bool,
    pub port: u16,
}

impl BookArgs {
    pub fn command() -> Command {
        Command::new("book")
            .about("Build the lessons into a book to read in a browser (with mdBook, installed if missing)")
            .arg(
                Arg::new("serve")
                    .long("serve")
                    .action(ArgAction::SetTrue)
                    .help("Serve the book on 127.0.0.1 and print its address"),
            )
            .arg(
                Arg::new("port")
                    .long("port")
                    .value_name("PORT")
                    .value_parser(value_parser!(u16).range(1..))
                    .help(format!("The port to serve on, with --serve (default {DEFAULT_PORT})")),
            )
    }

    pub fn from_matches(matches: &ArgMatches) -> BookArgs {
        BookArgs {
            serve: matches.get_flag("serve"),
            port: matches
                .get_one::<u16>("port")
                .copied()
                .unwrap_or(DEFAULT_PORT),
        }
    }
}

/// The book's sources as assembled: file paths relative to the book's
/// `src/`, which mirror the course's own paths, so that every relative link
/// of a README works unchanged.
#[derive(Debug)]
pub struct Book {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// The Markdown pages, in reading order, `SUMMARY.md` first.
    pub pages: Vec<PathBuf>,
}

pub fn book(course: &Course, args: &BookArgs, style: Style) -> Result<bool> {
    let book = assemble(course)?;
    let mut problems = book.problems();
    let mdbook = find_or_install_mdbook()?;
    let build_dir = BuildDir::acquire(&course.root, "book")?;
    write_sources(&book, &build_dir.path)?;
    let status = Process::new(&mdbook)
        .arg("build")
        .arg(&build_dir.path)
        .status()
        .with_context(|| format!("running {} build", mdbook.display()))?;
    if !status.success() {
        bail!("mdbook build failed ({status}); its messages are above");
    }
    let site = build_dir.path.join("html");
    problems.extend(links::html_problems(&site)?);
    let index = site.join("index.html");
    println!(
        "{} the book: {}",
        style.green("✓"),
        course.relative(&index).display()
    );
    if !problems.is_empty() {
        println!(
            "{} the book has {} broken link(s) or image(s):",
            style.red("✗"),
            problems.len()
        );
        for problem in &problems {
            println!("  - {problem}");
        }
    }
    if !args.serve {
        return Ok(problems.is_empty());
    }
    // Another `cargo xtask book` may rewrite the sources while this one
    // serves them; mdbook then rebuilds and the browser reloads.
    drop(build_dir);
    let book_dir = BuildDir::acquire(&course.root, "book")?.path;
    println!(
        "serving the book on http://127.0.0.1:{}/ (Ctrl-C stops; after editing a lesson, run \
         `cargo xtask book` in another terminal and the page reloads)",
        args.port
    );
    let status = Process::new(&mdbook)
        .arg("serve")
        .arg(&book_dir)
        .args(["--hostname", "127.0.0.1", "--port", &args.port.to_string()])
        .status()
        .with_context(|| format!("running {} serve", mdbook.display()))?;
    Ok(status.success())
}

/// The book's sources, made from the course: nothing is written.
pub fn assemble(course: &Course) -> Result<Book> {
    let mut files = BTreeMap::new();
    let mut pages = vec![PathBuf::from("SUMMARY.md")];
    let readme_path = course.root.join("README.md");
    let readme = fs::read_to_string(&readme_path)
        .with_context(|| format!("reading {}", readme_path.display()))?;
    let Some((first_page, _)) = readme.split_once(FIRST_PAGE_ENDS) else {
        bail!(
            "README.md has no line `{FIRST_PAGE_ENDS}`; the book's first page is the README up to it"
        );
    };
    add_page(
        course,
        &mut files,
        &mut pages,
        "README.md".into(),
        first_page.trim_end().to_owned(),
    );
    let mut summary = String::from("# Summary\n\n[Start here](README.md)\n\n# Lessons\n\n");
    for lesson in &course.lessons {
        let chapter_path = course.chapter(lesson);
        let chapter = fs::read_to_string(&chapter_path).with_context(|| {
            format!(
                "reading {}, the text of {}",
                course.relative(&chapter_path).display(),
                lesson.handle()
            )
        })?;
        let folder = PathBuf::from("lessons").join(&lesson.folder);
        let chapter =
            with_exercises_pointer(&rewrite_exercise_links(course, lesson, &chapter), lesson);
        add_page(
            course,
            &mut files,
            &mut pages,
            folder.join("README.md"),
            chapter,
        );
        add_page(
            course,
            &mut files,
            &mut pages,
            folder.join("exercises.md"),
            exercises_page(course, lesson)?,
        );
        summary.push_str(&format!(
            "- [Lesson {}: {}](lessons/{}/README.md)\n  - [Exercises](lessons/{}/exercises.md)\n",
            lesson.number, lesson.title, lesson.folder, lesson.folder
        ));
    }
    files.insert(PathBuf::from("SUMMARY.md"), summary.into_bytes());
    Ok(Book { files, pages })
}

/// Adds a page, and every image it shows, copied from the same place in
/// the course.
fn add_page(
    course: &Course,
    files: &mut BTreeMap<PathBuf, Vec<u8>>,
    pages: &mut Vec<PathBuf>,
    path: PathBuf,
    text: String,
) {
    let page_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    for reference in markdown::references(&text) {
        if reference.image_alt.is_none() || links::is_external(&reference.target) {
            continue;
        }
        let Some(image) = links::normalised(&page_dir.join(&reference.target)) else {
            continue;
        };
        if let Ok(bytes) = fs::read(course.root.join(&image)) {
            files.insert(image, bytes);
        }
    }
    files.insert(path.clone(), text.into_bytes());
    pages.push(path);
}

/// A chapter's links into its exercise crate (`../../exercises/01-.../src/x.rs`)
/// lead, in the book, to the exercises page, which shows those files.
fn rewrite_exercise_links(course: &Course, lesson: &Lesson, chapter: &str) -> String {
    let chapter_dir = PathBuf::from("lessons").join(&lesson.folder);
    let mut text = chapter.to_owned();
    for reference in markdown::references(chapter) {
        if links::is_external(&reference.target) {
            continue;
        }
        let path = reference.target.split('#').next().unwrap_or("");
        let Some(resolved) = links::normalised(&chapter_dir.join(path)) else {
            continue;
        };
        let Ok(inside) = resolved.strip_prefix("exercises") else {
            continue;
        };
        let Some(target_lesson) = course
            .lessons
            .iter()
            .find(|other| inside.starts_with(&other.folder))
        else {
            continue;
        };
        let within_crate = inside.strip_prefix(&target_lesson.folder).unwrap_or(inside);
        let anchor = target_lesson
            .exercises
            .iter()
            .find(|exercise| within_crate == exercise.file || within_crate == exercise.test)
            .map(|exercise| format!("#{}", markdown::slug(&exercise_heading(exercise))))
            .unwrap_or_default();
        let page = if target_lesson.folder == lesson.folder {
            "exercises.md".to_owned()
        } else {
            format!("../{}/exercises.md", target_lesson.folder)
        };
        text = text.replace(
            &format!("]({})", reference.target),
            &format!("]({page}{anchor})"),
        );
    }
    text
}

/// The chapter with a pointer to its exercises page at the start of its
/// exercises section (or at its end, if it has none).
fn with_exercises_pointer(chapter: &str, lesson: &Lesson) -> String {
    let pointer = format!(
        "\n> **In the book:** [every exercise of this lesson](exercises.md), with the file to edit \
         and its task. Check them all with `cargo xtask check {}`.\n",
        lesson.handle()
    );
    let mut out = String::with_capacity(chapter.len() + pointer.len());
    let mut inserted = false;
    let prose: std::collections::BTreeSet<usize> = markdown::prose_lines(chapter)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    for (index, line) in chapter.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        let is_exercises_heading = prose.contains(&(index + 1))
            && line.starts_with("## ")
            && markdown::atx_heading(line).is_some_and(|heading| {
                heading
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
                    .eq_ignore_ascii_case("exercises")
            });
        if is_exercises_heading && !inserted {
            out.push_str(&pointer);
            inserted = true;
        }
    }
    if !inserted {
        out.push_str(&pointer);
    }
    out
}

fn exercise_heading(exercise: &crate::course::Exercise) -> String {
    format!("{}. {}", exercise.number, exercise.title)
}

/// The page that lists a lesson's exercises, from its manifest, with each
/// exercise's file as the learner's checkout holds it.
fn exercises_page(course: &Course, lesson: &Lesson) -> Result<String> {
    let handle = lesson.handle();
    let crate_dir = format!("exercises/{}", lesson.folder);
    let mut page = format!(
        "# Lesson {}: the exercises\n\n\
         The exercises of [lesson {}, {}](README.md) are in your checkout, in the crate \
         `{}` at `{crate_dir}/`. Each one names the file to edit; its doc comments state the \
         task. Check your work with\n\n\
         ```console\n$ cargo xtask check {handle}\n```\n\n\
         which runs the tests of every exercise of the lesson and shows the first failure in \
         full. `cargo xtask check {handle}/2` checks the second exercise only, and \
         `cargo xtask hint {handle}/2` gives a hint for it, one more each time. The tests in \
         `{crate_dir}/tests/` decide; they are the course's, not yours to edit.\n\n\
         | | exercise | file to edit | points |\n|---|---|---|---|\n",
        lesson.number,
        lesson.number,
        lesson.title,
        lesson.package(),
    );
    for exercise in &lesson.exercises {
        page.push_str(&format!(
            "| {} | [{}](#{}) | `{}` | {} |\n",
            exercise.number,
            exercise.title,
            markdown::slug(&exercise_heading(exercise)),
            exercise.file.display(),
            exercise.points
        ));
    }
    for exercise in &lesson.exercises {
        let file_path = course.exercise_crate(lesson).join(&exercise.file);
        let source = fs::read_to_string(&file_path)
            .with_context(|| format!("reading {}", course.relative(&file_path).display()))?;
        let fence = "`".repeat(longest_backtick_run(&source).max(2) + 1);
        let functions = exercise
            .functions
            .iter()
            .map(|function| format!("`{function}`"))
            .collect::<Vec<_>>()
            .join(", ");
        page.push_str(&format!(
            "\n## {heading}\n\n\
             - **Edit** `{crate_dir}/{file}`: {functions}\n\
             - **Tests** `{crate_dir}/{test}`\n\
             - **Check** `cargo xtask check {handle}/{number}` (or `{handle}/{id}`); \
             **hint** `cargo xtask hint {handle}/{number}`\n\
             - **Points** {points}\n\n\
             <details>\n<summary>The file, as your checkout held it when the book was built</summary>\n\n\
             {fence}rust\n{source}{newline}{fence}\n\n</details>\n",
            heading = exercise_heading(exercise),
            file = exercise.file.display(),
            test = exercise.test.display(),
            number = exercise.number,
            id = exercise.id,
            points = exercise.points,
            newline = if source.ends_with('\n') { "" } else { "\n" },
        ));
    }
    Ok(page)
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

impl Book {
    /// Every way the book falls short: a lesson of the manifests without a
    /// page in the SUMMARY, a link, anchor or image that does not resolve
    /// inside the book, a drawing that breaks the rules of [`svg`].
    pub fn problems(&self) -> Vec<String> {
        let summary = self
            .files
            .get(Path::new("SUMMARY.md"))
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .unwrap_or_default();
        let summary_targets: Vec<String> = markdown::references(&summary)
            .into_iter()
            .map(|reference| reference.target)
            .collect();
        let mut problems = Vec::new();
        for page in self.pages.iter().skip(1) {
            let listed = summary_targets
                .iter()
                .any(|target| Path::new(target) == page.as_path());
            if !listed {
                problems.push(format!(
                    "{}: the book's SUMMARY does not list it",
                    page.display()
                ));
            }
        }
        problems.extend(links::problems(&self.files, &self.pages));
        problems
    }
}

/// Every broken link, anchor or image in the root README and the lesson
/// READMEs as they are in the checkout (as a code host shows them), every
/// drawing in a lesson's `img/` that breaks the rules of [`svg`], and every
/// drawing no chapter shows.
pub fn source_problems(course: &Course) -> Result<Vec<String>> {
    let mut pages = vec![PathBuf::from("README.md")];
    for lesson in &course.lessons {
        pages.push(
            PathBuf::from("lessons")
                .join(&lesson.folder)
                .join("README.md"),
        );
    }
    let disk = links::Disk(&course.root);
    let mut problems = links::problems(&disk, &pages);
    for lesson in &course.lessons {
        let chapter = fs::read_to_string(course.chapter(lesson)).unwrap_or_default();
        let shown: Vec<String> = markdown::references(&chapter)
            .into_iter()
            .filter(|reference| reference.image_alt.is_some())
            .map(|reference| reference.target)
            .collect();
        let img_dir = course.lessons_dir(lesson).join("img");
        let Ok(entries) = fs::read_dir(&img_dir) else {
            continue;
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("listing {}", img_dir.display()))?
                .path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let shown_as = format!("img/{name}");
            let relative = course.relative(&path).display().to_string();
            if !shown.contains(&shown_as) {
                problems.push(format!(
                    "{relative}: no paragraph of the chapter shows it (`![what it shows]({shown_as})`)"
                ));
            }
            if path.extension().is_some_and(|e| e == "svg") {
                let text =
                    fs::read_to_string(&path).with_context(|| format!("reading {relative}"))?;
                for problem in svg::problems(&text) {
                    let problem = format!("{relative}: {problem}");
                    // A drawing a chapter shows was checked with the links already.
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
        }
    }
    Ok(problems)
}

/// Writes the book's sources and `book.toml` into `dir`, touching only the
/// files that changed (a running `mdbook serve` then rebuilds once) and
/// removing those the book no longer has.
fn write_sources(book: &Book, dir: &Path) -> Result<()> {
    let src = dir.join("src");
    write_if_changed(&dir.join("book.toml"), BOOK_TOML.as_bytes())?;
    for (path, bytes) in &book.files {
        write_if_changed(&src.join(path), bytes)?;
    }
    remove_stale(&src, &src, book)
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn remove_stale(src: &Path, dir: &Path, book: &Book) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        let relative = path.strip_prefix(src).unwrap_or(&path);
        if path.is_dir() {
            remove_stale(src, &path, book)?;
        } else if !book.files.contains_key(relative) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// The `mdbook` to run: the one on PATH if it is of the series the book is
/// written for, else one installed now with `cargo install`.
fn find_or_install_mdbook() -> Result<PathBuf> {
    let candidates = mdbook_candidates();
    for candidate in &candidates {
        match mdbook_version(candidate) {
            Some(version) if version.starts_with(MDBOOK_SERIES) => return Ok(candidate.clone()),
            Some(version) => {
                return Err(UsageError(format!(
                    "found {} ({version}), but the book is written for mdBook {MDBOOK_VERSION}. \
                     Install that one with `cargo install mdbook --locked --version \
                     {MDBOOK_VERSION}` (it replaces the one you have), then run `cargo xtask book` \
                     again.",
                    candidate.display()
                ))
                .into());
            }
            None => {}
        }
    }
    eprintln!(
        "mdBook, which turns the lessons into a book, is not installed. Installing it now with\n  \
         cargo install mdbook --locked --version {MDBOOK_VERSION}\n\
         This happens once; it downloads and compiles about 190 crates (a few minutes on two \
         cores) and needs the network."
    );
    let status = Process::new(crate::build::cargo())
        .args(["install", "mdbook", "--locked", "--version", MDBOOK_VERSION])
        .status()
        .context("running cargo install mdbook")?;
    if !status.success() {
        bail!(
            "`cargo install mdbook --locked --version {MDBOOK_VERSION}` failed ({status}); its \
             messages are above. Without network access, install mdBook another way and put it \
             on PATH."
        );
    }
    candidates
        .into_iter()
        .find(|candidate| mdbook_version(candidate).is_some())
        .context("mdbook was installed, but neither PATH nor cargo's bin folder has it")
}

fn mdbook_candidates() -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::from("mdbook")];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(cargo_home) = cargo_home {
        candidates.push(cargo_home.join("bin").join("mdbook"));
    }
    candidates
}

/// `mdbook --version` → `v0.5.4`, or `None` when it does not run.
fn mdbook_version(mdbook: &Path) -> Option<String> {
    let output = Process::new(mdbook).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson() -> Lesson {
        Lesson {
            number: 2,
            folder: "02-listen".into(),
            slug: "listen".into(),
            title: "Listen".into(),
            summary: "s".into(),
            exercises: Vec::new(),
        }
    }

    #[test]
    fn the_exercises_pointer_goes_under_the_exercises_heading() {
        let chapter = "# Lesson 2\n\n```text\n## 9. Exercises\n```\n## 9. Exercises\n\nThe list.\n";
        let with_pointer = with_exercises_pointer(chapter, &lesson());
        let (before, after) = with_pointer
            .split_once("> **In the book:**")
            .expect("the pointer is there");
        assert!(
            before.ends_with("```\n## 9. Exercises\n\n"),
            "{with_pointer}"
        );
        assert!(after.contains("`cargo xtask check lesson2`"));
        assert!(after.contains("The list."));
    }

    #[test]
    fn a_chapter_without_an_exercises_heading_gets_the_pointer_at_its_end() {
        let with_pointer = with_exercises_pointer("# Lesson 2\n\nText.\n", &lesson());
        assert!(with_pointer.starts_with("# Lesson 2\n\nText.\n"));
        assert!(with_pointer.contains("[every exercise of this lesson](exercises.md)"));
    }

    #[test]
    fn links_into_the_exercise_crate_lead_to_the_exercises_page() {
        let mut lesson = lesson();
        lesson.exercises.push(crate::course::Exercise {
            number: 1,
            id: "log".into(),
            title: "An accept log".into(),
            file: PathBuf::from("src/log.rs"),
            functions: vec!["log".into()],
            test: PathBuf::from("tests/log.rs"),
            points: 10,
            hints: Vec::new(),
        });
        let course = Course {
            root: PathBuf::from("/nowhere"),
            lessons: vec![lesson],
        };
        let chapter = "[the file](../../exercises/02-listen/src/log.rs), \
                       [its tests](../../exercises/02-listen/tests/log.rs), \
                       [the crate](../../exercises/02-listen/) and [a demo](src/bin/demo.rs)";
        let rewritten = rewrite_exercise_links(&course, &course.lessons[0], chapter);
        assert_eq!(
            rewritten,
            "[the file](exercises.md#1-an-accept-log), \
             [its tests](exercises.md#1-an-accept-log), \
             [the crate](exercises.md) and [a demo](src/bin/demo.rs)"
        );
    }

    #[test]
    fn a_code_fence_is_longer_than_any_backtick_run_in_the_code() {
        assert_eq!(longest_backtick_run("/// ```\n/// x\n/// ````"), 4);
        assert_eq!(longest_backtick_run("no ticks"), 0);
    }
}
