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

use crate::http::{HttpError, Request, Response};
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
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
    let Some(path) = target.strip_prefix('/') else {
        return Err(HttpError::new(
            400,
            format!("the target {target:?} does not start with /"),
        ));
    };
    let path = path.split_once('?').map_or(path, |(path, _query)| path);
    let mut joined = root.to_path_buf();
    for raw in path.split('/') {
        let segment = percent_decode(raw)?;
        if segment.contains(&b'/') || segment.contains(&0) {
            return Err(HttpError::new(
                400,
                format!("the segment {raw:?} hides a / or a NUL byte"),
            ));
        }
        match segment.as_slice() {
            b"" | b"." => continue,
            b".." => {
                return Err(HttpError::new(
                    400,
                    format!("the target {target:?} climbs out with .."),
                ));
            }
            _ => joined.push(OsStr::from_bytes(&segment)),
        }
    }
    let root = fs::canonicalize(root).map_err(|error| file_error(target, &error))?;
    let mut found = inside(&root, &joined, target)?;
    if found.is_dir() {
        found = inside(&root, &found.join("index.html"), target)?;
    }
    Ok(found)
}

/// Where `path` (asked for as `target`) really leads, if that is under
/// `root` (canonical already).
fn inside(root: &Path, path: &Path, target: &str) -> Result<PathBuf, HttpError> {
    let real = fs::canonicalize(path).map_err(|error| file_error(target, &error))?;
    // starts_with compares whole components: /srv/www-secret does not
    // start with /srv/www.
    if !real.starts_with(root) {
        return Err(HttpError::new(
            403,
            format!("{target} leads out of the root"),
        ));
    }
    Ok(real)
}

/// The refusal for a file error on the way to `target`. It names the target
/// the client sent, never the server's own paths.
fn file_error(target: &str, error: &io::Error) -> HttpError {
    match error.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => {
            HttpError::new(404, format!("nothing is at {target}"))
        }
        io::ErrorKind::PermissionDenied => HttpError::new(403, format!("{target} may not be read")),
        _ => HttpError::new(500, format!("{target}: {error}")),
    }
}

/// `%XX` escapes into bytes; anything else as it is.
fn percent_decode(text: &str) -> Result<Vec<u8>, HttpError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| HttpError::new(400, format!("a bad % escape in {text:?}")))?;
            decoded.push(hex);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    Ok(decoded)
}

/// The `Content-Type` for a file, by its extension, compared without regard
/// to case: `html`/`htm` `text/html; charset=utf-8`, `css` `text/css`, `js`
/// `text/javascript`, `json` `application/json`, `txt` `text/plain;
/// charset=utf-8`, `png` `image/png`, `jpg`/`jpeg` `image/jpeg`, `svg`
/// `image/svg+xml`, and `application/octet-stream` (bytes, no meaning
/// claimed) for anything else or no extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The response to `request` from the files under `root`.
///
/// `GET` and `HEAD`: 200 with the file's bytes and its [`content_type`], or
/// the refusal of [`resolve_target`] (`Response::refusal`). A method of
/// [`OTHER_KNOWN_METHODS`]: 405 Method Not Allowed with an `Allow: GET,
/// HEAD` field, so the client learns what would work. Any other method:
/// 501 Not Implemented.
pub fn respond(root: &Path, request: &Request) -> Response {
    let method = request.line.method.as_str();
    if OTHER_KNOWN_METHODS.contains(&method) {
        let mut response = Response::refusal(&HttpError::new(
            405,
            format!("{method} is not allowed on static files"),
        ));
        response
            .headers
            .push(("Allow".to_string(), "GET, HEAD".to_string()));
        return response;
    }
    if method != "GET" && method != "HEAD" {
        return Response::refusal(&HttpError::new(
            501,
            format!("the method {method:?} is not implemented"),
        ));
    }
    let outcome = resolve_target(root, &request.line.target).and_then(|path| {
        fs::read(&path)
            .map(|bytes| Response::new(200, content_type(&path), bytes))
            .map_err(|error| file_error(&request.line.target, &error))
    });
    outcome.unwrap_or_else(|refusal| Response::refusal(&refusal))
}
