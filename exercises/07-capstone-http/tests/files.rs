//! Exercise 5: static files from a root directory (`src/files.rs`). Each
//! test makes its own directory: a root `www/` and, beside it, a
//! `secret.txt` that no request may reach.

use lesson7::files::{content_type, resolve_target, respond};
use lesson7::http::{Headers, Request, RequestLine, Response, Version};
use netlings_helpers::printable;
use netlings_helpers::temp_dir::TempDir;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

const SECRET: &str = "TOP SECRET: outside the root";

/// A directory with `www/` (the root) and `secret.txt` beside it.
struct Site {
    dir: TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = TempDir::new("httpd-files");
        let www = dir.path().join("www");
        for sub in ["www", "www/sub", "www/empty"] {
            fs::create_dir(dir.path().join(sub)).expect("creating the test's directories");
        }
        for (name, contents) in [
            ("www/index.html", "<h1>home</h1>\n"),
            ("www/style.css", "body {}\n"),
            ("www/data.bin", "\u{1}\u{2}"),
            ("www/PHOTO.PNG", "png"),
            ("www/notes", "no extension"),
            ("www/hello world.txt", "spaces\n"),
            ("www/sub/index.html", "<h1>sub</h1>\n"),
            ("secret.txt", SECRET),
        ] {
            fs::write(dir.path().join(name), contents).expect("writing the test's files");
        }
        symlink("../secret.txt", www.join("leak.txt")).expect("making a symlink");
        symlink("..", www.join("out")).expect("making a symlink");
        symlink("index.html", www.join("alias.html")).expect("making a symlink");
        symlink("www", dir.path().join("rootlink")).expect("making a symlink");
        Site { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    fn secret(&self) -> PathBuf {
        self.dir.path().join("secret.txt")
    }
}

fn request(method: &str, target: &str) -> Request {
    Request {
        line: RequestLine {
            method: method.to_string(),
            target: target.to_string(),
            version: Version::HTTP_1_1,
        },
        headers: Headers {
            fields: vec![("host".to_string(), "localhost".to_string())],
        },
    }
}

/// `respond` to `METHOD target`, as a curl command would ask it.
fn get(root: &Path, method: &str, target: &str) -> Response {
    respond(root, &request(method, target))
}

fn curl(method: &str, target: &str) -> String {
    format!("curl --path-as-is -X {method} 'http://127.0.0.1:8080{target}'")
}

#[track_caller]
fn expect_file(root: &Path, target: &str, body: &str, content_type: &str) {
    let response = get(root, "GET", target);
    assert_eq!(
        (
            response.status,
            String::from_utf8_lossy(&response.body).as_ref()
        ),
        (200, body),
        "`{}` must be answered 200 with the file's bytes",
        curl("GET", target)
    );
    assert_eq!(
        response.header("Content-Type"),
        Some(content_type),
        "the Content-Type of `{}`",
        curl("GET", target)
    );
}

#[netlings_helpers::test]
fn serves_a_file_with_its_content_type() {
    let site = Site::new();
    let root = site.root();
    expect_file(
        &root,
        "/index.html",
        "<h1>home</h1>\n",
        "text/html; charset=utf-8",
    );
    expect_file(&root, "/style.css", "body {}\n", "text/css");
    expect_file(&root, "/data.bin", "\u{1}\u{2}", "application/octet-stream");
    expect_file(&root, "/PHOTO.PNG", "png", "image/png");
    expect_file(&root, "/notes", "no extension", "application/octet-stream");
    for (name, expected) in [
        ("a.html", "text/html; charset=utf-8"),
        ("a.htm", "text/html; charset=utf-8"),
        ("a.css", "text/css"),
        ("a.js", "text/javascript"),
        ("a/b.JSON", "application/json"),
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.png", "image/png"),
        ("b.jpg", "image/jpeg"),
        ("b.jpeg", "image/jpeg"),
        ("logo.svg", "image/svg+xml"),
        ("archive.tar.gz", "application/octet-stream"),
        ("Makefile", "application/octet-stream"),
    ] {
        assert_eq!(
            content_type(Path::new(name)),
            expected,
            "the content type of {name}"
        );
    }
}

#[netlings_helpers::test]
fn serves_index_html_for_a_directory_and_ignores_the_query() {
    let site = Site::new();
    let root = site.root();
    expect_file(&root, "/", "<h1>home</h1>\n", "text/html; charset=utf-8");
    expect_file(&root, "/sub/", "<h1>sub</h1>\n", "text/html; charset=utf-8");
    expect_file(&root, "/sub", "<h1>sub</h1>\n", "text/html; charset=utf-8");
    expect_file(
        &root,
        "/index.html?lang=en&x=1",
        "<h1>home</h1>\n",
        "text/html; charset=utf-8",
    );
    expect_file(
        &root,
        "/hello%20world.txt",
        "spaces\n",
        "text/plain; charset=utf-8",
    );
    expect_file(
        &root,
        "/%68ello%20world%2Etxt",
        "spaces\n",
        "text/plain; charset=utf-8",
    );
    expect_file(
        &root,
        "//sub//./index.html",
        "<h1>sub</h1>\n",
        "text/html; charset=utf-8",
    );
    // A symlink that stays inside the root is fine.
    expect_file(
        &root,
        "/alias.html",
        "<h1>home</h1>\n",
        "text/html; charset=utf-8",
    );
}

#[netlings_helpers::test]
fn answers_404_when_nothing_is_there() {
    let site = Site::new();
    for target in ["/nope.html", "/sub/nope/", "/empty/", "/index.html/x"] {
        let response = get(&site.root(), "GET", target);
        assert_eq!(
            response.status,
            404,
            "`{}`: nothing is there, so 404 Not Found (not {}: {})",
            curl("GET", target),
            response.status,
            printable(&response.body)
        );
        assert!(
            response.body.starts_with(b"404 Not Found: "),
            "a refusal's body is Response::refusal's, one line that says why: {}",
            printable(&response.body)
        );
    }
}

#[netlings_helpers::test]
fn refuses_path_traversal_before_asking_the_file_system() {
    let site = Site::new();
    let secret = site.secret();
    let secret = secret.to_str().expect("a UTF-8 temporary path");
    let absolute_encoded = secret.replace('/', "%2f");
    for target in [
        "/../secret.txt".to_string(),
        "/sub/../../secret.txt".to_string(),
        "/%2e%2e/secret.txt".to_string(),
        "/%2E%2E/secret.txt".to_string(),
        "/.%2e/secret.txt".to_string(),
        "/sub/%2e%2e/%2e%2e/secret.txt".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/sub%2f..%2f..%2fsecret.txt".to_string(),
        format!("/{absolute_encoded}"),
        "/index.html%00.txt".to_string(),
        "/%zz".to_string(),
        "secret.txt".to_string(),
    ] {
        let response = get(&site.root(), "GET", &target);
        assert!(
            !String::from_utf8_lossy(&response.body).contains(SECRET),
            "`{}` read a file outside the root! Decode each segment first, then refuse `..`",
            curl("GET", &target)
        );
        assert_eq!(
            response.status,
            400,
            "`{}` must be refused with 400 before the file system is asked: a segment that is \
             `..` once decoded, or that hides a / or a NUL, or a bad escape; got {} {}",
            curl("GET", &target),
            response.status,
            printable(&response.body)
        );
    }
    // An absolute path after the first slash is just more segments under
    // the root, where nothing is.
    let response = get(&site.root(), "GET", &format!("/{secret}"));
    assert_eq!(
        response.status,
        404,
        "`{}` names {secret} under the root, where it does not exist (Path::join with an \
         absolute path would replace the root)",
        curl("GET", &format!("/{secret}"))
    );
}

#[netlings_helpers::test]
fn refuses_symlinks_out_of_the_root_with_403() {
    let site = Site::new();
    for target in ["/leak.txt", "/out/secret.txt", "/out/www/../secret.txt"] {
        let response = get(&site.root(), "GET", target);
        assert!(
            !String::from_utf8_lossy(&response.body).contains(SECRET),
            "`{}` read a file outside the root through a symlink! Canonicalize the path and \
             check that it still starts with the canonical root",
            curl("GET", target)
        );
        if target.contains("..") {
            continue;
        }
        assert_eq!(
            response.status,
            403,
            "`{}` leads out of the root through a symlink: 403 Forbidden; got {}",
            curl("GET", target),
            response.status
        );
    }
}

#[netlings_helpers::test]
fn serves_files_under_a_root_reached_through_a_symlink() {
    let site = Site::new();
    let root = site.dir.path().join("rootlink");
    assert_eq!(
        resolve_target(&root, "/style.css").map(|path| path.ends_with("www/style.css")),
        Ok(true),
        "the root itself may be a symlink (rootlink -> www): compare the canonical path with \
         the *canonical* root"
    );
    expect_file(&root, "/sub/", "<h1>sub</h1>\n", "text/html; charset=utf-8");
}

#[netlings_helpers::test]
fn answers_405_with_allow_and_501_for_unknown_methods() {
    let site = Site::new();
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let response = get(&site.root(), method, "/index.html");
        assert_eq!(
            response.status,
            405,
            "`{}`: a file server knows {method} but does not allow it: 405",
            curl(method, "/index.html")
        );
        assert_eq!(
            response.header("Allow"),
            Some("GET, HEAD"),
            "a 405 must say what is allowed, in an Allow field"
        );
    }
    let response = get(&site.root(), "BREW", "/index.html");
    assert_eq!(
        response.status, 501,
        "an unknown method is 501 Not Implemented"
    );
    let response = get(&site.root(), "get", "/index.html");
    assert_eq!(
        response.status, 501,
        "methods are case-sensitive: `get` is not GET, and is unknown"
    );
    let response = get(&site.root(), "HEAD", "/index.html");
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"<h1>home</h1>\n"[..]),
        "HEAD is answered like GET (the writer leaves the body out)"
    );
}
