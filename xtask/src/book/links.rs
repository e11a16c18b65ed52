//! Links, anchors and images, checked twice: in the Markdown pages (the
//! lesson READMEs as a code host shows them, and the book's sources as
//! assembled), and in the HTML that mdBook writes.

use super::markdown;
use super::svg;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What a relative link can lead to.
pub enum Target {
    /// A Markdown page, with its text.
    Page(String),
    /// An SVG drawing, with its text.
    Svg(String),
    /// Any other file.
    File,
    /// A folder (a code host lists it; the book has none).
    Folder,
}

/// A tree of files that links are resolved in: the checkout on disk, or the
/// book as assembled in memory. Paths are relative to its root.
pub trait Tree {
    fn lookup(&self, path: &Path) -> Option<Target>;
}

/// The checkout on disk.
pub struct Disk<'a>(pub &'a Path);

impl Tree for Disk<'_> {
    fn lookup(&self, path: &Path) -> Option<Target> {
        let full = self.0.join(path);
        let metadata = fs::metadata(&full).ok()?;
        if metadata.is_dir() {
            return Some(Target::Folder);
        }
        match full.extension().and_then(|e| e.to_str()) {
            Some("md") => fs::read_to_string(&full).ok().map(Target::Page),
            Some("svg") => fs::read_to_string(&full).ok().map(Target::Svg),
            _ => Some(Target::File),
        }
    }
}

/// Files held in memory, by relative path.
impl Tree for BTreeMap<PathBuf, Vec<u8>> {
    fn lookup(&self, path: &Path) -> Option<Target> {
        let Some(bytes) = self.get(path) else {
            let is_folder = self.keys().any(|key| key.starts_with(path));
            return is_folder.then_some(Target::Folder);
        };
        let text = || String::from_utf8_lossy(bytes).into_owned();
        match path.extension().and_then(|e| e.to_str()) {
            Some("md") => Some(Target::Page(text())),
            Some("svg") => Some(Target::Svg(text())),
            _ => Some(Target::File),
        }
    }
}

/// Whether a link leaves the tree for the web (`https://...`, `mailto:`).
pub fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

/// Every broken link, anchor and image of `pages` in `tree`, and every
/// problem of the SVG drawings they show; one sentence each.
pub fn problems(tree: &impl Tree, pages: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut drawings_checked = BTreeSet::new();
    for page in pages {
        let Some(Target::Page(text)) = tree.lookup(page) else {
            problems.push(format!("{}: the page is missing", page.display()));
            continue;
        };
        for reference in markdown::references(&text) {
            let place = format!("{}:{}", page.display(), reference.line);
            if let Some(alt) = &reference.image_alt
                && alt.trim().is_empty()
            {
                problems.push(format!(
                    "{place}: the image {} has no alt text; say in words what it shows",
                    reference.target
                ));
            }
            if is_external(&reference.target) {
                continue;
            }
            let (path_part, anchor) = match reference.target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (reference.target.as_str(), None),
            };
            let resolved = if path_part.is_empty() {
                page.clone()
            } else if path_part.starts_with('/') {
                problems.push(format!(
                    "{place}: {} is an absolute path; write it relative to the page, so that it \
                     works on a code host and in the book",
                    reference.target
                ));
                continue;
            } else {
                let joined = page
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(percent_decoded(path_part));
                match normalised(&joined) {
                    Some(path) => path,
                    None => {
                        problems.push(format!(
                            "{place}: {} leads outside the course",
                            reference.target
                        ));
                        continue;
                    }
                }
            };
            let Some(target) = tree.lookup(&resolved) else {
                problems.push(format!(
                    "{place}: {} leads to {}, which does not exist",
                    reference.target,
                    resolved.display()
                ));
                continue;
            };
            match (&target, anchor) {
                (Target::Page(text), Some(anchor)) if !anchor.is_empty() => {
                    let anchors = markdown::anchors(text);
                    if !anchors.iter().any(|a| a == anchor) {
                        problems.push(format!(
                            "{place}: {} has no heading with the anchor #{anchor}",
                            resolved.display()
                        ));
                    }
                }
                (_, Some(anchor)) if !anchor.is_empty() => problems.push(format!(
                    "{place}: #{anchor} points into {}, which is not a page",
                    resolved.display()
                )),
                _ => {}
            }
            if let Target::Svg(text) = &target
                && drawings_checked.insert(resolved.clone())
            {
                for problem in svg::problems(text) {
                    problems.push(format!("{}: {problem}", resolved.display()));
                }
            }
        }
    }
    problems
}

/// `a/b/../c` → `a/c`; `None` when the path climbs above its root.
pub fn normalised(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

/// `%20` → ` `, for link targets with spaces or other escaped bytes.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every broken link or image in the content of a site mdBook wrote to
/// `site`: each relative `href` and `src` inside a page's `<main>` must
/// lead to a file of the site, and each `#anchor` to an `id` in that file.
pub fn html_problems(site: &Path) -> Result<Vec<String>> {
    let mut pages = BTreeMap::new();
    collect_html(site, site, &mut pages)?;
    let ids: BTreeMap<&PathBuf, BTreeSet<String>> = pages
        .iter()
        .map(|(path, html)| {
            let ids = markdown::attribute_values(html, "id=\"")
                .into_iter()
                .collect::<BTreeSet<_>>();
            (path, ids)
        })
        .collect();
    let mut problems = Vec::new();
    for (page, html) in &pages {
        let main = html
            .split_once("<main>")
            .and_then(|(_, rest)| rest.split_once("</main>"))
            .map_or("", |(main, _)| main);
        let mut targets = markdown::attribute_values(main, "href=\"");
        targets.extend(markdown::attribute_values(main, "src=\""));
        for target in targets {
            if is_external(&target) || target.starts_with("javascript:") {
                continue;
            }
            let target = html_unescaped(&target);
            let (path_part, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or("");
            let resolved = if path_part.is_empty() {
                Some(page.clone())
            } else {
                normalised(
                    &page
                        .parent()
                        .unwrap_or(Path::new(""))
                        .join(percent_decoded(path_part)),
                )
            };
            let Some(mut resolved) = resolved else {
                problems.push(format!(
                    "{}: {target} leads outside the site",
                    page.display()
                ));
                continue;
            };
            if path_part.ends_with('/') || site.join(&resolved).is_dir() {
                resolved.push("index.html");
            }
            if !site.join(&resolved).is_file() {
                problems.push(format!(
                    "{}: {target} leads to {}, which the site does not have",
                    page.display(),
                    resolved.display()
                ));
                continue;
            }
            if let Some(anchor) = anchor.filter(|anchor| !anchor.is_empty())
                && let Some(target_ids) = ids.get(&resolved)
                && !target_ids.contains(&percent_decoded(anchor))
            {
                problems.push(format!(
                    "{}: {target}: {} has no id {anchor}",
                    page.display(),
                    resolved.display()
                ));
            }
        }
    }
    Ok(problems)
}

fn html_unescaped(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn collect_html(site: &Path, dir: &Path, pages: &mut BTreeMap<PathBuf, String>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_html(site, &path, pages)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let html =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let relative = path.strip_prefix(site).unwrap_or(&path).to_path_buf();
            pages.insert(relative, html);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<PathBuf, Vec<u8>> {
        files
            .iter()
            .map(|(path, text)| (PathBuf::from(path), text.as_bytes().to_vec()))
            .collect()
    }

    const DRAWING: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">\
        <title>t</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/></svg>";

    #[test]
    fn links_anchors_and_images_that_resolve_pass() {
        let files = tree(&[
            (
                "README.md",
                "[one](lessons/01-a/README.md#2-two) [web](https://x.org/a)",
            ),
            (
                "lessons/01-a/README.md",
                "# One\n## 2. Two\n![a socket](img/s.svg)\n[up](../../README.md) [here](#one)",
            ),
            ("lessons/01-a/img/s.svg", DRAWING),
        ]);
        let pages = [
            PathBuf::from("README.md"),
            PathBuf::from("lessons/01-a/README.md"),
        ];
        assert_eq!(problems(&files, &pages), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_breakage_is_named_with_its_line() {
        let files = tree(&[
            (
                "README.md",
                "[a](missing.md)\n[b](lessons/01-a/README.md#nowhere)\n![](img.svg)\n[c](../../x)\n[d](/abs.md)",
            ),
            ("lessons/01-a/README.md", "# One"),
            ("img.svg", "<svg>"),
        ]);
        let found = problems(&files, &[PathBuf::from("README.md")]).join("\n");
        assert!(
            found.contains("README.md:1: missing.md leads to missing.md, which does not exist"),
            "{found}"
        );
        assert!(
            found.contains(
                "README.md:2: lessons/01-a/README.md has no heading with the anchor #nowhere"
            ),
            "{found}"
        );
        assert!(
            found.contains("README.md:3: the image img.svg has no alt text"),
            "{found}"
        );
        assert!(found.contains("img.svg: is not well-formed XML"), "{found}");
        assert!(
            found.contains("README.md:4: ../../x leads outside the course"),
            "{found}"
        );
        assert!(
            found.contains("README.md:5: /abs.md is an absolute path"),
            "{found}"
        );
    }

    #[test]
    fn paths_are_normalised_without_leaving_the_root() {
        assert_eq!(
            normalised(Path::new("a/b/../c")),
            Some(PathBuf::from("a/c"))
        );
        assert_eq!(normalised(Path::new("a/../../c")), None);
        assert_eq!(percent_decoded("a%20b%zz"), "a b%zz");
    }

    #[test]
    fn the_sites_html_is_checked_for_files_and_ids() {
        let site = std::env::temp_dir().join(format!("netlings-html-check-{}", std::process::id()));
        fs::create_dir_all(site.join("lessons")).expect("a temporary folder can be made");
        fs::write(
            site.join("index.html"),
            "<a href=\"nav.html\"></a><main><a href=\"lessons/one.html#two\">x</a>\
             <img src=\"lessons/gone.svg\"><a href=\"lessons/one.html#three\">y</a></main>",
        )
        .expect("writes");
        fs::write(
            site.join("lessons/one.html"),
            "<main><h2 id=\"two\">Two</h2></main>",
        )
        .expect("writes");
        let found = html_problems(&site)
            .expect("the site can be read")
            .join("\n");
        fs::remove_dir_all(&site).expect("the temporary folder can be removed");
        assert!(
            found.contains("lessons/gone.svg leads to lessons/gone.svg"),
            "{found}"
        );
        assert!(
            found.contains("lessons/one.html has no id three"),
            "{found}"
        );
        assert!(!found.contains("nav.html"), "{found}");
        assert!(!found.contains("#two"), "{found}");
    }
}
