//! A document's metadata: one value per key, each with the position of the
//! line that holds it, whether it came from YAML frontmatter or from the
//! `**Key**: value` lines of the templates without frontmatter.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A scalar: strings, numbers and booleans all read as text.
    Text(String),
    List(Vec<ListItem>),
    /// A mapping; kept only so rules can report it as the wrong type.
    #[serde(serialize_with = "serialize_map")]
    Map,
    Null,
}

fn serialize_map<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_unit()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    /// None when the entry is not a scalar (a nested list or mapping).
    pub text: Option<String>,
    /// The entry as written, e.g. `[path/to/file.md]`.
    #[serde(skip)]
    pub raw: String,
    #[serde(skip)]
    pub line: usize,
    #[serde(skip)]
    pub column: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOrigin {
    Frontmatter,
    /// A `**Key**: value` line in the body.
    Inline,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: String,
    pub value: FieldValue,
    /// The value as written on its line (after the key), for placeholder
    /// detection that must see brackets YAML has already interpreted.
    pub raw: String,
    pub line: usize,
    pub column: Option<usize>,
    pub origin: FieldOrigin,
}

impl Field {
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Scalar entries of a list; a single string reads as a one-item list.
    pub fn list_texts(&self) -> Vec<&str> {
        match &self.value {
            FieldValue::Text(s) if !s.trim().is_empty() => vec![s.as_str()],
            FieldValue::List(items) => items.iter().filter_map(|i| i.text.as_deref()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every entry with its position; a single string is one entry on the
    /// field's own line.
    pub fn entries(&self) -> Vec<ListItem> {
        match &self.value {
            FieldValue::Text(s) => vec![ListItem {
                text: Some(s.clone()),
                raw: self.raw.clone(),
                line: self.line,
                column: self.column,
            }],
            FieldValue::List(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.value {
            FieldValue::Text(_) => "a single value",
            FieldValue::List(_) => "a list",
            FieldValue::Map => "a mapping",
            FieldValue::Null => "empty",
        }
    }
}

/// Field names as the catalog uses them: `Last Updated` → `last_updated`.
pub fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for ch in key.trim().chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_template_keys() {
        assert_eq!(snake_case("Last Updated"), "last_updated");
        assert_eq!(snake_case("SEV Level"), "sev_level");
        assert_eq!(snake_case("Critical Path"), "critical_path");
        assert_eq!(snake_case("  Maintained By: "), "maintained_by");
    }
}
