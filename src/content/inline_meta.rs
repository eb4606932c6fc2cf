//! `**Key**: value` lines of the templates without frontmatter (seeds 001,
//! 003, 004). Only lines before the first H2 count: later ones are prose.

use super::field::{snake_case, Field, FieldOrigin, FieldValue};

/// A `**Key**: value` line taken apart (`**Key**: value`, `**Key:** value`,
/// `- **Key**: value`); whether it is a field is the caller's rule.
struct MetaLine<'a> {
    /// The bold text, without a colon closing it.
    key: &'a str,
    /// A colon closing the bold text, and one right after it.
    colons: (bool, bool),
    /// The rest of the line, trimmed, and its byte offset in the line.
    value: &'a str,
    value_start: usize,
}

/// Takes `line` apart as the regex
/// `^\s*(?:[-*+]\s+)?\*\*([^*\n]+?)(:?)\*\*(:?)[ \t]*(.*?)\s*$` would (the
/// tests hold it to that). A regex with captures, run on every list line
/// of every document, was half the time of reading systems from
/// documents (10,000 light ones: 112 ms, now 56 ms).
fn meta_line(line: &str) -> Option<MetaLine<'_>> {
    let inner = bold_start(line)?.strip_prefix("**")?;
    // The bold text runs to the first star, which must open the closing `**`.
    let end = inner.find(['*', '\n'])?;
    if end == 0 || !inner[end..].starts_with("**") {
        return None;
    }
    let bold = &inner[..end];
    let (key, colon_in) = match bold.strip_suffix(':') {
        Some(key) if !key.is_empty() => (key, true),
        _ => (bold, false),
    };
    let after = &inner[end + 2..];
    let (colon_after, after) = match after.strip_prefix(':') {
        Some(after) => (true, after),
        None => (false, after),
    };
    let after = after.trim_start_matches([' ', '\t']);
    let value = after.trim_end();
    // Lines come without their end, but a value never spans one.
    if value.contains('\n') {
        return None;
    }
    Some(MetaLine {
        key,
        colons: (colon_in, colon_after),
        value,
        value_start: line.len() - after.len(),
    })
}

/// The line from its opening `**` on, after space and an optional list
/// marker with space after it; None when it does not start so. Most lines
/// are prose, many with bold words, and end here.
fn bold_start(line: &str) -> Option<&str> {
    let rest = line.trim_start();
    // A list marker counts only with space after it: `***Key**` is not one.
    let rest = match rest.strip_prefix(['-', '*', '+']) {
        Some(after) if after.starts_with(char::is_whitespace) => after.trim_start(),
        _ => rest,
    };
    rest.starts_with("**").then_some(rest)
}

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
        let Some(meta) = meta_line(line) else {
            continue;
        };
        // Exactly one colon, inside or right after the bold key.
        if meta.colons.0 == meta.colons.1 {
            continue;
        }
        let key = snake_case(meta.key);
        if key.is_empty() || fields.iter().any(|f| f.key == key) {
            continue;
        }
        let value = meta.value.to_owned();
        fields.push(Field {
            key,
            value: if value.is_empty() {
                FieldValue::Null
            } else {
                FieldValue::Text(value.clone())
            },
            raw: value,
            line: first_line + i,
            column: Some(line[..meta.value_start].chars().count() + 1),
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
        if fence {
            continue;
        }
        let Some(meta) = meta_line(line) else {
            continue;
        };
        if meta.colons.0 == meta.colons.1 {
            continue;
        }
        let key = snake_case(meta.key);
        let Some(slot) = wanted.iter().position(|w| *w == key) else {
            continue;
        };
        if found[slot].is_none() && !meta.value.trim().is_empty() {
            found[slot] = Some(Found {
                value: meta.value.trim().to_owned(),
                line: i,
                column: line[..meta.value_start].chars().count() + 1,
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

    /// The regex `meta_line` stands for: the tests' oracle.
    static META_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(\s*(?:[-*+]\s+)?)\*\*([^*\n]+?)(:?)\*\*(:?)[ \t]*(.*?)\s*$")
            .expect("valid regex")
    });

    /// What the regex makes of `line`, in `meta_line`'s terms.
    fn by_regex(line: &str) -> Option<(String, (bool, bool), String, usize)> {
        META_LINE.captures(line).map(|caps| {
            let value = caps.get(5).expect("group 5 always participates");
            (
                caps[2].to_owned(),
                (!caps[3].is_empty(), !caps[4].is_empty()),
                value.as_str().to_owned(),
                value.start(),
            )
        })
    }

    fn by_hand(line: &str) -> Option<(String, (bool, bool), String, usize)> {
        meta_line(line).map(|m| {
            (
                m.key.to_owned(),
                m.colons,
                m.value.to_owned(),
                m.value_start,
            )
        })
    }

    #[test]
    fn meta_lines_come_apart_as_the_regex_takes_them() {
        for line in [
            "**Key**: value",
            "**Purpose:** Sync orders  ",
            "- **SEV Level**: SEV-2",
            "  * **Owner**:\tpayments\u{a0}",
            "**Key::** x",
            "**a:b**: c",
            "**:**: x",
            "***Key**: x",
            "**Key***: x",
            "**Key*x**: y",
            "-**Key**: x",
            "**Key**",
            "**Key**:",
            "****: x",
            "* **K**:\u{a0}",
            "\u{2003}+\t**Ünïcode**: välue é",
        ] {
            assert_eq!(by_hand(line), by_regex(line), "{line:?}");
        }
        assert_eq!(
            by_hand("- **Owner**: payments team "),
            Some(("Owner".into(), (false, true), "payments team".into(), 13))
        );
    }

    proptest::proptest! {
        /// The cheap first step never turns a line away that the regex
        /// would read.
        #[test]
        fn the_first_step_keeps_every_line_the_regex_reads(
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
                proptest::prop_assert!(bold_start(&line).is_some(), "{line:?}");
            }
        }

        /// Any line of the characters that matter takes apart alike, most
        /// of them shaped like a field line.
        #[test]
        fn meta_line_agrees_with_the_regex(
            shaped in proptest::bool::ANY,
            parts in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(vec![
                "*", "**", ":", " ", "\t", "-", "+", "a", "Key", "\u{a0}", "\r", "é", "\n", "1.",
            ]), 0..5), 4),
        ) {
            let [lead, key, after, rest] = [0, 1, 2, 3].map(|i| parts[i].concat());
            let line = if shaped {
                format!("{lead}**{key}**{after}{rest}")
            } else {
                format!("{lead}{key}{after}{rest}")
            };
            proptest::prop_assert_eq!(by_hand(&line), by_regex(&line), "{:?}", line);
        }
    }

    #[test]
    fn the_first_step_turns_bold_prose_away() {
        assert!(bold_start("Retries are **not** idempotent.").is_none());
        assert!(bold_start("| **Status** | live |").is_none());
        assert!(bold_start("  - **Owner**: payments").is_some());
        assert!(bold_start("**Owner:** payments").is_some());
    }
}
