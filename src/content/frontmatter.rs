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
    // The opening line is `---`, trailing spaces or tabs allowed (no other
    // white space: `---` and a no-break space is text).
    let (first, rest) = match text.split_once('\n') {
        Some((first, rest)) => (first, rest),
        None => (text, ""),
    };
    if first.trim_end_matches([' ', '\t']) != "---" {
        return None;
    }
    let start = text.len() - rest.len();
    let mut offset = start;
    for line in rest.split_inclusive('\n') {
        let content = line.trim_end_matches([' ', '\t', '\n']);
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

/// Frontmatter larger than this is not parsed.
pub const MAX_FRONTMATTER_BYTES: usize = 256 * 1024;
/// Deeper nesting (flow brackets or block indentation) is not parsed:
/// libyaml's cost grows with the square of the depth.
pub const MAX_NESTING: usize = 64;

/// Why the YAML is not handed to the parser at all, if it is too big or
/// too deep: (line, message).
fn over_limits(yaml: &str, first_line: usize) -> Option<(usize, String)> {
    if yaml.len() > MAX_FRONTMATTER_BYTES {
        return Some((
            first_line,
            format!(
                "frontmatter is {} bytes, over the limit of {MAX_FRONTMATTER_BYTES}",
                yaml.len()
            ),
        ));
    }
    let mut indents: Vec<usize> = Vec::new();
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_start_matches([' ', '-']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        while indents.last().is_some_and(|&d| d >= indent) {
            indents.pop();
        }
        indents.push(indent);
        let mut depth = indents.len();
        let mut quote: Option<char> = None;
        let mut flow = 0usize;
        for c in trimmed.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => {
                    flow += 1;
                    depth = depth.max(indents.len() + flow);
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                (None, '#') => break,
                _ => {}
            }
        }
        if depth > MAX_NESTING {
            return Some((
                first_line + i,
                format!("frontmatter nests deeper than {MAX_NESTING} levels"),
            ));
        }
    }
    None
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
    if let Some((line, message)) = over_limits(split.yaml, split.yaml_first_line) {
        return Frontmatter {
            fields: Vec::new(),
            syntax_errors: vec![SyntaxError {
                line,
                column: None,
                message,
            }],
            repaired_lines,
        };
    }
    let mut yaml = split.yaml.to_owned();
    let parsed = loop {
        match serde_yaml::from_str::<Value>(&yaml) {
            Ok(value) => break Ok(value),
            Err(e) => {
                let location = e.location();
                let big_number = e.to_string().contains("invalid type: integer");
                let repaired = location.as_ref().is_some_and(|loc| {
                    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
                    // libyaml reports some of these errors on the next line.
                    let at = loc.line().saturating_sub(1);
                    let fixed = if big_number {
                        quote_number(&mut lines, at, loc.column().saturating_sub(1)).then_some(at)
                    } else {
                        [at, at.saturating_sub(1)]
                            .into_iter()
                            .find(|&i| repair_line(&mut lines, i))
                    };
                    if let Some(i) = fixed.filter(|_| !big_number) {
                        repaired_lines.push(split.yaml_first_line + i);
                    }
                    if fixed.is_some() {
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
            let message = clean_yaml_message(&e.to_string());
            let duplicate = duplicate_key_line(&message, &yaml, split.yaml_first_line);
            let (line, column) = match (duplicate, e.location()) {
                (Some(line), _) => (line, Some(1)),
                (None, Some(loc)) => {
                    let line = split.yaml_first_line + loc.line().saturating_sub(1);
                    if line > last_line {
                        (last_line, None)
                    } else {
                        (line, Some(loc.column()))
                    }
                }
                (None, None) => (split.yaml_first_line.saturating_sub(1), None),
            };
            frontmatter.syntax_errors.push(SyntaxError {
                line,
                column,
                message,
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

/// libyaml reports a duplicate key at the mapping's start; the second
/// occurrence is what the author must fix.
fn duplicate_key_line(message: &str, yaml: &str, first_line: usize) -> Option<usize> {
    let key = message
        .strip_prefix("duplicate entry with key \"")?
        .split('"')
        .next()?;
    scan_keys(yaml, first_line)
        .iter()
        .filter(|k| k.key == key)
        .nth(1)
        .map(|k| k.line)
}

/// Quotes the number starting at `column` of `line_index` (one too big for
/// 64 bits), so its text is kept instead of the frontmatter being lost.
fn quote_number(lines: &mut [String], line_index: usize, column: usize) -> bool {
    let Some(line) = lines.get(line_index) else {
        return false;
    };
    let Some(start) = line.char_indices().nth(column).map(|(i, _)| i) else {
        return false;
    };
    let len = line[start..]
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '_')))
        .unwrap_or(line.len() - start);
    if len == 0 {
        return false;
    }
    let quoted = format!(
        "{}\"{}\"{}",
        &line[..start],
        &line[start..start + len],
        &line[start + len..]
    );
    lines[line_index] = quoted;
    true
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

/// The text of a plain (unquoted, single-line) scalar as written, so
/// `version: 1.10` stays `1.10` and a 45-digit id keeps its digits.
fn plain_text(raw: &str) -> Option<String> {
    let raw = match raw.find(" #") {
        Some(i) => &raw[..i],
        None => raw,
    }
    .trim();
    let plain =
        !raw.is_empty() && !raw.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '#']);
    plain.then(|| raw.to_owned())
}

/// The entries of a flow list `[a, "b, c", d]` as written, each with its
/// character offset in `raw`. None when `raw` is not one flow list.
fn flow_items(raw: &str) -> Option<Vec<(usize, String)>> {
    let inner = raw.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut start = 0usize;
    let push = |from: usize, to: usize, items: &mut Vec<(usize, String)>| {
        let piece = &inner[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let text = piece.trim();
        if !text.is_empty() {
            items.push((1 + inner[..from + lead].chars().count(), text.to_owned()));
        }
    };
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                push(start, i, &mut items);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start, inner.len(), &mut items);
    Some(items)
}

fn convert(value: &Value, position: Option<&KeyLine>, key_line: usize) -> FieldValue {
    match value {
        Value::Null => FieldValue::Null,
        Value::Sequence(seq) => {
            let scanned = position.map(|k| k.items.as_slice()).unwrap_or(&[]);
            let flow_line = position.map(|k| k.raw_value.as_str()).unwrap_or("");
            let flow = flow_items(flow_line).filter(|f| f.len() == seq.len());
            let items = seq
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let text = scalar_text(item);
                    let keep_raw = |raw: &str, text: Option<String>| match item {
                        Value::Number(_) => plain_text(raw).or(text),
                        _ => text,
                    };
                    match scanned.get(i).filter(|_| scanned.len() == seq.len()) {
                        Some(at) => ListItem {
                            text: keep_raw(&at.raw, text),
                            raw: at.raw.clone(),
                            line: at.line,
                            column: Some(at.column),
                        },
                        None => {
                            // A flow list `[a, b]` on the key's own line.
                            let entry = flow.as_ref().and_then(|f| f.get(i));
                            let column = entry.map(|(offset, _)| {
                                position.and_then(|k| k.value_column).unwrap_or(1) + offset
                            });
                            let text = match entry {
                                Some((_, raw)) => keep_raw(raw, text),
                                None => text,
                            };
                            ListItem {
                                raw: entry
                                    .map(|(_, raw)| raw.clone())
                                    .or_else(|| text.clone())
                                    .unwrap_or_default(),
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
        Value::Number(_) => FieldValue::Text(
            position
                .and_then(|k| plain_text(&k.raw_value))
                .or_else(|| scalar_text(value))
                .unwrap_or_default(),
        ),
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
    fn flow_list_columns_point_at_each_entry() {
        let fm = parse_text("---\ntags: [ab, a, \"c, d\"]\n---\n");
        let FieldValue::List(items) = &fm.fields[0].value else {
            panic!("list")
        };
        let cols: Vec<_> = items.iter().map(|i| i.column).collect();
        assert_eq!(cols, [Some(8), Some(12), Some(15)]);
    }

    #[test]
    fn scalars_keep_their_text() {
        let fm = parse_text("---\nversion: 1.10\nid: 123456789012345678901234567890123456789012345\nbig: 123456789012345678901234567890\nlist: [1.10, 2.0]\nn: 7 # seven\n---\n");
        assert!(
            fm.syntax_errors.is_empty(),
            "{:?}",
            fm.syntax_errors
                .iter()
                .map(|e| &e.message)
                .collect::<Vec<_>>()
        );
        let text = |i: usize| fm.fields[i].as_text().map(str::to_owned);
        assert_eq!(text(0).as_deref(), Some("1.10"));
        assert_eq!(
            text(1).as_deref(),
            Some("123456789012345678901234567890123456789012345")
        );
        assert_eq!(text(2).as_deref(), Some("123456789012345678901234567890"));
        assert_eq!(fm.fields[3].list_texts(), ["1.10", "2.0"]);
        assert_eq!(text(4).as_deref(), Some("7"));
    }

    #[test]
    fn duplicate_key_is_reported_at_the_duplicate() {
        let fm = parse_text("---\ntitle: a\ntags: [x]\ntitle: b\n---\n");
        assert_eq!(
            fm.syntax_errors[0].line, 4,
            "{}",
            fm.syntax_errors[0].message
        );
    }

    #[test]
    fn deep_or_huge_frontmatter_is_refused_quickly() {
        let deep = format!(
            "---\nx: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        // Reaching libyaml, this input would take minutes (quadratic).
        let fm = parse_text(&deep);
        assert!(fm.syntax_errors[0].message.contains("deeper than"));
        let mut block = String::from("---\n");
        for i in 0..100 {
            block.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        block.push_str("---\n");
        assert!(parse_text(&block).syntax_errors[0]
            .message
            .contains("deeper than"));
        let huge = format!("---\nx: \"{}\"\n---\n", "a".repeat(300_000));
        assert!(parse_text(&huge).syntax_errors[0]
            .message
            .contains("over the limit"));
    }

    #[test]
    fn delimiters_with_trailing_space_and_nbsp() {
        let s = split("--- \ntitle: x\n---  \nbody").unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert!(split("---\u{a0}\ntitle: x\n---\n").is_none());
        assert!(split("---\u{a0}").is_none());
        assert!(split("---").is_some());
    }

    #[test]
    fn unclosed_frontmatter_is_detected() {
        let s = split("---\ntitle: x\n").unwrap();
        assert!(!s.closed);
        assert!(split("# Title\n").is_none());
    }
}
