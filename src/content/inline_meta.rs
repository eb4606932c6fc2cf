//! `**Key**: value` lines of the templates without frontmatter (seeds 001,
//! 003, 004). Only lines before the first H2 count: later ones are prose.

use std::sync::LazyLock;

use regex::Regex;

use super::field::{snake_case, Field, FieldOrigin, FieldValue};

static META_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // `**Key**: value`, `**Key:** value`, `- **Key**: value`.
    Regex::new(r"^(\s*(?:[-*+]\s+)?)\*\*([^*\n]+?)(:?)\*\*(:?)[ \t]*(.*?)\s*$")
        .expect("valid regex")
});

/// Fields from the lines of `body` (whose first line is `first_line` of the
/// file): those before the first H2, and those of a closing block after the
/// last `---` rule (seed 004 ends with `**Last Updated:**` and
/// `**Maintained By:**` there).
pub fn scan(body: &str, first_line: usize) -> Vec<Field> {
    let mut fields = scan_lines(body, first_line, true);
    if let Some((offset, footer)) = footer_block(body) {
        let footer_line = first_line + body[..offset].matches('\n').count();
        for field in scan_lines(footer, footer_line, false) {
            if !fields.iter().any(|f| f.key == field.key) {
                fields.push(field);
            }
        }
    }
    fields
}

/// The text after the last thematic break, when no heading or code follows it.
fn footer_block(body: &str) -> Option<(usize, &str)> {
    let mut offset = 0;
    let mut last_rule = None;
    let mut fence = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
        } else if !fence && (trimmed == "---" || trimmed == "***" || trimmed == "___") {
            last_rule = Some(offset + line.len());
        }
        offset += line.len();
    }
    let start = last_rule?;
    let footer = &body[start..];
    let has_structure = footer
        .lines()
        .any(|l| l.trim_start().starts_with('#') || l.trim_start().starts_with("```"));
    (!has_structure && !footer.trim().is_empty()).then_some((start, footer))
}

fn scan_lines(body: &str, first_line: usize, stop_at_h2: bool) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if trimmed.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        if stop_at_h2 && (trimmed.starts_with("## ") || trimmed == "##") {
            break;
        }
        let Some(caps) = META_LINE.captures(line) else {
            continue;
        };
        // Exactly one colon, inside or right after the bold key.
        if caps[3].is_empty() == caps[4].is_empty() {
            continue;
        }
        let key = snake_case(&caps[2]);
        if key.is_empty() || fields.iter().any(|f| f.key == key) {
            continue;
        }
        let value_match = caps.get(5).expect("group 5 always participates");
        let value = value_match.as_str().to_owned();
        fields.push(Field {
            key,
            value: if value.is_empty() {
                FieldValue::Null
            } else {
                FieldValue::Text(value.clone())
            },
            raw: value,
            line: first_line + i,
            column: Some(line[..value_match.start()].chars().count() + 1),
            origin: FieldOrigin::Inline,
        });
    }
    fields
}

/// The value of the first `**Key**: value` line anywhere in the body outside
/// code, for facets such as protocol and direction that templates put in a
/// bullet list under a section rather than under the title.
pub fn find_anywhere(body: &str, wanted: &str) -> Option<String> {
    find_anywhere_at(body, wanted).map(|found| found.value)
}

/// A `**Key**: value` line found in a body, with its position.
pub struct Found {
    pub value: String,
    /// 0-based line within the body.
    pub line: usize,
    /// 1-based column of the value, in characters.
    pub column: usize,
}

/// As [`find_anywhere`], with where the value stands.
pub fn find_anywhere_at(body: &str, wanted: &str) -> Option<Found> {
    find_all_at(body, &[wanted]).pop().flatten()
}

/// Whether `line` starts as [`META_LINE`] requires: `**` after optional
/// space and an optional list marker with space after it.
fn may_be_meta_line(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("**") {
        return true;
    }
    let mut chars = line.chars();
    matches!(chars.next(), Some('-' | '*' | '+')) && {
        let rest = chars.as_str();
        rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with("**")
    }
}

/// The first `**Key**: value` of each of `wanted`, in one pass over the body.
pub fn find_all_at(body: &str, wanted: &[&str]) -> Vec<Option<Found>> {
    let mut found: Vec<Option<Found>> = wanted.iter().map(|_| None).collect();
    let mut missing = wanted.len();
    let mut fence = false;
    for (i, line) in body.lines().enumerate() {
        if missing == 0 {
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        // Most lines are prose, many with bold words: skip the regex
        // unless the line starts as a `**Key**` line must.
        if fence || !may_be_meta_line(line) {
            continue;
        }
        let Some(caps) = META_LINE.captures(line) else {
            continue;
        };
        if caps[3].is_empty() == caps[4].is_empty() {
            continue;
        }
        let key = snake_case(&caps[2]);
        let Some(slot) = wanted.iter().position(|w| *w == key) else {
            continue;
        };
        let value = caps.get(5).expect("group 5 always participates");
        if found[slot].is_none() && !value.as_str().trim().is_empty() {
            found[slot] = Some(Found {
                value: value.as_str().trim().to_owned(),
                line: i,
                column: line[..value.start()].chars().count() + 1,
            });
            missing -= 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_template_spellings() {
        let body = "# T\n\n**Created**: 2025-01-02  \n**Purpose:** Sync orders\n- **SEV Level**: SEV-2\n**Not a field** text\n\n## Overview\n**Late**: no\n";
        let fields = scan(body, 1);
        let keys: Vec<_> = fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["created", "purpose", "sev_level"]);
        assert_eq!(fields[0].as_text(), Some("2025-01-02"));
        assert_eq!(fields[1].line, 4);
        assert_eq!(fields[1].column, Some(14));
    }

    #[test]
    fn closing_block_after_the_last_rule_counts() {
        let body = "# T\n\n**Purpose:** x\n\n## A\n\ntext\n\n---\n\n**Last Updated:** 2026-01-02\n**Maintained By:** Ops\n";
        let fields = scan(body, 1);
        let keys: Vec<_> = fields.iter().map(|f| (f.key.as_str(), f.line)).collect();
        assert_eq!(
            keys,
            [("purpose", 3), ("last_updated", 11), ("maintained_by", 12)]
        );
        assert!(scan("# T\n---\n## After\n**Late**: x\n", 1).is_empty());
    }

    #[test]
    fn code_fences_are_skipped() {
        let fields = scan("```\n**Key**: v\n```\n", 1);
        assert!(fields.is_empty());
    }

    const WHITESPACE: [&str; 4] = [" ", "\t", "\u{a0}", "\u{2003}"];

    proptest::proptest! {
        /// The cheap test before the regex never turns a line away that
        /// the regex would read.
        #[test]
        fn the_prefilter_keeps_every_line_the_regex_reads(
            lead in proptest::collection::vec(proptest::sample::select(WHITESPACE.to_vec()), 0..3),
            marker in proptest::sample::select(vec!["", "-", "*", "+", "**", "1."]),
            gap in proptest::collection::vec(proptest::sample::select(WHITESPACE.to_vec()), 0..3),
            key in proptest::sample::select(vec!["Key", "Review Status", "", "*"]),
            colons in (proptest::bool::ANY, proptest::bool::ANY),
        ) {
            let line = format!(
                "{}{marker}{}**{key}{}**{} value",
                lead.concat(),
                gap.concat(),
                if colons.0 { ":" } else { "" },
                if colons.1 { ":" } else { "" },
            );
            if META_LINE.is_match(&line) {
                proptest::prop_assert!(may_be_meta_line(&line), "{line:?}");
            }
        }
    }

    #[test]
    fn the_prefilter_turns_bold_prose_away() {
        assert!(!may_be_meta_line("Retries are **not** idempotent."));
        assert!(!may_be_meta_line("| **Status** | live |"));
        assert!(may_be_meta_line("  - **Owner**: payments"));
        assert!(may_be_meta_line("**Owner:** payments"));
    }
}
