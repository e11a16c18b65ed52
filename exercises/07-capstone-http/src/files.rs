//! Exercise 5: static files from a root directory, and nothing outside it.
//!
//! The target of `GET /docs/intro.html` names a file under the server's
//! root. The danger is a target that names a file *outside* it:
//! `/../../etc/passwd`, the same with the dots percent-encoded
//! (`/%2e%2e/%2e%2e/etc/passwd`), with the slash encoded
//! (`/..%2f..%2fetc/passwd`), or a symbolic link inside the root that points
//! out of it. Path traversal is one of the oldest web server bugs, and it is
//! still found every year, usually because a check ran before the decoding
//! that changed what it checked.
//!
//! So the order is: take the path out of the target, decode each segment,
//! refuse the segments that could climb, and at the end ask the file system
//! where the path really leads (`canonicalize`), which also sees symlinks.
//!
//! Useful: `std::fs::{canonicalize, read}`, `std::ffi::OsStr` with
//! `std::os::unix::ffi::OsStrExt` (`OsStr::from_bytes`: a path from raw
//! bytes), `u8::from_str_radix(hex, 16)`.

use crate::http::{HttpError, Request, Response};
use std::path::{Path, PathBuf};

/// The methods a file server knows but does not allow on files; the answer
/// to them is 405 with `Allow: GET, HEAD`. Any other method is unknown: 501.
pub const OTHER_KNOWN_METHODS: [&str; 7] = [
    "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
];

/// Finds the file that `target` names under `root`.
///
/// 1. The target must start with `/` (origin form); the query (`?...`) is
///    cut off.
/// 2. The path is split on `/`, and each segment is percent-decoded (`%20`
///    is a space, `%2e` a dot; the two hex digits in either case).
/// 3. Empty segments and `.` are skipped. A segment that is `..` once
///    decoded, or that decodes to something holding `/` or a NUL byte, is
///    refused before the file system is asked anything.
/// 4. The segments are joined under `root`, and the result is canonicalized
///    (`fs::canonicalize`: symlinks followed, the real path). It must lie
///    under the canonical `root`: a symlink may point elsewhere inside the
///    root, never out of it.
/// 5. A directory means its `index.html` (checked the same way).
///
/// # Errors
///
/// - 400 for a target that does not start with `/`, a bad `%` escape, or a
///   segment that is `..` or hides a `/` or NUL once decoded;
/// - 403 for a path that leads out of the root through a symlink;
/// - 404 when nothing is there (`canonicalize` fails with `NotFound`), and
///   for a directory without an `index.html`;
/// - 500 for any other error of the file system.
pub fn resolve_target(root: &Path, target: &str) -> Result<PathBuf, HttpError> {
    todo!(
        "cut the query, decode each segment, refuse .. and hidden / or NUL with 400, join under the root, canonicalize and check it is still under the canonical root (403), 404 for nothing there"
    )
}

/// The `Content-Type` for a file, by its extension, compared without regard
/// to case: `html`/`htm` `text/html; charset=utf-8`, `css` `text/css`, `js`
/// `text/javascript`, `json` `application/json`, `txt` `text/plain;
/// charset=utf-8`, `png` `image/png`, `jpg`/`jpeg` `image/jpeg`, `svg`
/// `image/svg+xml`, and `application/octet-stream` (bytes, no meaning
/// claimed) for anything else or no extension.
pub fn content_type(path: &Path) -> &'static str {
    todo!("look at the extension, in lower case, and name its type as the list says")
}

/// The response to `request` from the files under `root`.
///
/// `GET` and `HEAD`: 200 with the file's bytes and its [`content_type`], or
/// the refusal of [`resolve_target`] (`Response::refusal`). A method of
/// [`OTHER_KNOWN_METHODS`]: 405 Method Not Allowed with an `Allow: GET,
/// HEAD` field, so the client learns what would work. Any other method:
/// 501 Not Implemented.
pub fn respond(root: &Path, request: &Request) -> Response {
    todo!(
        "405 with Allow for the other known methods, 501 for unknown ones, and for GET and HEAD the file's bytes with its content type, or the refusal"
    )
}
