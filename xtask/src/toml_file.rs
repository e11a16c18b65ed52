//! The course's TOML files (manifests, known-bad variants, progress,
//! `course.lock`) read through serde, with errors that say where: the file,
//! the `[[entry]]` it is in, the line and the column.

use anyhow::{Result, anyhow};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error};

/// Parses `text`, the file shown as `shown`; `entry` names the file's
/// array of tables (`exercise`, `variant`), so an error inside one says
/// which: "parsing lessons/01-socket-basics/lesson.toml, exercise 2 (line
/// 14, column 10): ...".
pub fn parse<T: DeserializeOwned>(text: &str, shown: &str, entry: &str) -> Result<T> {
    toml::from_str(text).map_err(|error| anyhow!(describe_error(text, shown, entry, &error)))
}

fn describe_error(text: &str, shown: &str, entry: &str, error: &toml::de::Error) -> String {
    let mut place = format!("parsing {shown}");
    if let Some(span) = error.span() {
        let start = span.start.min(text.len());
        let before = text.get(..start).unwrap_or(text);
        let end_of_line = text[start..]
            .find('\n')
            .map_or(text.len(), |end| start + end);
        let header = format!("[[{entry}]]");
        let entries_so_far = text
            .get(..end_of_line)
            .unwrap_or(text)
            .lines()
            .filter(|line| line.trim() == header)
            .count();
        if entries_so_far > 0 {
            place.push_str(&format!(", {entry} {entries_so_far}"));
        }
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        place.push_str(&format!(" (line {line}, column {column})"));
    }
    format!("{place}: {}", error.message().trim_end())
}

/// A text that says something: not empty, not only spaces.
pub fn non_empty_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim().is_empty() {
        return Err(D::Error::custom("this text is empty: write something here"));
    }
    Ok(text)
}

/// A list of texts with at least one, none of them empty.
pub fn non_empty_texts<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let texts = Vec::<String>::deserialize(deserializer)?;
    if texts.is_empty() {
        return Err(D::Error::custom(
            "this list is empty: give it at least one text",
        ));
    }
    if texts.iter().any(|text| text.trim().is_empty()) {
        return Err(D::Error::custom("this list holds an empty text"));
    }
    Ok(texts)
}

/// Points: a whole number above 0.
pub fn points<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    toml::Value::deserialize(deserializer)?
        .as_integer()
        .and_then(|points| u32::try_from(points).ok())
        .filter(|points| *points > 0)
        .ok_or_else(|| D::Error::custom("`points` must be a whole number above 0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Manifest {
        #[serde(rename = "entry")]
        _entries: Vec<Entry>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        #[serde(rename = "name", deserialize_with = "non_empty_text")]
        _name: String,
        #[serde(rename = "points", deserialize_with = "points")]
        _points: u32,
    }

    fn error_of(text: &str) -> String {
        parse::<Manifest>(text, "m.toml", "entry")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_the_file_the_entry_the_line_and_the_column() {
        let text =
            "[[entry]]\nname = \"a\"\npoints = 1\n\n[[entry]]\nname = \"b\"\npoints = \"ten\"\n";
        assert_eq!(
            error_of(text),
            "parsing m.toml, entry 2 (line 7, column 10): `points` must be a whole number above 0"
        );
        let error = error_of("[[entry]]\nname = \"a\"\npoints = 1\ncolour = 2\n");
        assert!(
            error.starts_with("parsing m.toml, entry 1 (line 4, column 1): unknown field `colour`"),
            "{error}"
        );
        let error = error_of("[[entry]]\nname = \"  \"\npoints = 1\n");
        assert!(
            error.contains("entry 1 (line 2, column 8): this text is empty"),
            "{error}"
        );
        let error = error_of("[[entry]\n");
        assert!(error.starts_with("parsing m.toml (line 1"), "{error}");
    }
}
