//! Doc: one document with everything later stages need, parsed once.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::body::{
    self, AgentNote, BodyLink, CodeBlock, Heading, ProsePlaceholder, Shortcode, UndefinedRef,
};
use super::field::{Field, FieldOrigin};
use super::frontmatter::{self, SyntaxError};
use super::inline_meta;
use super::source::{Decoded, LineIndex};

/// Which of the five seed templates a document follows, guessed from its
/// metadata so authors never have to declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Seed 000: frontmatter with title, description, tags, agents.
    FullIntegration,
    /// Seed 001: "System A ↔ System B", `[REQUIRED]` sections.
    SystemPair,
    /// Seed 002: frontmatter with id, type, name, status, service.
    ServiceSpec,
    /// Seed 003: integration points of a feature.
    IntegrationPoints,
    /// Seed 004: one source → destination integration.
    SourceDestination,
    /// Anything else: a plain page.
    Page,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::FullIntegration => "Integration guide",
            Shape::SystemPair => "System pair",
            Shape::ServiceSpec => "Service spec",
            Shape::IntegrationPoints => "Integration points",
            Shape::SourceDestination => "Source → destination",
            Shape::Page => "Page",
        }
    }

    pub const ALL: [Shape; 6] = [
        Shape::FullIntegration,
        Shape::SystemPair,
        Shape::ServiceSpec,
        Shape::IntegrationPoints,
        Shape::SourceDestination,
        Shape::Page,
    ];
}

pub struct Doc {
    /// Relative to the site root, `/`-separated: what diagnostics name.
    pub source_path: String,
    /// Relative to the content dir, `/`-separated: what links resolve against.
    pub content_path: String,
    pub text: String,
    pub body_offset: usize,
    pub has_frontmatter: bool,
    pub fields: Vec<Field>,
    pub title: Option<String>,
    pub title_line: usize,
    pub shape: Shape,
    pub headings: Vec<Heading>,
    pub links: Vec<BodyLink>,
    pub code_blocks: Vec<CodeBlock>,
    pub prose_placeholders: Vec<ProsePlaceholder>,
    pub agent_notes: Vec<AgentNote>,
    /// Ids and names defined in raw HTML, which links may target.
    pub html_anchors: Vec<String>,
    /// Reference links whose label nothing defines.
    pub undefined_refs: Vec<UndefinedRef>,
    /// Hugo shortcodes, shown as written.
    pub shortcodes: Vec<Shortcode>,
    pub repaired_lines: Vec<usize>,
    pub yaml_errors: Vec<SyntaxError>,
    pub invalid_utf8_line: Option<usize>,
    /// Whether a `---` opened frontmatter that never closes.
    pub unclosed_frontmatter: bool,
    /// Set when the file could not be read at all.
    pub read_error: Option<String>,
    /// `{field}` references left as written, and why.
    pub expansion: ExpansionLimits,
}

static FIELD_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("valid regex"));

/// A field value longer than this is never inserted into the text.
pub const MAX_FIELD_EXPANSION: usize = 4096;
/// All `{field}` references of a document together may add at most this
/// many bytes, or this many times the document's size if that is more.
const EXPANSION_BUDGET_BYTES: usize = 64 * 1024;
const EXPANSION_BUDGET_FACTOR: usize = 4;

/// Why some `{field}` references of a document are left as written: a
/// 100 KB value referenced 2,000 times would make a 200 MB page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpansionLimits {
    /// (field, line of its first reference, value length) for values over
    /// [`MAX_FIELD_EXPANSION`].
    pub too_long: Vec<(String, usize, usize)>,
    /// (bytes the references would add, line of the first reference) when
    /// over the document's budget: then nothing is filled in.
    pub over_budget: Option<(usize, usize)>,
}

/// Replaces `{field}` with that field's text; braces that name no field (or a
/// list), or a value over [`MAX_FIELD_EXPANSION`], stay as written.
pub fn fill_fields(text: &str, fields: &[Field]) -> String {
    if !text.contains('{') || fields.is_empty() {
        return text.to_owned();
    }
    FIELD_REF
        .replace_all(text, |caps: &regex::Captures<'_>| {
            fields
                .iter()
                .find(|f| f.key == caps[1])
                .and_then(Field::as_text)
                .filter(|t| t.len() <= MAX_FIELD_EXPANSION)
                .map(str::to_owned)
                .unwrap_or_else(|| caps[0].to_owned())
        })
        .into_owned()
}

/// What filling in every reference of `body` would cost, and whether that
/// is within the limits.
fn expansion_limits(body: &str, fields: &[Field], first_line: usize) -> ExpansionLimits {
    let mut limits = ExpansionLimits::default();
    if !body.contains('{') || fields.is_empty() {
        return limits;
    }
    let mut added = 0usize;
    let mut first_ref_line = None;
    for m in FIELD_REF.captures_iter(body) {
        let whole = m.get(0).expect("match");
        let Some(value) = fields
            .iter()
            .find(|f| f.key == m[1])
            .and_then(Field::as_text)
        else {
            continue;
        };
        let line = || first_line + body[..whole.start()].matches('\n').count();
        if value.len() > MAX_FIELD_EXPANSION {
            if !limits.too_long.iter().any(|(k, ..)| k == &m[1]) {
                limits.too_long.push((m[1].to_owned(), line(), value.len()));
            }
            continue;
        }
        first_ref_line.get_or_insert_with(line);
        added += value.len();
    }
    let budget = EXPANSION_BUDGET_BYTES.max(body.len() * EXPANSION_BUDGET_FACTOR);
    if added > budget {
        limits.over_budget = Some((added, first_ref_line.unwrap_or(first_line)));
    }
    limits
}

/// The body with `{field}` filled in on ATX heading lines only, or None when
/// nothing changes. Line count is preserved so positions stay true.
pub fn fill_heading_lines(body: &str, fields: &[Field]) -> Option<String> {
    if !body.contains('{') || fields.is_empty() {
        return None;
    }
    let mut changed = false;
    let mut fence = false;
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
        }
        if !fence && trimmed.starts_with('#') && line.contains('{') {
            let (content, newline) = match line.strip_suffix('\n') {
                Some(c) => (c, "\n"),
                None => (line, ""),
            };
            let filled = fill_fields(content, fields).replace('\n', " ");
            changed |= filled != content;
            out.push_str(&filled);
            out.push_str(newline);
        } else {
            out.push_str(line);
        }
    }
    changed.then_some(out)
}

impl Doc {
    pub fn parse(source_path: String, content_path: String, decoded: Decoded) -> Doc {
        let Decoded {
            text,
            invalid_utf8_line,
        } = decoded;
        let lines = LineIndex::new(&text);
        let mut fields = Vec::new();
        let mut repaired_lines = Vec::new();
        let mut yaml_errors = Vec::new();
        let mut body_offset = 0;
        let mut has_frontmatter = false;
        let mut unclosed_frontmatter = false;
        if let Some(split) = frontmatter::split(&text) {
            if split.closed {
                has_frontmatter = true;
                body_offset = split.body_offset;
                let fm = frontmatter::parse(&split);
                fields = fm.fields;
                repaired_lines = fm.repaired_lines;
                yaml_errors = fm.syntax_errors;
            } else {
                unclosed_frontmatter = true;
            }
        }
        let body_first_line = lines.position(&text, body_offset).0;
        if !has_frontmatter {
            fields = inline_meta::scan(&text[body_offset..], body_first_line);
        }
        let expansion = expansion_limits(&text[body_offset..], &fields, body_first_line);
        // Over budget, nothing is filled in: as if there were no fields.
        let fill_from: &[Field] = if expansion.over_budget.is_some() {
            &[]
        } else {
            &fields
        };
        // `# {name}` would otherwise be read as a heading attribute block.
        let filled = fill_heading_lines(&text[body_offset..], fill_from);
        let scan = match &filled {
            Some(body) => {
                let full = format!("{}{body}", &text[..body_offset]);
                body::scan(&full, body_offset, &LineIndex::new(&full), &|s| {
                    fill_fields(s, fill_from)
                })
            }
            None => body::scan(&text, body_offset, &lines, &|s| fill_fields(s, fill_from)),
        };

        let field_text = |key: &str| {
            fields
                .iter()
                .find(|f| f.key == key)
                .and_then(|f| f.as_text().map(|t| (t.trim().to_owned(), f.line)))
                .filter(|(t, _)| !t.is_empty())
        };
        let h1 = scan
            .headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| (h.title().to_owned(), h.line));
        let (title, title_line) = match field_text("title").or_else(|| field_text("name")).or(h1) {
            Some((t, l)) => (Some(t), l),
            None => (None, 1),
        };

        let shape = detect_shape(has_frontmatter, &fields, title.as_deref(), &scan.headings);
        Doc {
            source_path,
            content_path,
            body_offset,
            has_frontmatter,
            title,
            title_line,
            shape,
            headings: scan.headings,
            links: scan.links,
            code_blocks: scan.code_blocks,
            prose_placeholders: scan.placeholders,
            agent_notes: scan.agent_notes,
            html_anchors: scan.html_anchors,
            undefined_refs: scan.undefined_refs,
            shortcodes: scan.shortcodes,
            fields,
            repaired_lines,
            yaml_errors,
            invalid_utf8_line,
            unclosed_frontmatter,
            read_error: None,
            expansion,
            text,
        }
    }

    /// The fields `{field}` references are filled from: none when the
    /// document is over its expansion budget.
    pub fn fill_source(&self) -> &[Field] {
        if self.expansion.over_budget.is_some() {
            &[]
        } else {
            &self.fields
        }
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// A non-empty scalar field, trimmed.
    pub fn text_field(&self, key: &str) -> Option<&str> {
        self.field(key)
            .and_then(Field::as_text)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    pub fn list_field(&self, key: &str) -> Vec<&str> {
        self.field(key).map(Field::list_texts).unwrap_or_default()
    }

    /// The `type` field when given, else the shape's name; what
    /// `[kinds.X]` rules and the catalog's type facet use.
    pub fn kind(&self) -> String {
        self.text_field("type")
            .map(str::to_owned)
            .unwrap_or_else(|| self.shape.label().to_owned())
    }

    pub fn title_or_path(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.content_path)
    }

    /// The id on this document's page that a link's `#anchor` names: a
    /// heading's or a raw HTML id, as written; else, as VitePress names a
    /// heading that starts with a digit (`_1-install` for "1. Install"),
    /// that heading's id. None when the page has no such place.
    pub fn anchor_id<'a>(&'a self, anchor: &'a str) -> Option<&'a str> {
        let written = self.headings.iter().any(|h| h.id == anchor)
            || self.html_anchors.iter().any(|a| a == anchor);
        if written {
            return Some(anchor);
        }
        let rest = anchor
            .strip_prefix('_')
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))?;
        self.headings
            .iter()
            .find(|h| h.id == rest)
            .map(|h| h.id.as_str())
    }

    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    pub fn has_inline_fields(&self) -> bool {
        self.fields.iter().any(|f| f.origin == FieldOrigin::Inline)
    }
}

fn detect_shape(
    has_frontmatter: bool,
    fields: &[Field],
    title: Option<&str>,
    headings: &[Heading],
) -> Shape {
    let has = |k: &str| fields.iter().any(|f| f.key == k);
    if has_frontmatter {
        if has("service") || (has("id") && has("status")) {
            return Shape::ServiceSpec;
        }
        if has("ai_agent_relevance") || has("related_files") || has("contributors") {
            return Shape::FullIntegration;
        }
        return Shape::Page;
    }
    let title = title.unwrap_or("");
    if has("sev_level") || has("review_status") || title.starts_with("Integration Points") {
        Shape::IntegrationPoints
    } else if has("purpose") && (has("protocol") || has("direction")) {
        Shape::SourceDestination
    } else if title.contains('↔') || headings.iter().any(|h| h.marker.is_some()) {
        Shape::SystemPair
    } else {
        Shape::Page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::source::decode;

    fn doc(text: &str) -> Doc {
        Doc::parse(
            "content/x.md".into(),
            "x.md".into(),
            decode(text.as_bytes()),
        )
    }

    #[test]
    fn title_comes_from_title_then_name_then_h1() {
        assert_eq!(
            doc("---\ntitle: A\nname: B\n---\n# C\n").title.as_deref(),
            Some("A")
        );
        let d = doc("---\nname: B\nid: INT-001\nstatus: draft\n---\n# {name}\n");
        assert_eq!(d.title.as_deref(), Some("B"));
        assert_eq!(d.headings[0].text, "B");
        assert_eq!(d.shape, Shape::ServiceSpec);
        let d =
            doc("# Ledger ↔ Stripe Integration Documentation\n\n## Executive Summary [REQUIRED]\n");
        assert_eq!(
            d.title.as_deref(),
            Some("Ledger ↔ Stripe Integration Documentation")
        );
        assert_eq!(d.shape, Shape::SystemPair);
        // dapr's docs open with a logo for a heading: its alt text names it.
        let d = doc("---\ntype: docs\n---\n# <img src=\"/t.png\" alt=\"Dapr Docs\">\n");
        assert_eq!(d.title.as_deref(), Some("Dapr Docs"));
    }

    #[test]
    fn shapes_without_frontmatter() {
        let d = doc(
            "# Integration Points - Checkout\n\n**Created**: 2025-01-01\n**SEV Level**: SEV-2\n",
        );
        assert_eq!(d.shape, Shape::IntegrationPoints);
        assert_eq!(d.text_field("sev_level"), Some("SEV-2"));
        let d = doc("# Integration: Orders → Kafka\n\n**Purpose:** Publish\n**Protocol:** Kafka\n");
        assert_eq!(d.shape, Shape::SourceDestination);
    }

    #[test]
    fn expansion_is_bounded() {
        let big = "x".repeat(100_000);
        let d = doc(&format!(
            "---\nowner: {big}\ntitle: T\n---\n{}\n",
            "{owner} ".repeat(2000)
        ));
        assert_eq!(d.expansion.too_long, vec![("owner".to_owned(), 5, 100_000)]);
        assert!(fill_fields("{owner}", d.fill_source()).len() < 10);
        let mid = "y".repeat(4000);
        let d = doc(&format!(
            "---\nowner: {mid}\n---\nintro\n\n{}\n",
            "{owner} ".repeat(100)
        ));
        assert_eq!(d.expansion.over_budget, Some((400_000, 6)));
        assert!(d.fill_source().is_empty());
        let d = doc("---\nowner: Ops\n---\n{owner} and {owner}\n");
        assert_eq!(d.expansion, ExpansionLimits::default());
        assert_eq!(fill_fields("{owner}", d.fill_source()), "Ops");
    }

    #[test]
    fn fill_leaves_unknown_braces() {
        let d = doc("---\nname: Stripe\n---\n");
        assert_eq!(
            fill_fields("{name} {nope} {}", &d.fields),
            "Stripe {nope} {}"
        );
    }
}
