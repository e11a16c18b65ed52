//! `cargo xtask grade`: grade a student's copy of the course, trusting none
//! of it but the files a learner is meant to edit.
//!
//! A student's copy can change its tests, the test helpers, the manifests
//! (which hold the points), the Cargo.toml files and the runner itself. So
//! grading starts from a pristine course tree (`--course PATH`, a checkout of
//! the course, as an instructor's CI has), copies in only `exercises/*/src/`
//! from the student, builds that in a target directory of its own, runs every
//! lesson's tests, scores them with the pristine manifests, and reports every
//! other file of the student's copy that differs from the course.

use crate::build::{BuildDir, BuildTarget, Isolation};
use crate::class;
use crate::course::{Course, Lesson, Selection, UsageError, test_functions};
use crate::flags::{Flag, flags_in};
use crate::grade_report::{self, Format};
use crate::lesson_run::{LessonResults, LessonRunRequest, run_lesson};
use crate::release;
use crate::scratch;
use crate::test_run::{DeadlineArg, RunOptions, Verdict};
use anyhow::{Context, Result, bail};
use clap::builder::EnumValueParser;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug)]
pub struct GradeArgs {
    pub course: Option<PathBuf>,
    pub lock: Option<PathBuf>,
    pub student: Option<PathBuf>,
    /// A class: many students' copies at once (`--students`, and the
    /// copies listed in `--students-from`).
    pub students: Vec<PathBuf>,
    pub students_from: Option<PathBuf>,
    /// Only these lessons (handles as typed); every lesson when empty.
    pub lessons: Vec<String>,
    pub work: Option<PathBuf>,
    pub jobs: Option<usize>,
    pub format: Format,
    pub out: Option<PathBuf>,
    pub deadline: DeadlineArg,
}

impl GradeArgs {
    pub fn command() -> Command {
        let path = |name: &'static str, value_name: &'static str, help: &'static str| {
            Arg::new(name)
                .long(name)
                .value_name(value_name)
                .value_parser(value_parser!(PathBuf))
                .help(help)
        };
        Command::new("grade")
            .about("For instructors: grade a student's copy (or a class) against a pristine checkout of the course")
            .arg(path(
                "course",
                "PATH",
                "A pristine checkout of the course: its tests, manifests and points are used",
            ))
            .arg(
                path(
                    "lock",
                    "FILE",
                    "The course's course.lock: take the course's files from the student's git history",
                )
                .conflicts_with("course"),
            )
            .arg(path(
                "student",
                "PATH",
                "The student's copy (default: the checkout around the current folder)",
            ))
            .arg(
                path(
                    "students",
                    "PATH",
                    "Grade a class: each student's copy (a class report goes to --out DIR)",
                )
                .num_args(1..)
                .action(ArgAction::Append)
                .conflicts_with("student"),
            )
            .arg(
                path(
                    "students-from",
                    "FILE",
                    "Grade a class: a file listing the students' copies, one folder a line \
                     (relative to the file; # starts a comment)",
                )
                .conflicts_with("student"),
            )
            .arg(
                Arg::new("lesson")
                    .long("lesson")
                    .value_name("LESSON")
                    .action(ArgAction::Append)
                    .help("Grade only this lesson (repeat for more; default: every lesson)"),
            )
            .arg(path(
                "work",
                "DIR",
                "Where the graded builds live, outside every student's copy (default: the \
                 course's target/netlings/grade, or ~/.cache/netlings/grade with --lock)",
            ))
            .arg(
                Arg::new("jobs")
                    .long("jobs")
                    .value_name("N")
                    .value_parser(value_parser!(u64).range(1..))
                    .help("Grade a class N students at a time (default: the number of cores)"),
            )
            .arg(
                Arg::new("format")
                    .long("format")
                    .value_name("FORMAT")
                    .value_parser(EnumValueParser::<Format>::new())
                    .default_value("human")
                    .help("human, json, junit, classroom (GitHub Classroom) or markdown"),
            )
            .arg(path(
                "out",
                "FILE",
                "Write the report to FILE instead of standard output (a class: the folder \
                 for class.csv, class.md and students/ID.json)",
            ))
            .arg(DeadlineArg::arg())
    }

    pub fn from_matches(matches: &ArgMatches) -> GradeArgs {
        let path = |name: &str| matches.get_one::<PathBuf>(name).cloned();
        GradeArgs {
            course: path("course"),
            lock: path("lock"),
            student: path("student"),
            students: matches
                .get_many::<PathBuf>("students")
                .map(|paths| paths.cloned().collect())
                .unwrap_or_default(),
            students_from: path("students-from"),
            lessons: matches
                .get_many::<String>("lesson")
                .map(|handles| handles.cloned().collect())
                .unwrap_or_default(),
            work: path("work"),
            jobs: matches
                .get_one::<u64>("jobs")
                .map(|jobs| usize::try_from(*jobs).unwrap_or(usize::MAX)),
            format: matches
                .get_one::<Format>("format")
                .copied()
                .unwrap_or(Format::Human),
            out: path("out"),
            deadline: DeadlineArg::from_matches(matches),
        }
    }

    fn is_class(&self) -> bool {
        !self.students.is_empty() || self.students_from.is_some()
    }
}

/// `cargo xtask grade`: grades the student's copy (or a class) and writes
/// the report where asked. Never reads the student's manifests or runs
/// their runner, and builds outside their tree.
pub fn grade_command(args: &GradeArgs) -> Result<bool> {
    if args.is_class() {
        return class::grade_class(args);
    }
    let student = match &args.student {
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("--student {}: no such folder", path.display()))?,
        None => Course::find_root()?,
    };
    let pristine = pristine_source(args.course.as_deref(), args.lock.as_deref(), &student)?;
    let work = work_dir(args.work.as_deref(), &pristine, &[student.as_path()])?;
    let slot = Slot::acquire(&work, 0)?;
    let run = RunOptions {
        clean_environment: true,
        ..args.deadline.run_options(None)
    };
    let setup = GradeSetup {
        pristine: &pristine,
        lessons: &args.lessons,
        run: &run,
        isolation: Isolation::Graded,
    };
    let report = grade(&student, &setup, &slot)?;
    let text = grade_report::render(&report, args.format);
    match &args.out {
        Some(path) => {
            fs::write(path, text)
                .with_context(|| format!("writing the report to {}", path.display()))?;
            eprintln!(
                "grade: {}/{} points; report written to {}",
                report.points(),
                report.max_points(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(report.all_passed())
}

/// What every student of one `grade` run is graded with.
pub struct GradeSetup<'a> {
    pub pristine: &'a Pristine,
    /// The lessons to grade, as typed; every lesson when empty.
    pub lessons: &'a [String],
    pub run: &'a RunOptions,
    pub isolation: Isolation,
}

/// One place to grade in, held by one runner at a time: the graded
/// workspace (`course/`: the course's files with a student's `src/`), its
/// target directory (`target/`) and, with `--lock`, the course as the
/// student's history holds it (`pristine/`). Grading the next student in
/// the same slot rebuilds only the crates whose files changed.
pub struct Slot {
    pub dir: PathBuf,
    pub target: BuildDir,
}

impl Slot {
    pub fn acquire(work: &Path, index: usize) -> Result<Slot> {
        let dir = work.join(format!("slot-{index}"));
        let target = BuildDir::acquire_at(dir.join("target"), "grade")?;
        Ok(Slot { dir, target })
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.join("course")
    }

    fn pristine(&self) -> PathBuf {
        self.dir.join("pristine")
    }
}

/// The folder the graded builds live in: `--work DIR`, else the course
/// checkout's `target/netlings/grade`, else (with `--lock`) a cache folder
/// in the home directory. Never inside a student's copy: cargo reads the
/// configuration of every folder above the one it runs in.
pub fn work_dir(work: Option<&Path>, pristine: &Pristine, students: &[&Path]) -> Result<PathBuf> {
    let chosen = match (work, pristine) {
        (Some(work), _) => work.to_path_buf(),
        (None, Pristine::Checkout(course)) => course.join("target").join("netlings").join("grade"),
        (None, Pristine::Lock(_)) => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
                .context(
                    "grade --lock needs a folder to build in: pass --work DIR (outside the \
                     student's copy)",
                )?;
            cache.join("netlings").join("grade")
        }
    };
    fs::create_dir_all(&chosen).with_context(|| {
        format!(
            "creating {} to build the graded course in",
            chosen.display()
        )
    })?;
    let chosen = chosen
        .canonicalize()
        .with_context(|| format!("reading {}", chosen.display()))?;
    for student in students {
        if chosen.starts_with(student) {
            bail!(
                "the graded build would live in {}, inside the student's copy {}, where the \
                 student's .cargo/config.toml and rust-toolchain.toml would apply to it. Pass \
                 --work DIR outside the student's copy (or check the course out beside it, not \
                 in it)",
                chosen.display(),
                student.display()
            );
        }
    }
    Ok(chosen)
}

#[derive(Debug)]
pub struct GradeReport {
    pub lessons: Vec<LessonGrade>,
    /// Files outside `exercises/*/src/` where the student's copy differs
    /// from the course. They were not used.
    pub edits: Vec<Edit>,
    /// Lines the student added to their files that an instructor should
    /// read (an `exit`, `unsafe`, ...): shown, never deducted.
    pub flags: Vec<Flag>,
}

#[derive(Debug)]
pub struct LessonGrade {
    pub handle: String,
    pub title: String,
    pub exercises: Vec<ExerciseGrade>,
    /// The compiler's errors, as cargo rendered them, when the lesson's code
    /// does not compile; its tests are then listed as `Error`, not run.
    pub compile_error: Option<String>,
}

#[derive(Debug)]
pub struct ExerciseGrade {
    /// `lesson1/2 resolve`.
    pub label: String,
    pub title: String,
    pub max_points: u32,
    pub tests: Vec<TestGrade>,
}

#[derive(Debug)]
pub struct TestGrade {
    pub name: String,
    pub status: TestStatus,
    pub duration: Duration,
    /// Why it did not pass; empty when it passed.
    pub message: String,
    /// The test's file as the repository has it,
    /// `exercises/01-socket-basics/tests/endpoint.rs`.
    pub file: String,
    /// The line of the test's `fn` in `file`, when the source declares it.
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Pass,
    Fail,
    Timeout,
    /// The lesson's code did not compile, so the test could not run.
    Error,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    pub change: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Modified,
    Added,
    Deleted,
}

impl ExerciseGrade {
    /// An exercise scores its points once every test passes, as in `check`.
    pub fn points(&self) -> u32 {
        let passed = !self.tests.is_empty()
            && self
                .tests
                .iter()
                .all(|test| test.status == TestStatus::Pass);
        if passed { self.max_points } else { 0 }
    }
}

impl GradeReport {
    pub fn points(&self) -> u32 {
        self.exercises().map(ExerciseGrade::points).sum()
    }

    pub fn max_points(&self) -> u32 {
        self.exercises().map(|exercise| exercise.max_points).sum()
    }

    pub fn exercises(&self) -> impl Iterator<Item = &ExerciseGrade> {
        self.lessons.iter().flat_map(|lesson| &lesson.exercises)
    }

    pub fn all_passed(&self) -> bool {
        self.points() == self.max_points()
    }
}

impl TestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Pass => "pass",
            TestStatus::Fail => "fail",
            TestStatus::Timeout => "timeout",
            TestStatus::Error => "error",
        }
    }
}

impl Edit {
    /// What the file is, when it is configuration a build could obey: it
    /// was not used (the graded build reads the course's configuration
    /// alone), and the report says so.
    pub fn ignored_configuration(&self) -> Option<&'static str> {
        let path = Path::new(&self.path);
        let name = path.file_name()?.to_str()?;
        let in_cargo_folder = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|folder| folder == ".cargo");
        match name {
            "config.toml" | "config" if in_cargo_folder => {
                Some("cargo configuration, not read by the graded build")
            }
            "rust-toolchain.toml" | "rust-toolchain" => {
                Some("toolchain file, not read by the graded build")
            }
            "build.rs" => Some("build script, not built or run by the graded build"),
            "Cargo.toml" | "Cargo.lock" => {
                Some("manifest, not read: the graded build used the course's")
            }
            _ => None,
        }
    }
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Modified => "modified",
            Change::Added => "added",
            Change::Deleted => "deleted",
        }
    }
}

/// Where the pristine course comes from.
pub enum Pristine {
    /// A checkout of the course (`--course PATH`).
    Checkout(PathBuf),
    /// The instructor's `course.lock` (`--lock FILE`): the course's files
    /// are taken from the student's git history by their blob ids, which
    /// are hashes of their content, so the student cannot substitute them.
    Lock(PathBuf),
}

/// Grades the student's copy at `student` against the pristine course, in
/// `slot`.
pub fn grade(student: &Path, setup: &GradeSetup, slot: &Slot) -> Result<GradeReport> {
    let course_dir = match setup.pristine {
        Pristine::Checkout(course) => course.clone(),
        Pristine::Lock(lock) => extract_release(lock, student, &slot.pristine())?,
    };
    let course_dir = course_dir.as_path();
    let pristine = Course::load(course_dir)
        .with_context(|| format!("reading the pristine course at {}", course_dir.display()))?;
    let graded_lessons = selected_lessons(&pristine, setup.lessons)?;
    let course_files = scratch::file_list(course_dir)?;
    let student_files = scratch::file_list(student)?;
    let is_learners = |file: &Path| {
        pristine
            .lessons
            .iter()
            .any(|lesson| file.starts_with(Path::new("exercises").join(&lesson.folder).join("src")))
    };
    let mut graded = scratch::tree_files(course_dir)?;
    let mut flags = Vec::new();
    for file in student_files.iter().filter(|file| is_learners(file)) {
        let path = student.join(file);
        let content = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let course_version = fs::read_to_string(course_dir.join(file)).ok();
        flags.extend(flags_in(
            &file.display().to_string(),
            &String::from_utf8_lossy(&content),
            course_version.as_deref(),
        ));
        graded.insert(file.clone(), content);
    }
    // Outside the student's tree, so that cargo, run there, reads the
    // course's configuration alone.
    let workspace = slot.workspace();
    scratch::sync(&workspace, &graded)?;
    let edits = differences(
        student,
        &student_files,
        course_dir,
        &course_files,
        &is_learners,
    )?;

    let course = Course::load(&workspace)?;
    let run = setup.run;
    let mut lessons = Vec::new();
    for lesson in course
        .lessons
        .iter()
        .filter(|lesson| graded_lessons.contains(&lesson.handle()))
    {
        let package = lesson.package();
        let results = run_lesson(&LessonRunRequest {
            isolation: setup.isolation,
            ..LessonRunRequest::new(
                &course,
                &slot.target,
                lesson,
                BuildTarget::Package(&package),
                run,
            )
        })?;
        lessons.push(LessonGrade {
            handle: lesson.handle(),
            title: lesson.title.clone(),
            exercises: exercise_grades(&course, lesson, &results, run)?,
            compile_error: match results {
                LessonResults::CompileErrors(errors) => Some(errors),
                LessonResults::Ran(_) => None,
            },
        });
    }
    Ok(GradeReport {
        lessons,
        edits,
        flags,
    })
}

/// The grades of a lesson's exercises. Each test is named with its file and
/// line, read from the course's own test file; when the lesson does not
/// compile, the same tests are listed, each as not run (an `error`), so a
/// report counts the same tests whether or not the student's code compiles.
fn exercise_grades(
    course: &Course,
    lesson: &Lesson,
    results: &LessonResults,
    run: &RunOptions,
) -> Result<Vec<ExerciseGrade>> {
    let mut grades = Vec::new();
    for (index, exercise) in lesson.exercises.iter().enumerate() {
        let test_file = course.exercise_crate(lesson).join(&exercise.test);
        let source = fs::read_to_string(&test_file)
            .with_context(|| format!("reading the course's tests in {}", test_file.display()))?;
        let functions = test_functions(&source);
        let file = exercise.test_path_in_repo(lesson);
        let line_of = |name: &str| {
            functions
                .iter()
                .find(|function| function.name == name)
                .map(|function| function.line)
        };
        let tests = match results {
            LessonResults::CompileErrors(_) => functions
                .iter()
                .map(|function| TestGrade {
                    name: function.name.clone(),
                    status: TestStatus::Error,
                    duration: Duration::ZERO,
                    message: format!("not run: the code of {} does not compile", lesson.handle()),
                    file: file.clone(),
                    line: Some(function.line),
                })
                .collect(),
            LessonResults::Ran(ran) => ran
                .exercises
                .iter()
                .filter(|result| result.exercise == index)
                .flat_map(|result| &result.outcomes)
                .map(|outcome| TestGrade {
                    name: outcome.case.name.clone(),
                    status: match outcome.verdict {
                        Verdict::Pass => TestStatus::Pass,
                        Verdict::Fail { .. } => TestStatus::Fail,
                        Verdict::Timeout => TestStatus::Timeout,
                    },
                    duration: outcome.duration,
                    message: match &outcome.verdict {
                        Verdict::Pass => String::new(),
                        Verdict::Fail { message, .. } => message.clone(),
                        Verdict::Timeout => {
                            format!("did not finish within {:?} and was stopped", run.deadline)
                        }
                    },
                    file: file.clone(),
                    line: line_of(&outcome.case.name),
                })
                .collect(),
        };
        grades.push(ExerciseGrade {
            label: lesson.exercise_label(exercise),
            title: exercise.title.clone(),
            max_points: exercise.points,
            tests,
        });
    }
    Ok(grades)
}

/// The handles of the lessons `wanted` names (every lesson when empty).
pub fn selected_lessons(course: &Course, wanted: &[String]) -> Result<BTreeSet<String>> {
    if wanted.is_empty() {
        return Ok(course.lessons.iter().map(Lesson::handle).collect());
    }
    wanted
        .iter()
        .map(|handle| match course.select(handle)? {
            Selection::Lesson(lesson) => Ok(course.lesson(lesson).handle()),
            Selection::Exercise(_) => Err(UsageError(format!(
                "--lesson {handle}: grade takes whole lessons, such as `--lesson lesson1`"
            ))
            .into()),
        })
        .collect()
}

/// The files, outside the learner's own, where the student's copy and the
/// course differ.
fn differences(
    student: &Path,
    student_files: &[PathBuf],
    course: &Path,
    course_files: &[PathBuf],
    is_learners: &dyn Fn(&Path) -> bool,
) -> Result<Vec<Edit>> {
    let theirs: BTreeSet<&PathBuf> = student_files
        .iter()
        .filter(|file| !is_learners(file))
        .collect();
    let ours: BTreeSet<&PathBuf> = course_files
        .iter()
        .filter(|file| !is_learners(file))
        .collect();
    let mut edits = Vec::new();
    for file in theirs.union(&ours) {
        let change = match (theirs.contains(file), ours.contains(file)) {
            (true, false) => Some(Change::Added),
            (false, true) => Some(Change::Deleted),
            _ => {
                let same = fs::read(student.join(file)).ok() == fs::read(course.join(file)).ok();
                (!same).then_some(Change::Modified)
            }
        };
        if let Some(change) = change {
            edits.push(Edit {
                path: file.to_string_lossy().replace('\\', "/"),
                change,
            });
        }
    }
    Ok(edits)
}

/// Writes the files `lock` records into `into`, from the student's git
/// objects.
fn extract_release(lock: &Path, student: &Path, into: &Path) -> Result<PathBuf> {
    let blobs = release::read_record(lock)?;
    if !student.join(".git").exists() {
        bail!(
            "--lock takes the course's files from the student's git history, but {} has no .git \
             (a download, or a Gradescope submission?). Grade it with --course PATH and a \
             checkout of the course",
            student.display()
        );
    }
    if into.exists() {
        fs::remove_dir_all(into).with_context(|| format!("clearing {}", into.display()))?;
    }
    let mut missing = Vec::new();
    for (path, blob) in &blobs {
        match release::blob_content(student, blob) {
            Ok(content) => {
                let target = into.join(path);
                fs::create_dir_all(target.parent().context("a file has a folder")?)
                    .with_context(|| format!("creating the folder of {path}"))?;
                fs::write(&target, content)
                    .with_context(|| format!("writing {}", target.display()))?;
            }
            Err(_) => missing.push(path.as_str()),
        }
    }
    if !missing.is_empty() {
        bail!(
            "the student's git history does not hold {} of the course's files (such as {}). A \
             shallow clone? Check out with full history (actions/checkout: fetch-depth: 0), or \
             grade with --course PATH and a checkout of the course",
            missing.len(),
            missing
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(into.to_path_buf())
}

/// Where the pristine course comes from: `--course PATH` (checked for
/// being a separate checkout) or `--lock FILE`.
pub fn pristine_source(
    course: Option<&Path>,
    lock: Option<&Path>,
    student: &Path,
) -> Result<Pristine> {
    if let Some(lock) = lock {
        let lock = lock
            .canonicalize()
            .with_context(|| format!("--lock {}: no such file", lock.display()))?;
        if lock
            == student
                .join(release::RECORD)
                .canonicalize()
                .unwrap_or_default()
        {
            bail!(
                "--lock {} is the student's own course.lock, which they can edit. Pass the \
                 course's course.lock, kept where students cannot change it",
                lock.display()
            );
        }
        return Ok(Pristine::Lock(lock));
    }
    let Some(course) = course else {
        bail!(
            "grade needs the pristine course to grade against: pass --course PATH, a checkout of \
             the course repository (not the student's copy), or --lock FILE, the course's \
             course.lock, to take the course's files from the student's git history. In CI, \
             check out the course next to the student's repository and run its runner: \
             `cargo run --manifest-path COURSE/xtask/Cargo.toml -- grade --course COURSE`"
        );
    };
    let course = course
        .canonicalize()
        .with_context(|| format!("--course {}: no such folder", course.display()))?;
    if !course.join("lessons").is_dir() || !course.join("xtask").is_dir() {
        bail!(
            "--course {}: not a netlings checkout (no lessons/ and xtask/ in it)",
            course.display()
        );
    }
    if course == student.canonicalize().unwrap_or_default() {
        bail!(
            "--course {} is the student's own copy; grading against it would trust the files the \
             student can edit. Point --course at a separate checkout of the course",
            course.display()
        );
    }
    Ok(Pristine::Checkout(course))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson that does not compile is graded on every test its pristine
    /// files declare, as many as a compiling copy runs, each with its file
    /// and line; the compiler's errors stay with the lesson.
    #[test]
    fn a_lesson_that_does_not_compile_lists_every_course_test_as_not_run() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the course root");
        let course = Course::load(root).expect("the course's manifests");
        let run = RunOptions {
            deadline: Duration::from_secs(10),
            parallel: 1,
            seed: None,
            clean_environment: false,
        };
        let errors = LessonResults::CompileErrors("error[E0308]: mismatched types".into());
        for lesson in &course.lessons {
            let grades = exercise_grades(&course, lesson, &errors, &run).expect("grades");
            for (exercise, grade) in lesson.exercises.iter().zip(&grades) {
                let test_file = course.exercise_crate(lesson).join(&exercise.test);
                let source = fs::read_to_string(&test_file).expect("the test file");
                assert_eq!(
                    grade.tests.len(),
                    source.matches("#[netlings_helpers::test]").count(),
                    "{}",
                    test_file.display()
                );
                assert!((3..=8).contains(&grade.tests.len()), "{}", grade.label);
                for test in &grade.tests {
                    assert_eq!(test.status, TestStatus::Error);
                    assert!(root.join(&test.file).is_file(), "{}", test.file);
                    let line = test.line.expect("a line") as usize;
                    assert!(
                        source
                            .lines()
                            .nth(line - 1)
                            .is_some_and(|text| text.contains(&format!("fn {}(", test.name))),
                        "{} is at {}:{line}",
                        test.name,
                        test.file
                    );
                    assert!(
                        !test.message.contains("E0308"),
                        "the errors are the lesson's, not repeated per test"
                    );
                }
            }
        }
    }

    fn ignored(path: &str) -> Option<&'static str> {
        Edit {
            path: path.into(),
            change: Change::Added,
        }
        .ignored_configuration()
    }

    #[test]
    fn files_a_build_could_obey_are_named_as_not_used() {
        for path in [
            ".cargo/config.toml",
            ".cargo/config",
            "exercises/01-socket-basics/.cargo/config.toml",
            "rust-toolchain.toml",
            "rust-toolchain",
            "exercises/01-socket-basics/build.rs",
            "exercises/01-socket-basics/Cargo.toml",
            "Cargo.lock",
        ] {
            assert!(
                ignored(path).is_some_and(|what| what.contains("not")),
                "{path}"
            );
        }
        for path in [
            "config.toml",
            "exercises/01-socket-basics/tests/resolve.rs",
            "lessons/01-socket-basics/lesson.toml",
        ] {
            assert_eq!(ignored(path), None, "{path}");
        }
    }
}
