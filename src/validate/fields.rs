//! Field rules: types, dates, enums and patterns, unknown fields, staleness,
//! and the title every document needs.

use super::{parse_date, Ctx};
use crate::catalog::looks_like_placeholder;
use crate::config::{FieldType, UnknownFields};
use crate::content::field::{Field, FieldOrigin, FieldValue};
use crate::content::Doc;
use crate::diagnostics::{closest, Diagnostic};

/// The fields the seed templates use, with the type each must have.
pub const KNOWN_FIELDS: &[(&str, FieldType)] = &[
    ("title", FieldType::String),
    ("description", FieldType::String),
    ("name", FieldType::String),
    ("id", FieldType::String),
    ("type", FieldType::String),
    ("status", FieldType::String),
    ("service", FieldType::String),
    ("last_updated", FieldType::Date),
    ("created", FieldType::Date),
    ("contributors", FieldType::List),
    ("author", FieldType::String),
    ("related_files", FieldType::List),
    ("related", FieldType::List),
    ("tags", FieldType::List),
    ("ai_agent_relevance", FieldType::List),
    ("sev_level", FieldType::String),
    ("review_status", FieldType::String),
    ("purpose", FieldType::String),
    ("protocol", FieldType::String),
    ("direction", FieldType::String),
    ("critical_path", FieldType::String),
    ("maintained_by", FieldType::String),
    ("source", FieldType::String),
    ("destination", FieldType::String),
    ("owner", FieldType::String),
    ("openapi", FieldType::List),
    ("asyncapi", FieldType::List),
];

pub(super) fn field_type(ctx: &Ctx<'_>, key: &str) -> Option<FieldType> {
    ctx.config
        .fields
        .get(key)
        .and_then(|r| r.field_type)
        .or_else(|| {
            KNOWN_FIELDS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, t)| *t)
        })
}

fn is_known(ctx: &Ctx<'_>, key: &str) -> bool {
    ctx.config.fields.contains_key(key) || KNOWN_FIELDS.iter().any(|(k, _)| *k == key)
}

/// The text inside a one-entry flow list `[text]`, if that is what `raw` is.
fn single_flow_entry(raw: &str) -> Option<&str> {
    let inner = raw.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    (!inner.is_empty() && !inner.contains([',', '[', ']', '"', '\''])).then_some(inner)
}

/// Whether a field value written as `[text]` is the template's bracket
/// rather than a list the author meant. Where one value is expected any
/// `[Service Name]` is; where a list is expected only text that reads like
/// a description (`[List of contributors]`), since `[Lena Vogel]` is a
/// real one-name list.
pub fn is_bracket_placeholder(raw: &str, expected: Option<FieldType>) -> bool {
    let Some(inner) = single_flow_entry(raw) else {
        return false;
    };
    if matches!(expected, Some(FieldType::String | FieldType::Date)) {
        return true;
    }
    let mut words = inner.split_whitespace();
    words.next().is_some() && words.any(|w| w.starts_with(|c: char| c.is_lowercase()))
}

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    // Broken YAML hides the title it may well have: one error is enough.
    if doc.title.is_none() && doc.yaml_errors.is_empty() && !doc.unclosed_frontmatter {
        out.push(
            Diagnostic::error(
                &doc.source_path,
                1,
                "missing-title",
                "document has no title",
            )
            .help("add `title:` to the frontmatter or start the body with a `# Heading`")
            .source_from(&doc.text),
        );
    }
    for field in &doc.fields {
        check_type(ctx, doc, field, out);
        check_rule(ctx, doc, field, out);
        if field.origin == FieldOrigin::Frontmatter {
            check_unknown(ctx, doc, field, out);
        }
    }
    check_stale(ctx, doc, out);
}

fn check_type(ctx: &Ctx<'_>, doc: &Doc, field: &Field, out: &mut Vec<Diagnostic>) {
    let Some(expected) = field_type(ctx, &field.key) else {
        return;
    };
    let at = |line: usize, column: Option<usize>, message: String, help: &str| {
        Diagnostic::error(&doc.source_path, line, "field-type", message)
            .column(column)
            .help(help)
            .source_from(&doc.text)
    };
    match (expected, &field.value) {
        (_, FieldValue::Null) => {}
        (FieldType::String | FieldType::Date, FieldValue::List(_))
            if !is_bracket_placeholder(&field.raw, Some(expected)) =>
        {
            out.push(at(
                field.line,
                field.column,
                format!("`{}` must be a single value, found a list", field.key),
                "write one value; quote it if it starts with `[`",
            ));
        }
        (_, FieldValue::Map) => out.push(at(
            field.line,
            field.column,
            format!(
                "`{}` must be {}, found a mapping",
                field.key,
                if expected == FieldType::List {
                    "a list"
                } else {
                    "a single value"
                }
            ),
            if expected == FieldType::List {
                "write the entries as `- item` lines"
            } else {
                "write a single value after the colon"
            },
        )),
        (FieldType::List, FieldValue::Text(text))
            if text.contains(',') && !looks_like_placeholder(text) =>
        {
            let items: Vec<&str> = text.split(',').map(str::trim).collect();
            out.push(
                Diagnostic::warning(
                    &doc.source_path,
                    field.line,
                    "field-type",
                    format!(
                        "`{}` is the single value `{text}`; a list was expected",
                        field.key
                    ),
                )
                .column(field.column)
                .help(format!(
                    "write a list: `{}: [{}]`",
                    field.key,
                    items.join(", ")
                ))
                .source_from(&doc.text),
            );
        }
        (FieldType::List, FieldValue::List(items)) => {
            for item in items.iter().filter(|i| i.text.is_none()) {
                // `- [path/to/file.md]` is the seed's placeholder, reported as such.
                if !(item.raw.starts_with('[') && item.raw.ends_with(']')) {
                    out.push(at(
                        item.line,
                        item.column,
                        format!("entries of `{}` must be single values", field.key),
                        "write each entry as `- value`",
                    ));
                }
            }
        }
        (FieldType::Date, FieldValue::Text(text))
            if parse_date(text).is_none() && !looks_like_placeholder(text) =>
        {
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    field.line,
                    "invalid-date",
                    format!(
                        "`{}` is `{text}`, which is not a real YYYY-MM-DD date",
                        field.key
                    ),
                )
                .column(field.column)
                .help("write the date as YYYY-MM-DD, e.g. 2025-03-14")
                .source_from(&doc.text),
            );
        }
        _ => {}
    }
}

fn check_rule(ctx: &Ctx<'_>, doc: &Doc, field: &Field, out: &mut Vec<Diagnostic>) {
    let Some(rule) = ctx.config.fields.get(&field.key) else {
        return;
    };
    // Compiled once, when site.toml was read.
    let pattern = rule.compiled.as_ref();
    for entry in field.entries() {
        let Some(value) = entry.text.as_deref().map(str::trim) else {
            continue;
        };
        if value.is_empty() || looks_like_placeholder(value) {
            continue;
        }
        if let Some(allowed) = &rule.allowed {
            if !allowed.iter().any(|a| a == value) {
                let help = match closest(value, allowed.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`? allowed: {}", allowed.join(", ")),
                    None => format!("allowed: {}", allowed.join(", ")),
                };
                out.push(
                    Diagnostic::error(
                        &doc.source_path,
                        entry.line,
                        "invalid-value",
                        format!(
                            "`{}` is `{value}`, which is not one of the allowed values",
                            field.key
                        ),
                    )
                    .column(entry.column)
                    .help(help)
                    .source_from(&doc.text),
                );
                continue;
            }
        }
        if let (Some(re), Some(p)) = (&pattern, &rule.pattern) {
            if !re.is_match(value) {
                out.push(
                    Diagnostic::error(
                        &doc.source_path,
                        entry.line,
                        "invalid-value",
                        format!(
                            "`{}` is `{value}`, which does not match the pattern `{p}`",
                            field.key
                        ),
                    )
                    .column(entry.column)
                    .help(format!(
                        "site.toml's [fields.{}] pattern sets the format",
                        field.key
                    ))
                    .source_from(&doc.text),
                );
            }
        }
    }
}

fn check_unknown(ctx: &Ctx<'_>, doc: &Doc, field: &Field, out: &mut Vec<Diagnostic>) {
    if is_known(ctx, &field.key) {
        return;
    }
    let known = KNOWN_FIELDS
        .iter()
        .map(|(k, _)| *k)
        .chain(ctx.config.fields.keys().map(String::as_str));
    let suggestion = closest(&field.key, known);
    let report = match ctx.config.validation.unknown_fields {
        UnknownFields::Off => false,
        UnknownFields::Typos => suggestion.is_some(),
        UnknownFields::Warn => true,
    };
    if !report {
        return;
    }
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "declare it under [fields] in site.toml, or remove it".to_owned(),
    };
    out.push(
        Diagnostic::warning(
            &doc.source_path,
            field.line,
            "unknown-field",
            format!("unknown field `{}`", field.key),
        )
        .column(Some(1))
        .help(help)
        .source_from(&doc.text),
    );
}

fn check_stale(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let limit = ctx.config.validation.stale_after_days;
    if limit == 0 {
        return;
    }
    let Some(field) = doc.field("last_updated") else {
        return;
    };
    let Some(date) = field.as_text().and_then(parse_date) else {
        return;
    };
    let age = ctx.today.days_since_epoch() - date.days_since_epoch();
    if age > i64::from(limit) {
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                field.line,
                "stale",
                format!("last updated {date}, {age} days ago (stale after {limit} days)"),
            )
            .column(field.column)
            .help("review the document, then set `last_updated` to today's date")
            .source_from(&doc.text),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_bracket_placeholder;
    use crate::config::FieldType;

    #[test]
    fn bracket_placeholders_read_like_descriptions() {
        let list = Some(FieldType::List);
        assert!(is_bracket_placeholder("[List of contributors]", list));
        assert!(is_bracket_placeholder("[Other relevant agent types]", None));
        assert!(!is_bracket_placeholder("[Lena Vogel]", list));
        assert!(!is_bracket_placeholder("[payments]", list));
        assert!(!is_bracket_placeholder("[a, b c]", list));
        assert!(!is_bracket_placeholder("[]", list));
        assert!(is_bracket_placeholder(
            "[Service Name]",
            Some(FieldType::String)
        ));
    }
}
