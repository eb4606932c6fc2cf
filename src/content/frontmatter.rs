//! YAML frontmatter with a line number for every value.
//!
//! serde_yaml gives values without positions, so a small line scanner finds
//! where each top-level key and each of its list entries stands; the two are
//! joined by key. Diagnostics can then point at the entry's own line.

use std::sync::LazyLock;

use regex::Regex;
use serde_yaml::Value;

use super::field::{Field, FieldOrigin, FieldValue, ListItem};

pub struct Frontmatter {
    pub fields: Vec<Field>,
    /// Problems that stop the YAML from being read at all.
    pub syntax_errors: Vec<SyntaxError>,
    /// File lines where an unquoted `[placeholder] text` value made the YAML
    /// invalid; they were read as quoted text so the rest could be checked.
    pub repaired_lines: Vec<usize>,
}

pub struct SyntaxError {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

/// Where the frontmatter block and the body are in the text.
pub struct Split<'a> {
    pub yaml: &'a str,
    /// File line of the first YAML line (the one after the opening `---`).
    pub yaml_first_line: usize,
    pub body_offset: usize,
    /// False when the closing `---` is missing; the whole text is then body.
    pub closed: bool,
}

pub fn split(text: &str) -> Option<Split<'_>> {
    let rest = text.strip_prefix("---\n").or_else(|| {
        (text.trim_end() == "---" || text.starts_with("--- \n")).then(|| &text[4.min(text.len())..])
    })?;
    let start = text.len() - rest.len();
    let mut offset = start;
    for line in rest.split_inclusive('\n') {
        let content = line.trim_end();
        if content == "---" || content == "..." {
            return Some(Split {
                yaml: &text[start..offset],
                yaml_first_line: 2,
                body_offset: offset + line.len(),
                closed: true,
            });
        }
        offset += line.len();
    }
    Some(Split {
        yaml: "",
        yaml_first_line: 2,
        body_offset: 0,
        closed: false,
    })
}

/// A top-level key as it stands in the text.
struct KeyLine {
    key: String,
    line: usize,
    value_column: Option<usize>,
    raw_value: String,
    items: Vec<ItemLine>,
}

struct ItemLine {
    raw: String,
    line: usize,
    column: usize,
}

static KEY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s:#\-'"][^:#]*?)\s*:(?:[ \t]+(.*?))?\s*$"#)
        .expect("valid regex")
});

fn scan_keys(yaml: &str, first_line: usize) -> Vec<KeyLine> {
    let mut keys: Vec<KeyLine> = Vec::new();
    let mut item_indent: Option<usize> = None;
    for (i, line) in yaml.lines().enumerate() {
        let file_line = first_line + i;
        if let Some(caps) = KEY_RE.captures(line) {
            let key = caps[1].trim_matches(|c| c == '"' || c == '\'').to_owned();
            let value = caps.get(2);
            keys.push(KeyLine {
                key,
                line: file_line,
                value_column: value.map(|m| line[..m.start()].chars().count() + 1),
                raw_value: value.map(|m| m.as_str().to_owned()).unwrap_or_default(),
                items: Vec::new(),
            });
            item_indent = None;
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if (trimmed.starts_with("- ") || trimmed == "-") && item_indent.is_none_or(|i| i == indent)
        {
            if let Some(key) = keys.last_mut() {
                item_indent = Some(indent);
                let raw = trimmed[1..].trim().to_owned();
                key.items.push(ItemLine {
                    raw,
                    line: file_line,
                    column: line[..indent].chars().count() + 3,
                });
            }
        }
    }
    keys
}

static UNQUOTED_BRACKET_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*(?:-\s+)?(?:[^\s:#\-'\x22][^:#]*?:\s+)?)(\[[^\]\n]*\][^#\n]*?\S)\s*$")
        .expect("valid regex")
});

/// Quotes a `[Placeholder] text` value on `line_index` if that is what stands
/// there; returns whether the text changed.
fn repair_line(lines: &mut [String], line_index: usize) -> bool {
    let Some(line) = lines.get(line_index) else {
        return false;
    };
    let Some(caps) = UNQUOTED_BRACKET_VALUE.captures(line) else {
        return false;
    };
    let value = &caps[2];
    // `[a, b]` alone is a valid flow list; only text after the bracket breaks it.
    if value.ends_with(']') && value.matches('[').count() == 1 {
        return false;
    }
    let quoted = format!("{}'{}'", &caps[1], value.replace('\'', "''"));
    lines[line_index] = quoted;
    true
}

pub fn parse(split: &Split<'_>) -> Frontmatter {
    let mut repaired_lines = Vec::new();
    let mut yaml = split.yaml.to_owned();
    let parsed = loop {
        match serde_yaml::from_str::<Value>(&yaml) {
            Ok(value) => break Ok(value),
            Err(e) => {
                let location = e.location();
                let repaired = location.as_ref().is_some_and(|loc| {
                    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
                    // libyaml reports some of these errors on the next line.
                    let at = loc.line().saturating_sub(1);
                    let fixed = [at, at.saturating_sub(1)]
                        .into_iter()
                        .find(|&i| repair_line(&mut lines, i));
                    if let Some(i) = fixed {
                        repaired_lines.push(split.yaml_first_line + i);
                        yaml = lines.join("\n");
                        yaml.push('\n');
                    }
                    fixed.is_some()
                });
                if !repaired || repaired_lines.len() > 64 {
                    break Err(e);
                }
            }
        }
    };

    let mut frontmatter = Frontmatter {
        fields: Vec::new(),
        syntax_errors: Vec::new(),
        repaired_lines,
    };
    let value = match parsed {
        Ok(value) => value,
        Err(e) => {
            // An error found at the end of the block ("did not find expected
            // ']'") is about its last line, not the closing `---`.
            let last_line = split.yaml_first_line + split.yaml.lines().count().max(1) - 1;
            let (line, column) = match e.location() {
                Some(loc) => {
                    let line = split.yaml_first_line + loc.line().saturating_sub(1);
                    if line > last_line {
                        (last_line, None)
                    } else {
                        (line, Some(loc.column()))
                    }
                }
                None => (split.yaml_first_line.saturating_sub(1), None),
            };
            frontmatter.syntax_errors.push(SyntaxError {
                line,
                column,
                message: clean_yaml_message(&e.to_string()),
            });
            return frontmatter;
        }
    };
    let mapping = match value {
        Value::Mapping(m) => m,
        Value::Null => return frontmatter,
        _ => {
            frontmatter.syntax_errors.push(SyntaxError {
                line: split.yaml_first_line,
                column: Some(1),
                message: "frontmatter is not a mapping of `key: value` lines".to_owned(),
            });
            return frontmatter;
        }
    };

    let key_lines = scan_keys(&yaml, split.yaml_first_line);
    for (key, value) in mapping {
        let key = scalar_text(&key).unwrap_or_else(|| "?".to_owned());
        let position = key_lines.iter().find(|k| k.key == key);
        let line = position.map_or(split.yaml_first_line, |k| k.line);
        let column = position.and_then(|k| k.value_column);
        let raw = position.map(|k| k.raw_value.clone()).unwrap_or_default();
        let value = convert(&value, position, line);
        frontmatter.fields.push(Field {
            key,
            value,
            raw,
            line,
            column,
            origin: FieldOrigin::Frontmatter,
        });
    }
    frontmatter
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

fn convert(value: &Value, position: Option<&KeyLine>, key_line: usize) -> FieldValue {
    match value {
        Value::Null => FieldValue::Null,
        Value::Sequence(seq) => {
            let scanned = position.map(|k| k.items.as_slice()).unwrap_or(&[]);
            let flow_line = position.map(|k| k.raw_value.as_str()).unwrap_or("");
            let items = seq
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let text = scalar_text(item);
                    match scanned.get(i).filter(|_| scanned.len() == seq.len()) {
                        Some(at) => ListItem {
                            text,
                            raw: at.raw.clone(),
                            line: at.line,
                            column: Some(at.column),
                        },
                        None => {
                            // A flow list `[a, b]` on the key's own line.
                            let column = text.as_deref().and_then(|t| {
                                flow_line.find(t).map(|off| {
                                    position.and_then(|k| k.value_column).unwrap_or(1)
                                        + flow_line[..off].chars().count()
                                })
                            });
                            ListItem {
                                raw: text.clone().unwrap_or_default(),
                                text,
                                line: key_line,
                                column,
                            }
                        }
                    }
                })
                .collect();
            FieldValue::List(items)
        }
        Value::Mapping(_) => FieldValue::Map,
        Value::Tagged(t) => convert(&t.value, position, key_line),
        scalar => FieldValue::Text(scalar_text(scalar).unwrap_or_default()),
    }
}

/// libyaml's messages end with "at line N column M" of the block; the
/// diagnostic carries the file position itself, so that tail only misleads.
fn clean_yaml_message(message: &str) -> String {
    static TAIL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*at line \d+ column \d+").expect("valid regex"));
    TAIL.replace_all(message, "").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Frontmatter {
        parse(&split(text).expect("has frontmatter"))
    }

    #[test]
    fn values_carry_file_lines() {
        let fm = parse_text("---\ntitle: Stripe\ntags:\n  - payments\n  - cards\n---\nbody");
        assert_eq!(fm.fields[0].line, 2);
        let FieldValue::List(items) = &fm.fields[1].value else {
            panic!("tags is a list")
        };
        assert_eq!(items[1].line, 5);
        assert_eq!(items[1].column, Some(5));
        assert_eq!(items[1].text.as_deref(), Some("cards"));
    }

    #[test]
    fn flow_list_items_are_on_the_key_line() {
        let fm = parse_text("---\ntags: [a, bee]\n---\n");
        let FieldValue::List(items) = &fm.fields[0].value else {
            panic!("list")
        };
        assert_eq!((items[1].line, items[1].column), (2, Some(11)));
    }

    #[test]
    fn syntax_error_is_at_the_file_line() {
        let fm = parse_text("---\ntitle: ok\ntags: [a, b\nother: x\n---\n");
        assert_eq!(fm.syntax_errors.len(), 1);
        let e = &fm.syntax_errors[0];
        assert!(e.line >= 3, "line {}", e.line);
        assert!(!e.message.contains("at line"), "{}", e.message);
    }

    #[test]
    fn unquoted_placeholder_values_are_recovered() {
        let fm =
            parse_text("---\ntitle: [Integration Name] Integration\ntags: [integration, x]\n---\n");
        assert!(fm.syntax_errors.is_empty());
        assert_eq!(fm.repaired_lines, vec![2]);
        assert_eq!(
            fm.fields[0].as_text(),
            Some("[Integration Name] Integration")
        );
    }

    #[test]
    fn unclosed_frontmatter_is_detected() {
        let s = split("---\ntitle: x\n").unwrap();
        assert!(!s.closed);
        assert!(split("# Title\n").is_none());
    }
}
