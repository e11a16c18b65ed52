//! The course's diagrams are SVG written by hand. This checks each one the
//! way a browser's `<img>` needs it, with a small XML reader of its own
//! (well-formed tags, attributes and entities; one `<svg>` root in the SVG
//! namespace, with a `viewBox`), and the course's two rules: a `<title>`
//! first, for screen readers and tooltips, and a background of its own (a
//! full-size `<rect>` drawn before any text), so that the drawing reads the
//! same in the book's light and dark themes.

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// Every way `text` breaks those rules, one sentence each.
pub fn problems(text: &str) -> Vec<String> {
    let elements = match parse(text) {
        Ok(elements) => elements,
        Err(error) => return vec![format!("is not well-formed XML: {error}")],
    };
    let mut problems = Vec::new();
    let Some(root) = elements.first() else {
        return vec!["has no <svg> element".to_owned()];
    };
    if root.name != "svg" {
        problems.push(format!("has <{}> as its root, not <svg>", root.name));
    }
    if root.attribute("xmlns") != Some(SVG_NAMESPACE) {
        problems.push(format!(
            "needs xmlns=\"{SVG_NAMESPACE}\" on <svg>, or browsers will not show it as an image"
        ));
    }
    if root.attribute("viewBox").is_none() {
        problems.push("needs a viewBox on <svg>, so that it scales to the page".to_owned());
    }
    let children: Vec<&Element> = elements.iter().filter(|e| e.depth == 1).collect();
    match children.first() {
        Some(title) if title.name == "title" && !title.text.trim().is_empty() => {}
        _ => problems.push(
            "needs a <title> with a short description as the first element inside <svg>".to_owned(),
        ),
    }
    let background = elements.iter().position(|e| {
        e.name == "rect"
            && e.attribute("width") == Some("100%")
            && e.attribute("height") == Some("100%")
            && e.attribute("fill")
                .is_some_and(|fill| !matches!(fill, "none" | "transparent"))
    });
    let first_text = elements.iter().position(|e| e.name == "text");
    match (background, first_text) {
        (None, _) => problems.push(
            "needs a background of its own: a <rect width=\"100%\" height=\"100%\" fill=\"...\"/> \
             before any text, so that its text reads in the dark theme too"
                .to_owned(),
        ),
        (Some(background), Some(text)) if text < background => problems
            .push("draws text before its background <rect>, which then covers it".to_owned()),
        _ => {}
    }
    problems
}

/// One element, as the checks need it.
#[derive(Debug)]
struct Element {
    name: String,
    /// 0 for the root.
    depth: usize,
    attributes: Vec<(String, String)>,
    /// The text directly inside it.
    text: String,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The elements of a well-formed XML document, in document order.
fn parse(text: &str) -> Result<Vec<Element>, String> {
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut roots = 0;
    let mut rest = text;
    let line_of = |rest: &str| text[..text.len() - rest.len()].matches('\n').count() + 1;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after
                .find("-->")
                .ok_or_else(|| format!("line {}: a comment is never closed", line_of(rest)))?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after
                .find("]]>")
                .ok_or_else(|| format!("line {}: CDATA is never closed", line_of(rest)))?;
            if let Some(&current) = open.last() {
                elements[current].text.push_str(&after[..end]);
            }
            rest = &after[end + 3..];
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            if !open.is_empty() {
                return Err(format!(
                    "line {}: a declaration inside an element",
                    line_of(rest)
                ));
            }
            let end = rest
                .find('>')
                .ok_or_else(|| format!("line {}: a declaration is never closed", line_of(rest)))?;
            rest = &rest[end + 1..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or_else(|| format!("line {}: an end tag is never closed", line_of(rest)))?;
            let name = after[..end].trim();
            match open.pop() {
                Some(current) if elements[current].name == name => {}
                Some(current) => {
                    return Err(format!(
                        "line {}: </{name}> closes <{}>",
                        line_of(rest),
                        elements[current].name
                    ));
                }
                None => return Err(format!("line {}: </{name}> closes nothing", line_of(rest))),
            }
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let (element, self_closing, remaining) = start_tag(after, open.len())
                .map_err(|error| format!("line {}: {error}", line_of(rest)))?;
            if open.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!(
                        "line {}: a second root element <{}>",
                        line_of(rest),
                        element.name
                    ));
                }
            }
            elements.push(element);
            if !self_closing {
                open.push(elements.len() - 1);
            }
            rest = remaining;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let chunk = &rest[..end];
            check_entities(chunk).map_err(|error| format!("line {}: {error}", line_of(rest)))?;
            match open.last() {
                Some(&current) => elements[current].text.push_str(chunk),
                None if chunk.trim().is_empty() => {}
                None => {
                    return Err(format!(
                        "line {}: text outside the root element",
                        line_of(rest)
                    ));
                }
            }
            rest = &rest[end..];
        }
    }
    if let Some(&current) = open.last() {
        return Err(format!("<{}> is never closed", elements[current].name));
    }
    Ok(elements)
}

/// Reads a start tag after its `<`: the element, whether it closed itself
/// (`/>`), and the text after the tag.
fn start_tag(text: &str, depth: usize) -> Result<(Element, bool, &str), String> {
    let name_length = text
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .ok_or("a start tag is never closed")?;
    let name = &text[..name_length];
    if !is_name(name) {
        return Err(format!("<{name}> is not a valid element name"));
    }
    let mut element = Element {
        name: name.to_owned(),
        depth,
        attributes: Vec::new(),
        text: String::new(),
    };
    let mut rest = &text[name_length..];
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return Ok((element, true, after));
        }
        if let Some(after) = rest.strip_prefix('>') {
            return Ok((element, false, after));
        }
        let equals = rest
            .find('=')
            .ok_or_else(|| format!("<{name}>: an attribute without a value"))?;
        let key = rest[..equals].trim();
        if !is_name(key) {
            return Err(format!("<{name}>: {key:?} is not a valid attribute name"));
        }
        let after = rest[equals + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| format!("<{name}>: the value of {key} is not quoted"))?;
        let end = after[1..]
            .find(quote)
            .ok_or_else(|| format!("<{name}>: the value of {key} is never closed"))?;
        let value = &after[1..1 + end];
        if value.contains('<') {
            return Err(format!("<{name}>: the value of {key} holds a '<'"));
        }
        check_entities(value).map_err(|error| format!("<{name}> {key}: {error}"))?;
        if element.attributes.iter().any(|(k, _)| k == key) {
            return Err(format!("<{name}>: the attribute {key} is given twice"));
        }
        element.attributes.push((key.to_owned(), value.to_owned()));
        rest = &after[1 + end + 1..];
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Every `&` starts one of XML's five entities or a character reference.
fn check_entities(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        let after = &rest[start + 1..];
        let end = after
            .find(';')
            .ok_or("a bare '&' (write &amp;)".to_owned())?;
        let entity = &after[..end];
        let valid = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
            || entity.strip_prefix('#').is_some_and(|digits| {
                !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
            });
        if !valid {
            return Err(format!(
                "&{entity}; is not an XML entity (write &amp; for '&')"
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="100">
  <title>A box &amp; a label</title>
  <desc>Longer text.</desc>
  <rect width="100%" height="100%" fill="#fdfcf7"/>
  <text x="10" y="20" font-family="sans-serif">SYN &#8594; &lt;ACK&gt;</text>
</svg>
"##;

    #[test]
    fn a_good_diagram_has_no_problems() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    fn problems_of(text: &str) -> String {
        problems(text).join("\n")
    }

    #[test]
    fn malformed_xml_is_reported_with_its_line() {
        let unclosed = GOOD.replace("</desc>", "");
        assert!(
            problems_of(&unclosed).contains("</svg> closes <desc>"),
            "{}",
            problems_of(&unclosed)
        );
        let bare_ampersand = GOOD.replace("&amp;", "&");
        assert!(problems_of(&bare_ampersand).contains("line 4"));
        let unquoted = GOOD.replace("width=\"100\"", "width=100");
        assert!(problems_of(&unquoted).contains("not quoted"));
        let twice = GOOD.replace(
            "viewBox=\"0 0 100 50\"",
            "viewBox=\"0 0 100 50\" viewBox=\"0 0 1 1\"",
        );
        assert!(problems_of(&twice).contains("given twice"));
        let truncated = &GOOD[..GOOD.len() - 8];
        assert!(problems_of(truncated).contains("never closed"));
    }

    #[test]
    fn the_courses_rules_are_checked() {
        let no_title = GOOD.replace("<title>A box &amp; a label</title>", "");
        assert!(problems_of(&no_title).contains("<title>"));
        let empty_title = GOOD.replace("A box &amp; a label", " ");
        assert!(problems_of(&empty_title).contains("<title>"));
        let transparent = GOOD.replace("fill=\"#fdfcf7\"", "fill=\"none\"");
        assert!(problems_of(&transparent).contains("background of its own"));
        let text_first = GOOD.replace(
            "<rect width=\"100%\" height=\"100%\" fill=\"#fdfcf7\"/>",
            "<text>x</text><rect width=\"100%\" height=\"100%\" fill=\"#fdfcf7\"/>",
        );
        assert!(problems_of(&text_first).contains("before its background"));
        let no_namespace = GOOD.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(problems_of(&no_namespace).contains("xmlns"));
        let no_view_box = GOOD.replace(" viewBox=\"0 0 100 50\"", "");
        assert!(problems_of(&no_view_box).contains("viewBox"));
    }
}
