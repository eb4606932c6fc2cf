//! A JSON Schema (OpenAPI's and AsyncAPI's dialects alike) flattened into
//! the rows of a nested table: one row per property, nested properties
//! indented under theirs. References are followed; a schema met again on
//! its own path is named, not expanded, and depth and rows are bounded, so
//! a recursive or huge schema never makes a huge page.

use serde::Serialize;
use serde_yaml::Value;

use super::refs::FileSet;

const MAX_DEPTH: usize = 6;
const MAX_ROWS: usize = 300;
/// An example longer than this is cut, with a note.
const MAX_EXAMPLE_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaRow {
    /// 0 for top-level properties.
    pub depth: usize,
    pub name: String,
    /// `string (date-time)`, `array of Order`, `integer | null`.
    pub type_label: String,
    pub required: bool,
    pub description: String,
    /// Enum values, defaults, bounds, `deprecated`, `read-only`.
    pub notes: Vec<String>,
}

/// A schema as a reader sees it: its type and the rows of its properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    pub type_label: String,
    pub description: String,
    pub rows: Vec<SchemaRow>,
    /// Rows were left out (depth or count).
    pub truncated: bool,
}

pub fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Schema nodes visited for one schema at most: `allOf` of `allOf`s can
/// fan out far faster than rows grow.
const MAX_VISITS: usize = 5000;
/// Levels of `array of array of ...` a type label spells out.
const MAX_LABEL_DEPTH: usize = 4;

/// What a walk over one schema gathers: the named schemas on the current
/// path (recursion ends at one met again), the rows, whether any were cut.
#[derive(Default)]
struct Acc {
    stack: Vec<String>,
    rows: Vec<SchemaRow>,
    truncated: bool,
}

pub struct Walker<'a> {
    pub files: &'a FileSet,
    visits: std::cell::Cell<usize>,
}

impl<'a> Walker<'a> {
    pub fn new(files: &'a FileSet) -> Walker<'a> {
        Walker {
            files,
            visits: std::cell::Cell::new(0),
        }
    }

    /// A label alone (a parameter's type).
    pub fn label(&self, file: &str, value: &Value) -> String {
        match self.files.follow(file, value) {
            Some((f, v, name)) => self.type_label(f, v, name.as_deref(), 0),
            None => "(unresolved $ref)".to_owned(),
        }
    }

    pub fn schema(&self, file: &str, value: &Value) -> Schema {
        self.visits.set(0);
        let mut acc = Acc::default();
        let Some((f, v, name)) = self.files.follow(file, value) else {
            return Schema {
                type_label: "(unresolved $ref)".to_owned(),
                ..Schema::default()
            };
        };
        if let Some(n) = &name {
            acc.stack.push(n.clone());
        }
        let type_label = self.type_label(f, v, name.as_deref(), 0);
        self.properties(f, v, 0, &mut acc);
        Schema {
            type_label,
            description: text(field(v, "description")),
            rows: acc.rows,
            truncated: acc.truncated,
        }
    }

    /// The label of a schema: its type, format and the name it was
    /// referenced by.
    fn type_label(&self, file: &str, v: &Value, name: Option<&str>, depth: usize) -> String {
        // Below the top, a named schema is its name: that also ends the
        // labels of recursive schemas.
        if let (Some(n), true) = (name, depth > 0) {
            return n.to_owned();
        }
        if depth > MAX_LABEL_DEPTH {
            return "…".to_owned();
        }
        let mut label = match field(v, "type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Sequence(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | "),
            _ => String::new(),
        };
        if label == "array" || label.starts_with("array |") {
            if let Some(items) = field(v, "items") {
                let item = match self.files.follow(file, items) {
                    Some((f, iv, n)) => self.type_label(f, iv, n.as_deref(), depth + 1),
                    None => "(unresolved $ref)".to_owned(),
                };
                label = label.replacen("array", &format!("array of {item}"), 1);
            }
        }
        for (key, word) in [("oneOf", "one of"), ("anyOf", "any of")] {
            if let Some(Value::Sequence(options)) = field(v, key) {
                let names: Vec<String> = options
                    .iter()
                    .take(8)
                    .map(|o| match self.files.follow(file, o) {
                        Some((f, ov, n)) => self.type_label(f, ov, n.as_deref(), depth + 1),
                        None => "?".to_owned(),
                    })
                    .collect();
                label = format!("{word} {}", names.join(", "));
            }
        }
        if let Some(format) = field(v, "format").and_then(Value::as_str) {
            label = format!("{label} ({format})");
        }
        if field(v, "nullable").and_then(Value::as_bool) == Some(true) {
            label.push_str(" | null");
        }
        match (name, label.trim()) {
            (Some(n), "" | "object") => n.to_owned(),
            (Some(n), l) if !l.contains(n) => format!("{l} ({n})"),
            (_, "") if field(v, "properties").is_some() => "object".to_owned(),
            (_, "") => "any".to_owned(),
            (_, l) => l.to_owned(),
        }
    }

    /// The rows of `v`'s properties (and of `allOf` parts, array items and
    /// `oneOf` options), at `depth`.
    fn properties(&self, file: &str, v: &Value, depth: usize, acc: &mut Acc) {
        self.visits.set(self.visits.get() + 1);
        if depth >= MAX_DEPTH || self.visits.get() > MAX_VISITS {
            acc.truncated = true;
            return;
        }
        let required: Vec<&str> = match field(v, "required") {
            Some(Value::Sequence(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(Value::Sequence(parts)) = field(v, "allOf") {
            for part in parts {
                self.nested(file, part, depth, acc);
            }
        }
        if let Some(Value::Mapping(props)) = field(v, "properties") {
            for (key, prop) in props {
                if acc.rows.len() >= MAX_ROWS {
                    acc.truncated = true;
                    return;
                }
                let name = text(Some(key));
                let Some((f, pv, ref_name)) = self.files.follow(file, prop) else {
                    acc.rows.push(SchemaRow {
                        depth,
                        name,
                        type_label: "(unresolved $ref)".to_owned(),
                        required: false,
                        description: String::new(),
                        notes: Vec::new(),
                    });
                    continue;
                };
                let is_required = required.contains(&name.as_str());
                acc.rows.push(SchemaRow {
                    depth,
                    type_label: self.type_label(f, pv, ref_name.as_deref(), 0),
                    required: is_required,
                    description: text(field(pv, "description")),
                    notes: notes(pv),
                    name,
                });
                let recursive = ref_name.as_ref().is_some_and(|n| acc.stack.contains(n));
                if recursive {
                    if let Some(last) = acc.rows.last_mut() {
                        last.notes.push("recursive: see above".to_owned());
                    }
                    continue;
                }
                if let Some(n) = &ref_name {
                    acc.stack.push(n.clone());
                }
                self.children(f, pv, depth + 1, acc);
                if ref_name.is_some() {
                    acc.stack.pop();
                }
            }
        }
        if field(v, "properties").is_none() && field(v, "allOf").is_none() {
            // An array or a choice at the top: its items' or options' rows.
            self.children(file, v, depth, acc);
        }
    }

    /// The rows under a property: its own properties, its items', its
    /// options'.
    fn children(&self, file: &str, v: &Value, depth: usize, acc: &mut Acc) {
        if field(v, "properties").is_some() || field(v, "allOf").is_some() {
            self.properties(file, v, depth, acc);
            return;
        }
        if let Some(items) = field(v, "items") {
            self.nested(file, items, depth, acc);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Sequence(options)) = field(v, key) {
                for option in options {
                    self.nested(file, option, depth, acc);
                }
            }
        }
    }

    /// The rows of a schema reached through a reference, guarded against
    /// the reference's own recursion.
    fn nested(&self, file: &str, v: &Value, depth: usize, acc: &mut Acc) {
        let Some((f, nv, name)) = self.files.follow(file, v) else {
            return;
        };
        if name.as_ref().is_some_and(|n| acc.stack.contains(n)) {
            return;
        }
        if let Some(n) = &name {
            acc.stack.push(n.clone());
        }
        let has_rows = field(nv, "properties").is_some()
            || field(nv, "allOf").is_some()
            || field(nv, "items").is_some()
            || field(nv, "oneOf").is_some()
            || field(nv, "anyOf").is_some();
        if has_rows {
            self.properties(f, nv, depth, acc);
        }
        if name.is_some() {
            acc.stack.pop();
        }
    }
}

pub fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_mapping()?.get(key)
}

/// What a row says besides its type: allowed values, default, bounds.
fn notes(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Sequence(values)) = field(v, "enum") {
        let shown: Vec<String> = values.iter().take(20).map(inline).collect();
        let more = if values.len() > 20 {
            format!(" and {} more", values.len() - 20)
        } else {
            String::new()
        };
        out.push(format!("one of: {}{more}", shown.join(", ")));
    }
    if let Some(c) = field(v, "const") {
        out.push(format!("always {}", inline(c)));
    }
    if let Some(d) = field(v, "default") {
        out.push(format!("default: {}", inline(d)));
    }
    for (key, word) in [
        ("minimum", "min"),
        ("maximum", "max"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("pattern", "pattern"),
    ] {
        if let Some(value) = field(v, key) {
            out.push(format!("{word}: {}", inline(value)));
        }
    }
    for (key, word) in [
        ("deprecated", "deprecated"),
        ("readOnly", "read-only"),
        ("writeOnly", "write-only"),
    ] {
        if field(v, key).and_then(Value::as_bool) == Some(true) {
            out.push(word.to_owned());
        }
    }
    out
}

/// A short value for a table cell.
fn inline(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("\"{s}\""),
        other => serde_json::to_string(&to_json(other)).unwrap_or_default(),
    };
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// A YAML value as JSON (examples are shown as JSON, whatever the spec's
/// own format): keys that are not strings are written as strings.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
        Value::String(s) => s.clone().into(),
        Value::Sequence(items) => items.iter().map(to_json).collect(),
        Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                };
                (key, to_json(v))
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Value::Tagged(t) => to_json(&t.value),
    }
}

/// `v` as pretty JSON in the order the spec wrote its keys (serde_json's
/// maps would sort them). Scalars are written by serde_json, so strings
/// are escaped as JSON wants.
fn pretty_json(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Mapping(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (n, (k, item)) in map.iter().enumerate() {
                let key = match to_json(k) {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::Value::String(key).to_string());
                out.push_str(": ");
                pretty_json(item, indent + 1, out);
                out.push_str(if n + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Sequence(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (n, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                pretty_json(item, indent + 1, out);
                out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Tagged(t) => pretty_json(&t.value, indent, out),
        other => out.push_str(&to_json(other).to_string()),
    }
}

/// An example value as pretty JSON, references followed, cut at
/// [`MAX_EXAMPLE_BYTES`].
pub fn example_text(files: &FileSet, file: &str, v: &Value) -> String {
    let resolved = files.follow(file, v).map(|(_, v, _)| v).unwrap_or(v);
    let text = match resolved {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            pretty_json(other, 0, &mut out);
            out
        }
    };
    if text.len() > MAX_EXAMPLE_BYTES {
        let mut cut = MAX_EXAMPLE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!(
            "{}\n… (cut: the example is {} bytes)",
            &text[..cut],
            text.len()
        )
    } else {
        text
    }
}
