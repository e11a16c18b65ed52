//! The course as a book (`cargo xtask book`), checked without mdBook: every
//! lesson of the manifests has a page, and every link, anchor and image of
//! the READMEs resolves, both as a code host shows them and in the book;
//! every diagram is well-formed SVG with a title and a background of its own.

use std::path::{Path, PathBuf};
use xtask::book;
use xtask::course::Course;

fn course() -> Course {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Course::load(&root.canonicalize().expect("the course root exists"))
        .expect("every lesson.toml parses")
}

#[test]
fn the_readmes_links_anchors_images_and_diagrams_resolve() {
    let problems = book::source_problems(&course()).expect("the course can be read");
    assert!(
        problems.is_empty(),
        "the READMEs, as a code host shows them, have broken links, anchors or images:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn every_lesson_has_a_chapter_and_an_exercises_page_in_the_book() {
    let course = course();
    let book = book::assemble(&course).expect("the book can be assembled");
    for lesson in &course.lessons {
        for page in ["README.md", "exercises.md"] {
            let path = PathBuf::from("lessons").join(&lesson.folder).join(page);
            assert!(
                book.pages.contains(&path),
                "{} has no page {} in the book",
                lesson.handle(),
                path.display()
            );
        }
        let exercises = String::from_utf8_lossy(
            &book.files[&PathBuf::from("lessons")
                .join(&lesson.folder)
                .join("exercises.md")],
        )
        .into_owned();
        for exercise in &lesson.exercises {
            let command = format!("cargo xtask check {}/{}", lesson.handle(), exercise.number);
            assert!(
                exercises.contains(&command),
                "the exercises page of {} does not show `{command}`",
                lesson.handle()
            );
        }
    }
}

#[test]
fn the_books_links_anchors_and_images_resolve() {
    let book = book::assemble(&course()).expect("the book can be assembled");
    let problems = book.problems();
    assert!(
        problems.is_empty(),
        "the book, as assembled for mdBook, has broken links, anchors or images:\n- {}",
        problems.join("\n- ")
    );
}
