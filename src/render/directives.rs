//! What a mermaid definition may configure about its own rendering.
//!
//! `%%{init: …}%%` directives and a definition's `---` frontmatter `config`
//! can set anything mermaid knows: `themeCSS` (CSS that loads from
//! anywhere when the page opens), `securityLevel`, `htmlLabels`... Only
//! looks and layout pass: the theme, its variables, and the per-diagram
//! layout options. Everything else is removed before mermaid sees the
//! definition, and the author is told which keys went.

use serde_json::{Map, Value};

/// Top-level configuration keys a definition may set.
const ALLOWED_KEYS: &[&str] = &[
    "theme",
    "themeVariables",
    "look",
    "layout",
    "darkMode",
    "fontSize",
    "fontFamily",
    "altFontFamily",
    "wrap",
    "htmlLabels",
    "logLevel",
    "deterministicIds",
    "deterministicIDSeed",
    "markdownAutoWrap",
    "arrowMarkerAbsolute",
    "elk",
    "flowchart",
    "sequence",
    "gantt",
    "journey",
    "timeline",
    "class",
    "state",
    "er",
    "pie",
    "quadrantChart",
    "xyChart",
    "requirement",
    "mindmap",
    "kanban",
    "gitGraph",
    "c4",
    "sankey",
    "packet",
    "block",
    "radar",
    "architecture",
    "treemap",
    "treeView",
];

/// Keys removed wherever they stand, even inside an allowed section.
const NEVER: &[&str] = &[
    "themeCSS",
    "securityLevel",
    "startOnLoad",
    "secure",
    "dompurifyConfig",
    "maxTextSize",
    "maxEdges",
];

/// The definition as mermaid may see it, and the keys (or directives)
/// that were removed.
pub struct Cleaned {
    pub definition: String,
    pub removed: Vec<String>,
}

pub fn clean(definition: &str) -> Cleaned {
    let mut removed = Vec::new();
    let (frontmatter, rest) = split_frontmatter(definition);
    let mut out = String::with_capacity(definition.len());
    if let Some(yaml) = frontmatter {
        out.push_str(&clean_frontmatter(yaml, &mut removed));
    }
    let mut rest = rest;
    while let Some(start) = rest.find("%%{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("}%%") else {
            // Unclosed: mermaid ignores it as a comment; so do we, whole.
            removed.push("an unclosed %%{ directive".to_owned());
            rest = "";
            break;
        };
        out.push_str(&clean_directive(&after[..end], &mut removed));
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    // serde_json's map order depends on its features: sort for one answer.
    removed.sort();
    removed.dedup();
    Cleaned {
        definition: out,
        removed,
    }
}

fn split_frontmatter(definition: &str) -> (Option<&str>, &str) {
    let trimmed = definition.trim_start();
    let Some(after) = trimmed.strip_prefix("---") else {
        return (None, definition);
    };
    let Some(after) = after
        .strip_prefix('\n')
        .or_else(|| after.strip_prefix("\r\n"))
    else {
        return (None, definition);
    };
    match after.find("\n---") {
        Some(end) => {
            let close = end + 4;
            let rest = &after[close..];
            let rest = rest.strip_prefix('\n').unwrap_or(rest);
            (Some(&after[..end + 1]), rest)
        }
        None => (None, definition),
    }
}

fn clean_frontmatter(yaml: &str, removed: &mut Vec<String>) -> String {
    let Ok(value) = serde_yaml::from_str::<Value>(yaml) else {
        removed.push("frontmatter that is not valid YAML".to_owned());
        return String::new();
    };
    let Value::Object(map) = value else {
        removed.push("frontmatter that is not a mapping".to_owned());
        return String::new();
    };
    let mut kept = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "title" | "displayMode" if value.is_string() => {
                kept.insert(key, value);
            }
            "config" => {
                kept.insert(key, Value::Object(clean_config(value, removed)));
            }
            // Anything else at the top is not configuration: mermaid
            // ignores it, so it is dropped without a word.
            _ => {}
        }
    }
    // JSON is YAML: the cleaned frontmatter is written as one JSON line.
    format!(
        "---\n{}\n---\n",
        serde_json::to_string(&Value::Object(kept)).unwrap_or_else(|_| "{}".to_owned())
    )
}

fn clean_directive(inner: &str, removed: &mut Vec<String>) -> String {
    // Directives are JSON5-ish (`init: {'theme': 'dark'}`); a YAML flow
    // mapping reads them.
    let parsed = serde_yaml::from_str::<Value>(&format!("{{{inner}}}"));
    let Ok(Value::Object(map)) = parsed else {
        removed.push("a %%{ directive that cannot be read".to_owned());
        return String::new();
    };
    let mut out = String::new();
    for (kind, value) in map {
        match kind.as_str() {
            "init" | "initialize" | "config" => {
                let config = clean_config(value, removed);
                out.push_str(&format!(
                    "%%{{init: {}}}%%",
                    serde_json::to_string(&Value::Object(config)).unwrap_or_else(|_| "{}".into())
                ));
            }
            "wrap" => out.push_str("%%{wrap}%%"),
            other => removed.push(format!("the `{other}` directive")),
        }
    }
    out
}

fn clean_config(value: Value, removed: &mut Vec<String>) -> Map<String, Value> {
    let Value::Object(map) = value else {
        return Map::new();
    };
    let mut kept = Map::new();
    for (key, value) in map {
        if !ALLOWED_KEYS.contains(&key.as_str()) || NEVER.contains(&key.as_str()) {
            removed.push(key);
            continue;
        }
        match strip_never(value, &key, removed, 0) {
            Some(v) => {
                kept.insert(key, v);
            }
            None => removed.push(key),
        }
    }
    kept
}

/// Removes [`NEVER`] keys at any depth; values stay plain data (strings,
/// numbers, booleans, lists, maps) and no string may carry markup or CSS
/// that reaches outside.
fn strip_never(value: Value, path: &str, removed: &mut Vec<String>, depth: usize) -> Option<Value> {
    if depth > 8 {
        return None;
    }
    match value {
        Value::Object(map) => {
            let mut kept = Map::new();
            for (key, v) in map {
                let here = format!("{path}.{key}");
                if NEVER.contains(&key.as_str()) {
                    removed.push(here);
                    continue;
                }
                match strip_never(v, &here, removed, depth + 1) {
                    Some(v) => {
                        kept.insert(key, v);
                    }
                    None => removed.push(here),
                }
            }
            Some(Value::Object(kept))
        }
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .filter_map(|v| strip_never(v, path, removed, depth + 1))
                .collect(),
        )),
        Value::String(s) => {
            let lower = s.to_ascii_lowercase();
            let unsafe_text = [
                "<",
                "url(",
                "@import",
                "expression(",
                "javascript:",
                "}",
                "{",
            ]
            .iter()
            .any(|bad| lower.contains(bad));
            (!unsafe_text).then_some(Value::String(s))
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_css_and_security_level_are_removed() {
        let c = clean("%%{init: {'theme': 'dark', 'themeCSS': '.x{background:url(https://evil.example/a)}', 'securityLevel': 'loose', flowchart: {curve: 'basis', htmlLabels: true}, fontFamily: 'x;} @import url(https://evil.example)'}}%%\ngraph LR\n  a-->b\n");
        assert!(!c.definition.contains("evil"), "{}", c.definition);
        assert!(!c.definition.contains("loose"));
        assert!(
            c.definition.contains("\"theme\":\"dark\""),
            "{}",
            c.definition
        );
        assert!(c.definition.contains("\"curve\":\"basis\""));
        assert!(c.definition.contains("\"htmlLabels\":true"));
        assert!(c.definition.ends_with("\ngraph LR\n  a-->b\n"));
        assert_eq!(c.removed, ["fontFamily", "securityLevel", "themeCSS"]);
    }

    #[test]
    fn frontmatter_config_is_cleaned() {
        let c = clean("---\ntitle: Flow\nconfig:\n  theme: forest\n  themeCSS: \"@import url(https://evil.example)\"\n  themeVariables:\n    primaryColor: \"red;} @import url(https://evil.example);\"\n---\ngraph TD\n  a-->b\n");
        assert!(!c.definition.contains("evil"), "{}", c.definition);
        assert!(c.definition.contains("\"title\":\"Flow\""));
        assert!(c.definition.contains("forest"));
        assert!(c.definition.contains("graph TD"));
        assert_eq!(c.removed.len(), 2, "{:?}", c.removed);
    }

    #[test]
    fn plain_definitions_are_untouched() {
        let d = "sequenceDiagram\n  A->>B: hi %% a comment\n";
        let c = clean(d);
        assert_eq!(c.definition, d);
        assert!(c.removed.is_empty());
    }

    #[test]
    fn unreadable_directives_go() {
        let c = clean("%%{init: {{{ }%%\ngraph LR\n");
        assert_eq!(c.definition, "\ngraph LR\n");
        assert_eq!(c.removed.len(), 1);
    }
}
