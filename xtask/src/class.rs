//! `cargo xtask grade --students A B C ...`: a whole class in one command.
//!
//! Each student is graded as `grade` grades one (see `grade`), in one of a
//! few slots under the work folder, one slot per student graded at once.
//! A slot keeps its build from one student to the next, so the next student
//! rebuilds only the lessons whose files differ. Before the students, the
//! course as it is (the stubs) is built once in the first slot, and the
//! other slots start from a copy of that build: the course's dependencies
//! are compiled once for the whole class.
//!
//! Writes `class.csv` and `class.md` (a row per student, a column per
//! lesson, edits flagged) and `students/ID.json` (each student's report in
//! the JSON schema) into the `--out` folder, and prints the markdown table.

use crate::build::{BuildOutcome, BuildRequest, BuildTarget, Isolation, build_tests};
use crate::course::{Course, UsageError};
use crate::grade::{
    GradeArgs, GradeReport, GradeSetup, Pristine, Slot, grade, selected_lessons, work_dir,
};
use crate::grade_report::{self, Format};
use crate::scratch;
use crate::test_run::{Interrupted, RunOptions};
use anyhow::{Context, Result};
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A student's copy, and the name their row and report file go by (the
/// copy's folder name).
#[derive(Debug, Clone)]
pub struct Student {
    pub id: String,
    pub path: PathBuf,
}

/// One student's outcome: their report, or why they could not be graded.
pub struct Graded {
    pub student: Student,
    pub report: Result<GradeReport, String>,
    pub took: Duration,
}

pub fn grade_class(args: &GradeArgs) -> Result<bool> {
    let students = class_students(args)?;
    let out = args.out.clone().ok_or_else(|| {
        UsageError(
            "grading a class writes class.csv, class.md and students/ID.json into a folder: \
             pass --out DIR"
                .into(),
        )
    })?;
    let paths: Vec<&Path> = students
        .iter()
        .map(|student| student.path.as_path())
        .collect();
    let mut pristine = None;
    for student in &students {
        pristine = Some(crate::grade::pristine_source(
            args.course.as_deref(),
            args.lock.as_deref(),
            &student.path,
        )?);
    }
    let pristine = pristine.context("a class has at least one student")?;
    let work = work_dir(args.work.as_deref(), &pristine, &paths)?;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let jobs = args.jobs.unwrap_or(cores).clamp(1, students.len());
    let run = RunOptions {
        clean_environment: true,
        // The course's tests are written to pass with two copies of the
        // suite running at once; most of their time is spent waiting.
        parallel: cores.div_ceil(jobs).max(2),
        ..args.deadline.run_options(None)
    };
    let setup = GradeSetup {
        pristine: &pristine,
        lessons: &args.lessons,
        run: &run,
        isolation: Isolation::GradedQuietly,
    };

    let started = Instant::now();
    let mut slots = vec![Slot::acquire(&work, 0)?];
    if let Pristine::Checkout(course) = &pristine {
        eprintln!("grade: building the course once, for every student...");
        build_the_course(course, &slots[0], &args.lessons)?;
    }
    for index in 1..jobs {
        let slot = Slot::acquire(&work, index)?;
        seed_from(&slots[0], &slot)?;
        slots.push(slot);
    }
    eprintln!(
        "grade: {} students, {jobs} at a time (ready after {:.1} s)",
        students.len(),
        started.elapsed().as_secs_f64()
    );

    let queue = Mutex::new(
        students
            .iter()
            .cloned()
            .enumerate()
            .collect::<VecDeque<_>>(),
    );
    let results: Mutex<Vec<Option<Graded>>> =
        Mutex::new((0..students.len()).map(|_| None).collect());
    let reports = out.join("students");
    fs::create_dir_all(&reports).with_context(|| format!("creating {}", reports.display()))?;
    std::thread::scope(|scope| {
        for slot in &slots {
            let (queue, results, setup, reports) = (&queue, &results, &setup, &reports);
            scope.spawn(move || {
                loop {
                    // Taken in a statement of its own, so that the queue is
                    // not held while the student is graded.
                    let next = queue.lock().expect("the queue").pop_front();
                    let Some((index, student)) = next else {
                        break;
                    };
                    let (graded, interrupted) = grade_one(student, setup, slot, reports);
                    results.lock().expect("the results")[index] = Some(graded);
                    if interrupted {
                        queue.lock().expect("the queue").clear();
                    }
                }
            });
        }
    });
    let results: Vec<Graded> = results
        .into_inner()
        .expect("the results")
        .into_iter()
        .flatten()
        .collect();
    if results.len() < students.len() {
        return Err(Interrupted {
            stopped: students.len() - results.len(),
        }
        .into());
    }

    let lessons = lesson_columns(&results);
    let csv = class_csv(&results, &lessons);
    let markdown = class_markdown(&results, &lessons);
    for (name, text) in [("class.csv", &csv), ("class.md", &markdown)] {
        let path = out.join(name);
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    print!("{markdown}");
    let graded_after_first: Vec<f64> = results
        .iter()
        .skip(jobs)
        .map(|graded| graded.took.as_secs_f64())
        .collect();
    eprintln!(
        "grade: {} students in {:.1} s{}; class report in {}",
        results.len(),
        started.elapsed().as_secs_f64(),
        if graded_after_first.is_empty() {
            String::new()
        } else {
            format!(
                " ({:.1} s per student after the first {jobs})",
                graded_after_first.iter().sum::<f64>() / graded_after_first.len() as f64
            )
        },
        out.display()
    );
    let failed: Vec<String> = results
        .iter()
        .filter_map(|graded| match &graded.report {
            Err(error) => Some(format!("{}: {error}", graded.student.id)),
            Ok(_) => None,
        })
        .collect();
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} students could not be graded (their rows say why):\n{}",
            failed.len(),
            results.len(),
            failed.join("\n")
        );
    }
    Ok(results
        .iter()
        .all(|graded| graded.report.as_ref().is_ok_and(GradeReport::all_passed)))
}

/// Grades one student in `slot` and writes their JSON report; says too
/// whether Ctrl-C stopped it.
fn grade_one(student: Student, setup: &GradeSetup, slot: &Slot, reports: &Path) -> (Graded, bool) {
    let started = Instant::now();
    let report = grade(&student.path, setup, slot).and_then(|report| {
        let path = reports.join(format!("{}.json", student.id));
        fs::write(&path, grade_report::render(&report, Format::Json))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(report)
    });
    let took = started.elapsed();
    match &report {
        Ok(report) => eprintln!(
            "grade: {} {}/{} points ({:.1} s)",
            student.id,
            report.points(),
            report.max_points(),
            took.as_secs_f64()
        ),
        Err(error) => eprintln!("grade: {} could not be graded: {error:#}", student.id),
    }
    let interrupted = report
        .as_ref()
        .is_err_and(|error| error.is::<Interrupted>());
    let graded = Graded {
        student,
        report: report.map_err(|error| format!("{error:#}")),
        took,
    };
    (graded, interrupted)
}

/// The students named by `--students` and `--students-from`, each a
/// folder that exists, with names that tell them apart.
fn class_students(args: &GradeArgs) -> Result<Vec<Student>> {
    let mut paths = args.students.clone();
    if let Some(list) = &args.students_from {
        let text = fs::read_to_string(list)
            .with_context(|| format!("reading the list of students {}", list.display()))?;
        let base = list.parent().unwrap_or(Path::new("."));
        paths.extend(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(|line| base.join(line)),
        );
    }
    if paths.is_empty() {
        return Err(UsageError("the list of students is empty".into()).into());
    }
    let mut students: Vec<Student> = Vec::new();
    for path in paths {
        let path = path.canonicalize().map_err(|_| {
            UsageError(format!(
                "{}: no such folder (a student's copy, cloned already)",
                path.display()
            ))
        })?;
        let id = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "student".into());
        if let Some(twin) = students.iter().find(|student| student.id == id) {
            return Err(UsageError(format!(
                "two students' copies have the same folder name {id:?} ({} and {}): the class \
                 report names students by folder, so give each copy its own",
                twin.path.display(),
                path.display()
            ))
            .into());
        }
        students.push(Student { id, path });
    }
    Ok(students)
}

/// Builds the course as it is (the stubs) in `slot`, lesson by lesson, so
/// that every student's build starts from its dependencies compiled.
fn build_the_course(course: &Path, slot: &Slot, lessons: &[String]) -> Result<()> {
    let workspace = slot.workspace();
    scratch::sync(&workspace, &scratch::tree_files(course)?)?;
    let course = Course::load(&workspace)?;
    let graded = selected_lessons(&course, lessons)?;
    for lesson in &course.lessons {
        if !graded.contains(&lesson.handle()) {
            continue;
        }
        let package = lesson.package();
        let outcome = build_tests(&BuildRequest {
            workspace_root: &workspace,
            build_dir: &slot.target,
            target: BuildTarget::Package(&package),
            test_targets: &[],
            offline: false,
            color: false,
            warnings_from: None,
            isolation: Isolation::GradedQuietly,
        })?;
        if let BuildOutcome::CompileErrors(errors) = outcome {
            anyhow::bail!("the course's own {package} does not compile:\n{errors}");
        }
    }
    Ok(())
}

/// Starts `slot` from a copy of `from`'s build, unless it has one of its
/// own: the files keep their modification times, which cargo compares.
/// Incremental compilation data is left out (the students' own crates are
/// rebuilt anyway).
fn seed_from(from: &Slot, slot: &Slot) -> Result<()> {
    let seeded = slot.target.path.join("debug");
    if seeded.exists() {
        return Ok(());
    }
    copy_build(&from.target.path, &slot.target.path)
}

fn copy_build(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry.with_context(|| format!("listing {}", from.display()))?;
        let name = entry.file_name();
        if name == "incremental" || name == ".lock" {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_build(&source, &target)?;
        } else if kind.is_file() {
            fs::copy(&source, &target).with_context(|| format!("copying {}", source.display()))?;
            let modified = entry.metadata()?.modified()?;
            fs::File::options()
                .write(true)
                .open(&target)
                .and_then(|file| file.set_modified(modified))
                .with_context(|| format!("dating {}", target.display()))?;
        }
    }
    Ok(())
}

/// The lessons graded, in order, with their points (from the first report
/// that has them).
fn lesson_columns(results: &[Graded]) -> Vec<(String, u32)> {
    let mut seen = BTreeSet::new();
    let mut columns = Vec::new();
    for report in results
        .iter()
        .filter_map(|graded| graded.report.as_ref().ok())
    {
        for lesson in &report.lessons {
            if seen.insert(lesson.handle.clone()) {
                let max = lesson
                    .exercises
                    .iter()
                    .map(|exercise| exercise.max_points)
                    .sum();
                columns.push((lesson.handle.clone(), max));
            }
        }
    }
    columns
}

fn lesson_points(report: &GradeReport, handle: &str) -> Option<u32> {
    report
        .lessons
        .iter()
        .find(|lesson| lesson.handle == handle)
        .map(|lesson| {
            lesson
                .exercises
                .iter()
                .map(|exercise| exercise.points())
                .sum()
        })
}

fn edit_list(report: &GradeReport) -> Vec<String> {
    report
        .edits
        .iter()
        .map(|edit| format!("{} {}", edit.change.as_str(), edit.path))
        .collect()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A row per student: their points per lesson, their edits (files outside
/// `exercises/*/src/` that differ from the course, which were not used) and
/// the number of lines flagged for a person to read.
pub fn class_csv(results: &[Graded], lessons: &[(String, u32)]) -> String {
    let mut out = String::from("student,points,max_points");
    for (handle, _) in lessons {
        let _ = write!(out, ",{handle}");
    }
    out.push_str(",edits,flags,error\n");
    for graded in results {
        let _ = write!(out, "{}", csv_field(&graded.student.id));
        match &graded.report {
            Ok(report) => {
                let _ = write!(out, ",{},{}", report.points(), report.max_points());
                for (handle, _) in lessons {
                    let points = lesson_points(report, handle).map(|points| points.to_string());
                    let _ = write!(out, ",{}", points.unwrap_or_default());
                }
                let _ = writeln!(
                    out,
                    ",{},{},",
                    csv_field(&edit_list(report).join("; ")),
                    report.flags.len()
                );
            }
            Err(error) => {
                let _ = writeln!(
                    out,
                    ",,{},,,{}",
                    ",".repeat(lessons.len()),
                    csv_field(error)
                );
            }
        }
    }
    out
}

pub fn class_markdown(results: &[Graded], lessons: &[(String, u32)]) -> String {
    let mut out = String::from("| student | points |");
    for (handle, max) in lessons {
        let _ = write!(out, " {handle} /{max} |");
    }
    out.push_str(" edits (not used) | flags |\n|---|---|");
    out.push_str(&"---|".repeat(lessons.len()));
    out.push_str("---|---|\n");
    for graded in results {
        let _ = write!(out, "| {} |", graded.student.id.replace('|', "\\|"));
        match &graded.report {
            Ok(report) => {
                let _ = write!(out, " {}/{} |", report.points(), report.max_points());
                for (handle, _) in lessons {
                    let points = lesson_points(report, handle).map(|points| points.to_string());
                    let _ = write!(out, " {} |", points.unwrap_or_else(|| "—".into()));
                }
                let edits = edit_list(report);
                let edits = if edits.is_empty() {
                    String::new()
                } else {
                    format!(
                        "⚠ {}",
                        edits
                            .iter()
                            .map(|edit| format!("`{edit}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let flags = match report.flags.len() {
                    0 => String::new(),
                    count => format!("⚠ {count}"),
                };
                let _ = writeln!(out, " {edits} | {flags} |");
            }
            Err(error) => {
                let first_line = error.lines().next().unwrap_or("").replace('|', "\\|");
                let _ = writeln!(
                    out,
                    " not graded: {first_line} |{} | |",
                    " |".repeat(lessons.len())
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{Change, Edit, ExerciseGrade, LessonGrade};

    fn graded(id: &str, report: Result<GradeReport, String>) -> Graded {
        Graded {
            student: Student {
                id: id.into(),
                path: PathBuf::from(id),
            },
            report,
            took: Duration::ZERO,
        }
    }

    fn report_with(edits: Vec<Edit>) -> GradeReport {
        GradeReport {
            lessons: vec![LessonGrade {
                handle: "lesson1".into(),
                title: "Socket basics".into(),
                compile_error: None,
                exercises: vec![ExerciseGrade {
                    label: "lesson1/1 endpoint".into(),
                    title: "Parse".into(),
                    max_points: 10,
                    tests: Vec::new(),
                }],
            }],
            edits,
            flags: Vec::new(),
        }
    }

    #[test]
    fn the_class_table_has_a_row_per_student_and_quotes_what_csv_needs() {
        let results = vec![
            graded(
                "alice",
                Ok(report_with(vec![
                    Edit {
                        path: ".cargo/config.toml".into(),
                        change: Change::Added,
                    },
                    Edit {
                        path: "a,b.rs".into(),
                        change: Change::Modified,
                    },
                ])),
            ),
            graded("bob", Err("no \"course\" here".into())),
        ];
        let lessons = lesson_columns(&results);
        assert_eq!(lessons, [("lesson1".to_owned(), 10)]);
        assert_eq!(
            class_csv(&results, &lessons),
            "student,points,max_points,lesson1,edits,flags,error\n\
             alice,0,10,0,\"added .cargo/config.toml; modified a,b.rs\",0,\n\
             bob,,,,,,\"no \"\"course\"\" here\"\n"
        );
        let markdown = class_markdown(&results, &lessons);
        let rows: Vec<&str> = markdown.lines().collect();
        assert_eq!(
            rows[0],
            "| student | points | lesson1 /10 | edits (not used) | flags |"
        );
        let cells = |row: &str| row.matches('|').count();
        assert!(
            rows.iter().all(|row| cells(row) == cells(rows[0])),
            "{markdown}"
        );
        assert!(
            rows[2].contains("⚠ `added .cargo/config.toml`"),
            "{markdown}"
        );
        assert!(
            rows[3].contains("not graded: no \"course\" here"),
            "{markdown}"
        );
    }
}
