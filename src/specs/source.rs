//! One spec file: read under the loader's rules, parsed as YAML or JSON
//! into an order-keeping value, with the line of every `$ref` it holds.
//!
//! serde gives values without positions, so diagnostics about a `$ref`
//! find its line by a scan of the text (as the frontmatter reader does):
//! the value a `$ref` holds is looked up among the `$ref` lines written.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_yaml::Value;

/// A spec over this size is not read: Stripe's whole OpenAPI document is
/// about 7 MB of YAML.
pub const MAX_SPEC_BYTES: u64 = 16 << 20;

pub struct SpecFile {
    /// Relative to the content dir.
    pub content_path: String,
    /// Relative to the site root: what diagnostics name.
    pub source_path: String,
    pub text: String,
    pub value: Value,
    refs: HashMap<String, Vec<(usize, usize)>>,
}

/// Why a file could not be read as a spec.
pub enum ReadError {
    /// Refused or unreadable (message says why).
    Io(String),
    /// Not YAML or JSON: line, column, message, and the text (for the
    /// diagnostic's source line).
    Syntax(usize, usize, String, String),
}

static REF_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"["']?\$ref["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s,}\]#][^,}\]]*))"#,
    )
    .expect("valid regex")
});

impl SpecFile {
    pub fn parse(
        content_path: String,
        source_path: String,
        text: String,
    ) -> Result<SpecFile, ReadError> {
        let value = match parse_value(&content_path, &text) {
            Ok(v) => v,
            Err((line, column, message)) => {
                // The position is in the diagnostic already.
                let message = match message.find(" at line ") {
                    Some(i) => message[..i].to_owned(),
                    None => message,
                };
                return Err(ReadError::Syntax(line, column, message, text));
            }
        };
        let mut refs: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if !line.contains("$ref") {
                continue;
            }
            for caps in REF_RE.captures_iter(line) {
                let Some(m) = caps.get(1).or(caps.get(2)).or(caps.get(3)) else {
                    continue;
                };
                let written = match (caps.get(1), caps.get(2)) {
                    (Some(_), _) => m.as_str().replace("\\/", "/").replace("\\\"", "\""),
                    (_, Some(_)) => m.as_str().replace("''", "'"),
                    _ => m.as_str().trim().to_owned(),
                };
                let start = caps.get(0).map_or(0, |c| c.start());
                let column = line[..start].chars().count() + 1;
                refs.entry(written).or_default().push((i + 1, column));
            }
        }
        Ok(SpecFile {
            content_path,
            source_path,
            text,
            value,
            refs,
        })
    }

    /// The line and column of the `$ref` holding `target`: the `nth` one
    /// written when it appears several times, else the first.
    pub fn ref_position(&self, target: &str, nth: usize) -> (usize, usize) {
        self.refs
            .get(target)
            .and_then(|at| at.get(nth).or(at.first()))
            .copied()
            .unwrap_or((1, 1))
    }

    /// The first line on which `key:` (or `"key":`) is written, at any
    /// depth; line 1 when none is.
    pub fn key_line(&self, key: &str) -> usize {
        self.key_line_after(key, 1).unwrap_or(1)
    }

    /// The first line from `from` on (1-based) that writes `key` as a key.
    pub fn key_line_after(&self, key: &str, from: usize) -> Option<usize> {
        let forms = [
            format!("{key}:"),
            format!("\"{key}\":"),
            format!("'{key}':"),
            format!("\"{key}\" :"),
        ];
        self.text
            .lines()
            .enumerate()
            .skip(from.saturating_sub(1))
            .find(|(_, line)| {
                let t = line.trim_start().trim_start_matches("- ").trim_start();
                forms.iter().any(|f| t.starts_with(f.as_str()))
            })
            .map(|(i, _)| i + 1)
    }

    /// Where `key` (a path, a channel) is written under the line of its
    /// parent key `section` (`paths:`, `channels:`).
    pub fn entry_line(&self, section: &str, key: &str) -> usize {
        let start = self.key_line(section);
        self.key_line_after(key, start).unwrap_or(start)
    }
}

fn is_json(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json")
}

/// YAML and JSON both parse into one `Value` (JSON is YAML), whose
/// mappings keep the order written. A JSON file's syntax errors are
/// serde_json's, whose positions are exact for JSON.
fn parse_value(path: &str, text: &str) -> Result<Value, (usize, usize, String)> {
    if is_json(path) {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| (e.line(), e.column(), e.to_string()))?;
        return Ok(serde_yaml::from_str(text)
            .ok()
            .or_else(|| serde_yaml::to_value(json).ok())
            .unwrap_or(Value::Null));
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
        (line, column, e.to_string())
    })
}

/// Whether a parsed file is an OpenAPI or AsyncAPI document: the key its
/// specification says it must start with.
pub fn spec_kind(value: &Value) -> Option<super::SpecKind> {
    let map = value.as_mapping()?;
    if map.contains_key("openapi") || map.contains_key("swagger") {
        Some(super::SpecKind::OpenApi)
    } else if map.contains_key("asyncapi") {
        Some(super::SpecKind::AsyncApi)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SpecFile {
        match SpecFile::parse(path.into(), format!("content/{path}"), text.into()) {
            Ok(f) => f,
            Err(_) => panic!("{path} parses"),
        }
    }

    #[test]
    fn refs_are_found_in_yaml_and_json_forms() {
        let yaml = file(
            "a.yaml",
            "a:\n  $ref: '#/components/x'\nb: {$ref: \"other.yaml#/y\"}\nc:\n  - $ref: plain.yaml\n",
        );
        assert_eq!(yaml.ref_position("#/components/x", 0), (2, 3));
        assert_eq!(yaml.ref_position("other.yaml#/y", 0), (3, 5));
        assert_eq!(yaml.ref_position("plain.yaml", 0), (5, 5));
        let json = file("a.json", "{\n  \"a\": { \"$ref\": \"#\\/defs\\/x\" }\n}\n");
        assert_eq!(json.ref_position("#/defs/x", 0), (2, 10));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let Err(ReadError::Syntax(line, _, message, _)) =
            SpecFile::parse("x.yaml".into(), "x".into(), "a: 1\nb: [1, 2\nc: 3\n".into())
        else {
            panic!("a syntax error")
        };
        assert!(line >= 2, "{line}: {message}");
        let Err(ReadError::Syntax(line, column, ..)) =
            SpecFile::parse("x.json".into(), "x".into(), "{\n  \"a\": 1,\n}\n".into())
        else {
            panic!("a syntax error")
        };
        assert_eq!((line, column), (3, 1));
    }

    #[test]
    fn keys_are_found_by_section() {
        let f = file(
            "a.yaml",
            "openapi: 3.0.3\npaths:\n  /orders:\n    get: {}\n  /orders/{id}:\n    post: {}\n",
        );
        assert_eq!(f.entry_line("paths", "/orders/{id}"), 5);
        assert_eq!(f.key_line("openapi"), 1);
    }
}
