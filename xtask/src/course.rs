//! The course as the runner sees it: lessons, their manifests
//! (`lessons/NN-slug/lesson.toml`), their exercises, and the handles a user
//! types to name them (`lesson3`, `3`, `03`, `tcp-vs-udp`, `lesson3/2`,
//! `lesson3/framing`).

use crate::toml_file;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// The whole course, read from the workspace at `root`.
#[derive(Debug)]
pub struct Course {
    pub root: PathBuf,
    pub lessons: Vec<Lesson>,
}

#[derive(Debug)]
pub struct Lesson {
    pub number: u32,
    /// The folder name shared by `lessons/`, `exercises/` and `solutions/`, `01-socket-basics`.
    pub folder: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub exercises: Vec<Exercise>,
}

#[derive(Debug)]
pub struct Exercise {
    /// 1-based position in the lesson, as in `lesson1/2`.
    pub number: usize,
    pub id: String,
    pub title: String,
    /// The file the learner edits, relative to the exercise crate.
    pub file: PathBuf,
    pub functions: Vec<String>,
    /// The exercise's test file, relative to the exercise crate.
    pub test: PathBuf,
    pub points: u32,
    pub hints: Vec<String>,
}

/// A lesson of the course, by its place in the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonRef(usize);

/// An exercise, by its lesson and its place in that lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExerciseRef {
    lesson: LessonRef,
    index: usize,
}

/// A user's choice: one lesson, or one exercise of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Lesson(LessonRef),
    Exercise(ExerciseRef),
}

impl LessonRef {
    /// Its exercise at `index`, counted from 0.
    pub fn exercise(self, index: usize) -> ExerciseRef {
        ExerciseRef {
            lesson: self,
            index,
        }
    }
}

impl ExerciseRef {
    pub fn lesson(self) -> LessonRef {
        self.lesson
    }

    /// Its place among the lesson's exercises, counted from 0.
    pub fn index(self) -> usize {
        self.index
    }
}

impl Selection {
    pub fn lesson(self) -> LessonRef {
        match self {
            Selection::Lesson(lesson) => lesson,
            Selection::Exercise(exercise) => exercise.lesson,
        }
    }

    pub fn exercise(self) -> Option<ExerciseRef> {
        match self {
            Selection::Lesson(_) => None,
            Selection::Exercise(exercise) => Some(exercise),
        }
    }
}

/// A mistake in what the user typed (exit code 2), as opposed to a failure
/// of the course or of the learner's code.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl Course {
    /// Finds the workspace that contains the current directory and reads it.
    pub fn discover() -> Result<Course> {
        Course::load(&Course::find_root()?)
    }

    /// The root of the netlings checkout that contains the current
    /// directory, without reading any of it.
    pub fn find_root() -> Result<PathBuf> {
        let current = std::env::current_dir().context("reading the current directory")?;
        let root = current
            .ancestors()
            .find(|dir| dir.join("lessons").is_dir() && dir.join("xtask").is_dir())
            .with_context(|| {
                format!(
                    "{} is not inside a netlings checkout (no folder above it has lessons/ and xtask/)",
                    current.display()
                )
            })?;
        Ok(root.to_path_buf())
    }

    /// Reads every lesson under `root/lessons`, in order.
    pub fn load(root: &Path) -> Result<Course> {
        let lessons_dir = root.join("lessons");
        let mut lessons = Vec::new();
        for entry in fs::read_dir(&lessons_dir)
            .with_context(|| format!("listing {}", lessons_dir.display()))?
        {
            let entry = entry.with_context(|| format!("listing {}", lessons_dir.display()))?;
            let folder = entry.file_name().to_string_lossy().into_owned();
            let Some((number, slug)) = parse_lesson_folder(&folder) else {
                continue;
            };
            if !entry.path().join("lesson.toml").is_file() {
                bail!(
                    "lessons/{folder} has no lesson.toml, so the runner cannot tell its exercises. \
                     If it was deleted by accident, restore it: git checkout -- lessons/{folder}/lesson.toml"
                );
            }
            lessons.push(Lesson::load(root, number, &folder, slug)?);
        }
        lessons.sort_by_key(|lesson| lesson.number);
        if let Some(pair) = lessons
            .windows(2)
            .find(|pair| pair[0].number == pair[1].number)
        {
            bail!(
                "two lessons share the number {}: lessons/{} and lessons/{}",
                pair[0].number,
                pair[0].folder,
                pair[1].folder
            );
        }
        Ok(Course {
            root: root.to_path_buf(),
            lessons,
        })
    }

    /// Turns a handle a user typed into a lesson and maybe an exercise.
    pub fn select(&self, handle: &str) -> Result<Selection, UsageError> {
        let (lesson_part, exercise_part) = match handle.split_once('/') {
            Some((lesson, exercise)) => (lesson, Some(exercise)),
            None => (handle, None),
        };
        let lesson = self
            .lessons
            .iter()
            .position(|lesson| lesson.answers_to(lesson_part))
            .ok_or_else(|| {
                UsageError(format!(
                    "there is no lesson {lesson_part:?}. The lessons are:\n{}\nType one of these, \
                     like `cargo xtask check lesson1` or `cargo xtask check lesson1/2`.",
                    self.lesson_handles()
                ))
            })?;
        let lesson = LessonRef(lesson);
        match exercise_part {
            None => Ok(Selection::Lesson(lesson)),
            Some(wanted) => {
                let index = self.lesson(lesson).find_exercise(wanted)?;
                Ok(Selection::Exercise(lesson.exercise(index)))
            }
        }
    }

    pub fn lesson(&self, lesson: LessonRef) -> &Lesson {
        &self.lessons[lesson.0]
    }

    pub fn exercise(&self, exercise: ExerciseRef) -> &Exercise {
        &self.lesson(exercise.lesson).exercises[exercise.index]
    }

    pub fn lesson_refs(&self) -> impl Iterator<Item = LessonRef> + use<> {
        (0..self.lessons.len()).map(LessonRef)
    }

    pub fn next_lesson(&self, lesson: LessonRef) -> Option<LessonRef> {
        let next = lesson.0 + 1;
        (next < self.lessons.len()).then_some(LessonRef(next))
    }

    pub fn exercise_refs(&self, lesson: LessonRef) -> impl Iterator<Item = ExerciseRef> + use<> {
        (0..self.lesson(lesson).exercises.len()).map(move |index| lesson.exercise(index))
    }

    /// The exercises a selection covers: the one named, or all of its lesson.
    pub fn exercises_of(&self, selection: Selection) -> Vec<ExerciseRef> {
        match selection {
            Selection::Exercise(exercise) => vec![exercise],
            Selection::Lesson(lesson) => self.exercise_refs(lesson).collect(),
        }
    }

    /// The places in their lesson of the exercises a selection covers.
    pub fn exercise_indexes(&self, selection: Selection) -> Vec<usize> {
        self.exercises_of(selection)
            .into_iter()
            .map(ExerciseRef::index)
            .collect()
    }

    /// How a user types a selection: `lesson1` or `lesson1/2`.
    pub fn handle_of(&self, selection: Selection) -> String {
        let lesson = self.lesson(selection.lesson());
        match selection.exercise() {
            Some(exercise) => format!("{}/{}", lesson.handle(), self.exercise(exercise).number),
            None => lesson.handle(),
        }
    }

    fn lesson_handles(&self) -> String {
        self.lessons
            .iter()
            .map(|lesson| format!("  {:<10} {}", lesson.handle(), lesson.title))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn lessons_dir(&self, lesson: &Lesson) -> PathBuf {
        self.root.join("lessons").join(&lesson.folder)
    }

    /// The lesson's chapter, the text a learner reads before its exercises.
    pub fn chapter(&self, lesson: &Lesson) -> PathBuf {
        self.lessons_dir(lesson).join("README.md")
    }

    pub fn exercise_crate(&self, lesson: &Lesson) -> PathBuf {
        self.root.join("exercises").join(&lesson.folder)
    }

    pub fn solution_crate(&self, lesson: &Lesson) -> PathBuf {
        self.root.join("solutions").join(&lesson.folder)
    }

    /// A path inside the course, relative to its root, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// `01-socket-basics` → `(1, "socket-basics")`.
fn parse_lesson_folder(folder: &str) -> Option<(u32, &str)> {
    let (digits, slug) = folder.split_once('-')?;
    if digits.len() != 2 || slug.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, slug))
}

/// `lesson.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonManifest {
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    title: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    summary: String,
    #[serde(default)]
    exercise: Vec<ExerciseEntry>,
}

/// One `[[exercise]]` of `lesson.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseEntry {
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    id: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    title: String,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    file: String,
    #[serde(deserialize_with = "toml_file::non_empty_texts")]
    functions: Vec<String>,
    #[serde(deserialize_with = "toml_file::non_empty_text")]
    test: String,
    #[serde(deserialize_with = "toml_file::points")]
    points: u32,
    #[serde(deserialize_with = "toml_file::non_empty_texts")]
    hints: Vec<String>,
}

impl Lesson {
    fn load(root: &Path, number: u32, folder: &str, slug: &str) -> Result<Lesson> {
        let manifest_path = root.join("lessons").join(folder).join("lesson.toml");
        let shown = format!("lessons/{folder}/lesson.toml");
        let text =
            fs::read_to_string(&manifest_path).with_context(|| format!("reading {shown}"))?;
        let manifest: LessonManifest = toml_file::parse(&text, &shown, "exercise")?;
        if manifest.exercise.is_empty() {
            bail!("{shown} lists no exercises: add at least one [[exercise]]");
        }
        let mut exercises: Vec<Exercise> = Vec::new();
        for (index, entry) in manifest.exercise.into_iter().enumerate() {
            let number = index + 1;
            let test = PathBuf::from(entry.test);
            if test.parent() != Some(Path::new("tests"))
                || test.extension().is_none_or(|ext| ext != "rs")
            {
                bail!(
                    "{shown}, exercise {number}: `test` must name a file tests/NAME.rs, not {test:?}"
                );
            }
            if exercises.iter().any(|earlier| earlier.id == entry.id) {
                bail!("{shown}: two exercises have the id {:?}", entry.id);
            }
            exercises.push(Exercise {
                number,
                id: entry.id,
                title: entry.title,
                file: PathBuf::from(entry.file),
                functions: entry.functions,
                test,
                points: entry.points,
                hints: entry.hints,
            });
        }
        Ok(Lesson {
            number,
            folder: folder.to_owned(),
            slug: slug.to_owned(),
            title: manifest.title,
            summary: manifest.summary,
            exercises,
        })
    }

    /// The handle users type and read: `lesson1`.
    pub fn handle(&self) -> String {
        format!("lesson{}", self.number)
    }

    /// The learner's package, `lesson1`.
    pub fn package(&self) -> String {
        self.handle()
    }

    /// The reference package, `lesson1-solution`.
    pub fn solution_package(&self) -> String {
        format!("lesson{}-solution", self.number)
    }

    /// `lesson1/2 resolve`: how reports name an exercise.
    pub fn exercise_label(&self, exercise: &Exercise) -> String {
        format!("{}/{} {}", self.handle(), exercise.number, exercise.id)
    }

    /// The widths of the label and title columns in a table of this
    /// lesson's exercises, so that every row lines up.
    pub fn column_widths(&self) -> (usize, usize) {
        let label = self
            .exercises
            .iter()
            .map(|exercise| self.exercise_label(exercise).chars().count());
        let title = self
            .exercises
            .iter()
            .map(|exercise| exercise.title.chars().count());
        (label.max().unwrap_or(0), title.max().unwrap_or(0))
    }

    pub fn total_points(&self) -> u32 {
        self.exercises.iter().map(|exercise| exercise.points).sum()
    }

    fn answers_to(&self, handle: &str) -> bool {
        let handle = handle.trim().to_ascii_lowercase();
        let number = handle.strip_prefix("lesson").unwrap_or(&handle);
        number.parse::<u32>().is_ok_and(|n| n == self.number)
            || handle == self.slug
            || handle == self.folder
    }

    fn find_exercise(&self, wanted: &str) -> Result<usize, UsageError> {
        let by_number = wanted
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=self.exercises.len()).contains(n));
        by_number
            .map(|n| n - 1)
            .or_else(|| {
                self.exercises
                    .iter()
                    .position(|exercise| exercise.id == wanted)
            })
            .ok_or_else(|| {
                let valid = self
                    .exercises
                    .iter()
                    .map(|exercise| {
                        format!(
                            "  {}/{:<3} or {}/{:<14} {}",
                            self.handle(),
                            exercise.number,
                            self.handle(),
                            exercise.id,
                            exercise.title
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                UsageError(format!(
                    "lesson {} has no exercise {wanted:?}. Its exercises are:\n{valid}",
                    self.handle()
                ))
            })
    }
}

impl Exercise {
    /// The cargo test target that holds this exercise's tests: the test
    /// file's name without `.rs`.
    pub fn test_target(&self) -> String {
        self.test
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }

    /// The exercise's test file as the repository has it,
    /// `exercises/01-socket-basics/tests/endpoint.rs`, with `/` on every system.
    pub fn test_path_in_repo(&self, lesson: &Lesson) -> String {
        Path::new("exercises")
            .join(&lesson.folder)
            .join(&self.test)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

/// A test of the course, as its source declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFunction {
    pub name: String,
    /// 1-based line of its `fn`.
    pub line: u32,
}

/// The tests a test file declares, in file order: every `fn` that follows a
/// `#[netlings_helpers::test]` attribute (the only way the course marks a
/// test). Read from the source, so it works when the crate does not compile.
pub fn test_functions(source: &str) -> Vec<TestFunction> {
    let mut functions = Vec::new();
    let mut marked = false;
    for (index, line) in source.lines().enumerate() {
        let line = line.trim();
        if line == "#[netlings_helpers::test]" {
            marked = true;
            continue;
        }
        if !marked {
            continue;
        }
        let Some(rest) = line.strip_prefix("fn ") else {
            if !(line.is_empty() || line.starts_with("#[") || line.starts_with("//")) {
                marked = false;
            }
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|character| character.is_alphanumeric() || *character == '_')
            .collect();
        if !name.is_empty() {
            functions.push(TestFunction {
                name,
                line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            });
        }
        marked = false;
    }
    functions
}

/// A made-up course for unit tests: lessons built from a number, a slug
/// and exercise ids, each exercise titled with its id and given one hint.
#[cfg(test)]
pub(crate) mod fixture {
    use super::{Course, Exercise, Lesson};
    use std::path::PathBuf;

    pub(crate) fn lesson(number: u32, slug: &str, title: &str, ids: &[&str]) -> Lesson {
        Lesson {
            number,
            folder: format!("{number:02}-{slug}"),
            slug: slug.into(),
            title: title.into(),
            summary: String::new(),
            exercises: ids
                .iter()
                .enumerate()
                .map(|(index, &id)| Exercise {
                    number: index + 1,
                    id: id.into(),
                    title: id.into(),
                    file: PathBuf::from(format!("src/{id}.rs")),
                    functions: vec![id.into()],
                    test: PathBuf::from(format!("tests/{id}.rs")),
                    points: 10,
                    hints: vec!["a nudge".into()],
                })
                .collect(),
        }
    }

    pub(crate) fn course(lessons: Vec<Lesson>) -> Course {
        Course {
            root: PathBuf::from("/course"),
            lessons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::lesson;
    use super::*;

    fn course() -> Course {
        fixture::course(vec![
            lesson(
                1,
                "socket-basics",
                "Socket basics",
                &["endpoint", "resolve"],
            ),
            lesson(3, "tcp-vs-udp", "TCP vs UDP", &["framing"]),
        ])
    }

    #[test]
    fn a_lesson_answers_to_its_number_handle_and_slug() {
        let course = course();
        for handle in [
            "lesson3",
            "3",
            "03",
            "tcp-vs-udp",
            "03-tcp-vs-udp",
            "Lesson3",
        ] {
            assert_eq!(
                course.select(handle).unwrap(),
                Selection::Lesson(LessonRef(1)),
                "{handle}"
            );
        }
    }

    #[test]
    fn an_exercise_answers_to_its_number_and_id() {
        let course = course();
        let second = Selection::Exercise(LessonRef(0).exercise(1));
        assert_eq!(course.select("lesson1/2").unwrap(), second);
        assert_eq!(course.select("1/resolve").unwrap(), second);
    }

    #[test]
    fn unknown_handles_list_the_valid_ones() {
        let course = course();
        let error = course.select("lesson2").unwrap_err().0;
        assert!(error.contains("no lesson \"lesson2\""), "{error}");
        assert!(
            error.contains("lesson3") && error.contains("TCP vs UDP"),
            "{error}"
        );
        let error = course.select("lesson1/3").unwrap_err().0;
        assert!(
            error.contains("lesson1/2") && error.contains("resolve"),
            "{error}"
        );
        let error = course.select("lesson1/0").unwrap_err().0;
        assert!(error.contains("no exercise \"0\""), "{error}");
    }

    #[test]
    fn lesson_folders_give_number_and_slug() {
        assert_eq!(
            parse_lesson_folder("03-tcp-vs-udp"),
            Some((3, "tcp-vs-udp"))
        );
        assert_eq!(parse_lesson_folder("3-tcp"), None);
        assert_eq!(parse_lesson_folder("notes"), None);
    }

    #[test]
    fn test_functions_are_the_marked_fns_with_their_lines() {
        let source = "use x;\n\
                      \n\
                      #[netlings_helpers::test]\n\
                      fn parses_v4() {\n\
                      }\n\
                      \n\
                      fn helper() {}\n\
                      \n\
                      #[netlings_helpers::test]\n\
                      // a comment between\n\
                      fn parses_v6() {}\n\
                      #[netlings_helpers::test]\n\
                      const NOT_A_TEST: u8 = 1;\n\
                      fn not_marked() {}\n";
        assert_eq!(
            test_functions(source),
            vec![
                TestFunction {
                    name: "parses_v4".into(),
                    line: 4
                },
                TestFunction {
                    name: "parses_v6".into(),
                    line: 11
                },
            ]
        );
    }
}
