//! Just enough Markdown reading for the book's checks: the links, images
//! and heading anchors of a page, outside code blocks and code spans, with
//! the line each one is on.

/// A link or an image reference, as written in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub line: usize,
    pub target: String,
    /// `Some(alt text)` for an image, `None` for a link.
    pub image_alt: Option<String>,
}

/// Every link and image of `text`: `[text](target)`, `![alt](target)`,
/// `[id]: target` definitions, and `href`/`src` attributes of inline HTML.
pub fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (line_number, line) in prose_lines(text) {
        let line = without_code_spans(line);
        if let Some(target) = reference_definition(&line) {
            found.push(Reference {
                line: line_number,
                target,
                image_alt: None,
            });
            continue;
        }
        inline_links(&line, line_number, &mut found);
        html_attributes(&line, line_number, &mut found);
    }
    found
}

/// The anchors a page's headings get, in the way both GitHub and mdBook
/// make them: the heading's text, lower case, punctuation dropped, spaces
/// made dashes; a repeated heading gets `-1`, `-2`, ... Explicit `id="..."`
/// and `name="..."` attributes of inline HTML count too.
pub fn anchors(text: &str) -> Vec<String> {
    let mut anchors: Vec<String> = Vec::new();
    for (_, line) in prose_lines(text) {
        if let Some(heading) = atx_heading(line) {
            let base = slug(&heading);
            let mut anchor = base.clone();
            let mut repeat = 0;
            while anchors.contains(&anchor) {
                repeat += 1;
                anchor = format!("{base}-{repeat}");
            }
            anchors.push(anchor);
        }
        for attribute in ["id=\"", "name=\""] {
            for value in attribute_values(line, attribute) {
                anchors.push(value);
            }
        }
    }
    anchors
}

/// The text of an ATX heading (`## 2. The accept queue`), if `line` is one.
pub fn atx_heading(line: &str) -> Option<String> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim().to_owned())
}

/// A heading's anchor: `` `AddrInUse` while a listener is alive `` →
/// `addrinuse-while-a-listener-is-alive`.
pub fn slug(heading: &str) -> String {
    let text = link_texts(heading);
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().collect::<String>())
            } else if c.is_whitespace() {
                Some("-".to_owned())
            } else {
                None
            }
        })
        .collect()
}

/// `[text](target)` → `text`, so that a heading's link counts by its text.
fn link_texts(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        let Some(close) = closing_paren(&rest[start + 2..]) else {
            break;
        };
        out.push_str(&rest[..start].replace(['[', '!'], ""));
        rest = &rest[start + 2 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The lines of `text` that are prose, numbered from 1: fenced code blocks
/// (``` or ~~~, indented or not) and HTML comments are left out.
pub fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if in_comment {
            in_comment = !line.contains("-->");
            continue;
        }
        let fence_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let fence_length =
            fence_char.map_or(0, |c| trimmed.chars().take_while(|x| *x == c).count());
        match (fence, fence_char) {
            (Some((open_char, open_length)), Some(c))
                if c == open_char
                    && fence_length >= open_length
                    && trimmed[fence_length..].trim().is_empty() =>
            {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, Some(c)) if fence_length >= 3 => {
                fence = Some((c, fence_length));
                continue;
            }
            _ => {}
        }
        if trimmed.starts_with("<!--") && !trimmed.contains("-->") {
            in_comment = true;
            continue;
        }
        lines.push((index + 1, line));
    }
    lines
}

/// `line` with every code span (`` `...` ``) blanked out, so that a link
/// written as code is not taken for a link.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        let fence = "`".repeat(ticks);
        match find_closing_ticks(after, &fence) {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push_str(&" ".repeat(ticks * 2 + end));
                rest = &after[end + ticks..];
            }
            None => {
                out.push_str(&rest[..start + ticks]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where a run of exactly `fence` backticks starts in `text`.
fn find_closing_ticks(text: &str, fence: &str) -> Option<usize> {
    let mut offset = 0;
    while let Some(found) = text[offset..].find(fence) {
        let at = offset + found;
        let run = text[at..].chars().take_while(|c| *c == '`').count();
        if run == fence.len() {
            return Some(at);
        }
        offset = at + run;
    }
    None
}

/// `[id]: target` at the start of a line.
fn reference_definition(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let rest = trimmed.strip_prefix('[')?;
    let (label, after) = rest.split_once("]:")?;
    if label.is_empty() || label.contains('[') || label.starts_with('^') {
        return None;
    }
    let target = after.split_whitespace().next()?;
    Some(
        target
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned(),
    )
}

fn inline_links(line: &str, line_number: usize, found: &mut Vec<Reference>) {
    let bytes = line.as_bytes();
    let mut search_from = 0;
    while let Some(found_at) = line[search_from..].find("](") {
        let bracket_close = search_from + found_at;
        let target_start = bracket_close + 2;
        let Some(paren_close) = closing_paren(&line[target_start..]) else {
            search_from = target_start;
            continue;
        };
        let inside = &line[target_start..target_start + paren_close];
        let target = inside
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned();
        let open = opening_bracket(&bytes[..bracket_close]);
        let image_alt = open
            .filter(|open| *open > 0 && bytes[open - 1] == b'!')
            .map(|open| line[open + 1..bracket_close].to_owned());
        if open.is_some() {
            found.push(Reference {
                line: line_number,
                target,
                image_alt,
            });
        }
        search_from = target_start + paren_close;
    }
}

/// The `[` that the `]` just after `before` closes.
fn opening_bracket(before: &[u8]) -> Option<usize> {
    let mut depth = 0;
    for index in (0..before.len()).rev() {
        match before[index] {
            b']' => depth += 1,
            b'[' if depth == 0 => return Some(index),
            b'[' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The `)` that closes a link target starting at `text`, allowing balanced
/// parentheses inside it.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(index),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn html_attributes(line: &str, line_number: usize, found: &mut Vec<Reference>) {
    for value in attribute_values(line, "href=\"") {
        found.push(Reference {
            line: line_number,
            target: value,
            image_alt: None,
        });
    }
    if line.contains("<img") {
        let alt = attribute_values(line, "alt=\"").into_iter().next();
        for value in attribute_values(line, "src=\"") {
            found.push(Reference {
                line: line_number,
                target: value,
                image_alt: Some(alt.clone().unwrap_or_default()),
            });
        }
    }
}

/// The values of `attribute` (given with its `="`) in an HTML fragment.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(attribute) {
        let before = rest[..start].chars().next_back();
        let after = &rest[start + attribute.len()..];
        let Some(end) = after.find('"') else {
            break;
        };
        if before.is_none_or(|c| c.is_whitespace()) {
            values.push(after[..end].to_owned());
        }
        rest = &after[end + 1..];
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github_and_mdbook() {
        assert_eq!(slug("2. The accept queue"), "2-the-accept-queue");
        assert_eq!(
            slug("`AddrInUse` while a listener is alive"),
            "addrinuse-while-a-listener-is-alive"
        );
        assert_eq!(
            slug("Seeing it from outside: ss and /proc/net/tcp"),
            "seeing-it-from-outside-ss-and-procnettcp"
        );
        assert_eq!(slug("select!: waiting"), "select-waiting");
        assert_eq!(slug("See [lesson 2](../x.md)"), "see-lesson-2");
    }

    #[test]
    fn repeated_headings_get_numbered_anchors() {
        let text = "# Pitfalls\n\n## Pitfalls\n\n## Pitfalls\n";
        assert_eq!(anchors(text), ["pitfalls", "pitfalls-1", "pitfalls-2"]);
    }

    #[test]
    fn code_is_not_read_for_links_or_headings() {
        let text = "\
text [a](a.md) and `[b](b.md)`
```text
[c](c.md)
# not a heading
```
   ```console
   [d](d.md)
   ```
<!--
[e](e.md)
-->
![a picture](img/x.svg \"title\")
[ref]: <f.md>
<img src=\"img/y.svg\" alt=\"why\">
";
        let found = references(text);
        let targets: Vec<&str> = found.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(targets, ["a.md", "img/x.svg", "f.md", "img/y.svg"]);
        assert_eq!(found[0].line, 1);
        assert_eq!(found[1].image_alt.as_deref(), Some("a picture"));
        assert_eq!(found[3].image_alt.as_deref(), Some("why"));
        assert!(anchors(text).is_empty());
    }

    #[test]
    fn a_link_target_may_hold_parentheses() {
        let found = references("see [x](https://en.wikipedia.org/wiki/Nagle_(algorithm)) now");
        assert_eq!(
            found[0].target,
            "https://en.wikipedia.org/wiki/Nagle_(algorithm)"
        );
    }

    #[test]
    fn a_link_inside_an_image_alt_is_not_an_image() {
        let found = references("[![alt](img/a.svg)](lessons/x.md)");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].target, "img/a.svg");
        assert!(found[0].image_alt.is_some());
        assert_eq!(found[1].target, "lessons/x.md");
        assert!(found[1].image_alt.is_none());
    }
}
