//! Nothing to import: this crate only holds the course-wide tests in `tests/`.
