//! What the checks need from a markdown body: headings with their ids,
//! links, fenced code, unfilled placeholders in prose, and the per-agent
//! notes. One pass of pulldown-cmark; positions are file lines.

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use regex::Regex;

use super::source::LineIndex;
use crate::slug::{github_anchor, UniqueIds};

pub fn markdown_options() -> Options {
    // GFM: `> [!NOTE]` blockquotes become alerts (callouts).
    Options::ENABLE_GFM
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Marker {
    Required,
    Optional,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    /// The text as written, `{field}` filled in, markers included.
    pub text: String,
    /// The text as a reader sees it: HTML elements' tags left out and an
    /// image's alt text in its place. Anchors come from `text`, so links
    /// written against them keep working.
    pub shown: String,
    pub id: String,
    pub line: usize,
    /// A trailing `[REQUIRED]` / `[OPTIONAL]` of the system-pair template.
    pub marker: Option<Marker>,
}

impl Heading {
    /// The text as shown, without its `[REQUIRED]`/`[OPTIONAL]` marker.
    pub fn title(&self) -> &str {
        strip_marker(&self.shown).0
    }
}

pub fn strip_marker(text: &str) -> (&str, Option<Marker>) {
    let t = text.trim_end();
    for (suffix, marker) in [
        ("[REQUIRED]", Marker::Required),
        ("[OPTIONAL]", Marker::Optional),
    ] {
        let Some(cut) = t.len().checked_sub(suffix.len()) else {
            continue;
        };
        // `get` rather than indexing: the cut may fall inside a multi-byte
        // character ("A → B" ends in one), which is then simply no marker.
        if t.get(cut..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
        {
            return (t[..cut].trim_end(), Some(marker));
        }
    }
    (t, None)
}

#[derive(Debug, Clone)]
pub struct BodyLink {
    pub dest: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// The fence's info string up to the first space, e.g. `mermaid`.
    pub lang: String,
    pub content: String,
    /// The line of the opening fence.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct ProsePlaceholder {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AgentNote {
    pub agent: String,
    pub text: String,
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Default)]
pub struct BodyScan {
    pub headings: Vec<Heading>,
    pub links: Vec<BodyLink>,
    pub code_blocks: Vec<CodeBlock>,
    pub placeholders: Vec<ProsePlaceholder>,
    pub agent_notes: Vec<AgentNote>,
    /// Ids and `<a name>`s defined in raw HTML: link targets like headings.
    pub html_anchors: Vec<String>,
    /// `[text][label]` and `[text][]` whose label no definition gives.
    pub undefined_refs: Vec<UndefinedRef>,
    /// Hugo shortcodes outside code (`{{< ref x >}}`, `{{% alert %}}`),
    /// their opening tags only: portolan does not run them.
    pub shortcodes: Vec<Shortcode>,
}

#[derive(Debug, Clone)]
pub struct UndefinedRef {
    pub label: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shortcode {
    /// As written after `{{<` or `{{%`: `ref`, `alert`, `tabs`.
    pub name: String,
    /// Its first positional argument, unquoted (`ref`'s target).
    pub argument: Option<String>,
    /// A `ref` that is a link's target, which portolan follows (`hugo`).
    pub link: bool,
    /// An alert, tab or button that portolan renders (`hugo_blocks`).
    pub rendered: bool,
    pub line: usize,
    pub column: usize,
}

/// An opening or closing Hugo shortcode tag's start, name and first
/// positional argument (`{{< ref "x" >}}`, `{{% /alert %}}`; not
/// `{{</* escaped */>}}`).
static SHORTCODE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{\{([<%])\s*(/?)\s*([A-Za-z][A-Za-z0-9_.-]*)(?:\s+(?:"([^"]*)"|([^\s"=%>]+)(?:[\s%>]|$)))?"#)
        .expect("valid regex")
});

static HTML_ANCHOR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:<a\s(?:[^>]*?\s)?name|[\s"']id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#,
    )
    .expect("valid regex")
});

fn html_anchors(html: &str, out: &mut Vec<String>) {
    for caps in HTML_ANCHOR_RE.captures_iter(html) {
        if let Some(m) = caps.get(1).or(caps.get(2)).or(caps.get(3)) {
            let id = m.as_str().trim();
            if !id.is_empty() && !out.iter().any(|a| a == id) {
                out.push(id.to_owned());
            }
        }
    }
}

/// Scans `text[body_offset..]`; `fill` replaces `{field}` references.
pub fn scan(
    text: &str,
    body_offset: usize,
    lines: &LineIndex,
    fill: &dyn Fn(&str) -> String,
) -> BodyScan {
    let body = &text[body_offset..];
    let mut scan = BodyScan::default();
    let mut ids = UniqueIds::default();
    let position = |offset: usize| lines.position(text, body_offset + offset);

    // Level, start, explicit id, text as written, text as shown.
    let mut heading: Option<(u8, usize, Option<String>, String, String)> = None;
    let mut code: Option<(String, usize, String)> = None;
    let mut link_depth = 0usize;
    let mut footnote_depth = 0usize;
    let mut prose = ProseBuffer::default();
    let mut undefined = Vec::new();
    // Whether raw HTML is in a comment, which the renderer drops: the links
    // of the rest are links (`html_links`), and the offsets of the `ref`
    // shortcodes among them, which are followed.
    let mut in_comment = false;
    let mut followed_in_html: Vec<usize> = Vec::new();
    // Code blocks and spans, where `{{<` is text, not a shortcode.
    let mut code_ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut on_broken = |broken: pulldown_cmark::BrokenLink<'_>| {
        use pulldown_cmark::LinkType;
        // `[text][label]` and `[text][]` are references by their syntax;
        // a bare `[text]` may be anything (template text included).
        if matches!(broken.link_type, LinkType::Reference | LinkType::Collapsed) {
            undefined.push((broken.reference.to_string(), broken.span.start));
        }
        None
    };
    // Links written with Hugo's `ref` are links (`hugo`): the text parsed
    // has their spaces masked, byte for byte.
    // So are Hugo's alerts and tabs (`hugo_blocks`): masked as comments.
    let prepared = super::hugo::prepare(body);
    let parsed = prepared.text.as_ref();
    let parser =
        Parser::new_with_broken_link_callback(parsed, markdown_options(), Some(&mut on_broken));
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                prose.flush(&mut scan.placeholders, body, &position, true);
                heading = Some((
                    heading_level(level),
                    range.start,
                    id.map(|s| s.to_string()),
                    String::new(),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                prose.flush(&mut scan.placeholders, body, &position, true);
                if let Some((level, start, explicit_id, raw, shown)) = heading.take() {
                    let text = fill(raw.trim());
                    let (_, marker) = strip_marker(&text);
                    // A heading of markup alone (an image without alt text)
                    // shows nothing: its markup is then the better name.
                    let shown = if shown == raw {
                        text.clone()
                    } else {
                        match fill(&collapse_spaces(&shown)) {
                            s if s.is_empty() => text.clone(),
                            s => s,
                        }
                    };
                    let id = match explicit_id {
                        Some(id) => ids.claim(&id),
                        None => ids.claim(&github_anchor(&text)),
                    };
                    scan.headings.push(Heading {
                        level,
                        id,
                        line: position(start).0,
                        marker,
                        text,
                        shown,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                prose.flush(&mut scan.placeholders, body, &position, false);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, range.start, String::new()));
                code_ranges.push(range.clone());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, start, content)) = code.take() {
                    scan.code_blocks.push(CodeBlock {
                        lang,
                        content,
                        line: position(start).0,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let (line, column) = position(range.start);
                scan.links.push(BodyLink {
                    dest: dest_url.to_string(),
                    line,
                    column,
                });
                link_depth += 1;
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                link_depth = link_depth.saturating_sub(1)
            }
            // Footnotes hold citations and asides, never template text.
            Event::Start(Tag::FootnoteDefinition(_)) => {
                prose.flush(&mut scan.placeholders, body, &position, false);
                footnote_depth += 1;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                prose.clear();
                footnote_depth = footnote_depth.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph | Tag::TableCell | Tag::Item | Tag::BlockQuote(_))
            | Event::End(
                TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item | TagEnd::BlockQuote(_),
            ) => {
                if footnote_depth > 0 {
                    prose.clear();
                } else {
                    prose.flush(&mut scan.placeholders, body, &position, false);
                }
            }
            Event::Text(t) => {
                if let Some((_, _, content)) = code.as_mut() {
                    content.push_str(&t);
                } else if let Some((_, _, _, raw, shown)) = heading.as_mut() {
                    raw.push_str(&t);
                    shown.push_str(&t);
                    prose.push(&t, range.start);
                } else if link_depth == 0 {
                    prose.push(&t, range.start);
                }
            }
            Event::Code(t) => {
                code_ranges.push(range.clone());
                if let Some((_, _, _, raw, shown)) = heading.as_mut() {
                    raw.push_str(&t);
                    shown.push_str(&t);
                }
                prose.break_run();
            }
            Event::InlineHtml(h) => {
                // In a heading, markup is part of the text as written (its
                // anchor); what is shown keeps what a reader sees of it
                // (`shown_html`).
                if let Some((_, _, _, raw, shown)) = heading.as_mut() {
                    raw.push_str(&h);
                    shown.push_str(&shown_html(&h));
                }
                html_anchors(&h, &mut scan.html_anchors);
                if !super::html_links::is_comment(&h, &mut in_comment) {
                    let at = HtmlAt {
                        parsed,
                        start: range.start,
                    };
                    at.links(&h, &position, &mut scan.links, &mut followed_in_html);
                }
                prose.break_run()
            }
            Event::Html(h) => {
                html_anchors(&h, &mut scan.html_anchors);
                if !super::html_links::is_comment(&h, &mut in_comment) {
                    let at = HtmlAt {
                        parsed,
                        start: range.start,
                    };
                    at.links(&h, &position, &mut scan.links, &mut followed_in_html);
                }
                prose.break_run()
            }
            Event::FootnoteReference(_) => prose.break_run(),
            Event::SoftBreak | Event::HardBreak => prose.push(" ", range.start),
            _ => {}
        }
    }
    prose.flush(&mut scan.placeholders, body, &position, false);
    scan.agent_notes = agent_notes(body, position(0).0);
    for (label, offset) in undefined {
        let (line, column) = position(offset);
        scan.undefined_refs.push(UndefinedRef {
            label,
            line,
            column,
        });
    }
    followed_in_html.sort_unstable();
    // A Hugo button's target is a link: its `page` one Hugo's `ref` finds.
    for block in &prepared.blocks {
        if let super::hugo_blocks::Role::Button { page, link, .. } = &block.role {
            let dest = match (page, link) {
                (Some(page), _) => super::hugo::button_ref(page),
                (None, Some(link)) => link.clone(),
                (None, None) => continue,
            };
            let (line, column) = position(block.range.start);
            scan.links.push(BodyLink { dest, line, column });
        }
    }
    // In document order, as the rules report them.
    scan.links.sort_by_key(|l| (l.line, l.column));
    scan.shortcodes = shortcodes(body, &code_ranges)
        .map(|(offset, name, argument)| {
            let (line, column) = position(offset);
            Shortcode {
                link: (prepared.ref_links)
                    .binary_search_by_key(&offset, |r| r.start)
                    .is_ok()
                    || followed_in_html.binary_search(&offset).is_ok(),
                rendered: (prepared.blocks)
                    .binary_search_by_key(&offset, |b| b.range.start)
                    .is_ok(),
                name,
                argument,
                line,
                column,
            }
        })
        .collect();
    scan
}

/// The opening Hugo shortcode tags of `body` outside `code` (ranges in
/// document order), with their offsets. Hugo runs a shortcode written
/// `{{</* x */>}}` as text: that is not one either.
fn shortcodes<'a>(
    body: &'a str,
    code: &'a [std::ops::Range<usize>],
) -> impl Iterator<Item = (usize, String, Option<String>)> + 'a {
    let any = body.contains("{{<") || body.contains("{{%");
    SHORTCODE_RE
        .captures_iter(if any { body } else { "" })
        .filter_map(move |caps| {
            let whole = caps.get(0)?;
            let closing = caps.get(2).is_some_and(|m| !m.as_str().is_empty());
            // The ranges are in order and apart: the one that may hold it
            // is the first not ending before it.
            let next = code.partition_point(|r| r.end <= whole.start());
            let in_code = code.get(next).is_some_and(|r| r.contains(&whole.start()));
            let argument = caps.get(4).or(caps.get(5)).map(|m| m.as_str().to_owned());
            (!closing && !in_code).then(|| (whole.start(), caps[3].to_owned(), argument))
        })
}

/// Where a piece of raw HTML starts in the text parsed.
struct HtmlAt<'a> {
    parsed: &'a str,
    start: usize,
}

impl HtmlAt<'_> {
    /// The links of `html` (`html_links`), each at its tag. A `ref` written
    /// as an `href` is followed: its shortcode's offset goes to `followed`,
    /// so it is not reported.
    fn links(
        &self,
        html: &str,
        position: &dyn Fn(usize) -> (usize, usize),
        links: &mut Vec<BodyLink>,
        followed: &mut Vec<usize>,
    ) {
        for (tag, value) in super::html_links::find(html) {
            let written = &html[value.clone()];
            let dest = super::html_links::dest(written);
            if super::hugo::ref_link(&dest).is_some() {
                // Where the parsed text has it: an event's text is the
                // source's but for a container's prefix.
                let at = self.start + value.start;
                if self.parsed.get(at..at + written.len()) == Some(written) {
                    followed.push(at + (written.len() - written.trim_start().len()));
                }
            }
            let (line, column) = position(self.start + tag);
            links.push(BodyLink {
                dest: dest.into_owned(),
                line,
                column,
            });
        }
    }
}

/// Phrasing elements a heading may hold: their tags show nothing.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "mark", "picture", "q", "s", "samp", "small", "source",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
];

static TAG_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^</?([A-Za-z][A-Za-z0-9-]*)").expect("valid regex"));
static ALT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("valid regex")
});

/// What a reader sees of one piece of inline HTML in a heading: nothing of
/// a comment or an element's tag, an image's alt text. A tag that names no
/// HTML element is kept as written: in a heading it is a stand-in
/// (`<concept>`) or a type (`Vec<String>`) far more often than markup.
fn shown_html(html: &str) -> String {
    // Comments, declarations, processing instructions.
    if html.starts_with("<!") || html.starts_with("<?") {
        return String::new();
    }
    let Some(name) = TAG_RE.captures(html).and_then(|c| c.get(1)) else {
        return html.to_owned();
    };
    let name = name.as_str().to_ascii_lowercase();
    if !INLINE_ELEMENTS.contains(&name.as_str()) {
        return html.to_owned();
    }
    if name != "img" {
        return String::new();
    }
    let alt = ALT_RE
        .captures(html)
        .and_then(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .map_or("", |m| m.as_str());
    match quick_xml::escape::unescape(alt) {
        Ok(text) => text.into_owned(),
        // An entity XML does not know (`&nbsp;`): the alt text as written.
        Err(_) => alt.to_owned(),
    }
}

/// Runs of whitespace as one space, trimmed: dropped tags leave gaps
/// (`A <br> B`).
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The text of one block (paragraph, cell, item...) with the source offset of
/// each piece, so a match found across pieces maps back to a file position.
#[derive(Default)]
struct ProseBuffer {
    text: String,
    pieces: Vec<(usize, usize)>,
}

/// Square-bracket template text. The char before must not make it an index
/// (`a[0]`) or a link/image part; the char after must not start a link.
static BRACKET_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\[\]\n]{1,160})\]").expect("valid regex"));
static DATE_PLACEHOLDER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bYYYY-MM-DD\b").expect("valid regex"));

/// Separates pieces that are not adjacent in the rendered text (code spans,
/// HTML), so brackets around them never pair up.
const RUN_BREAK: char = '\u{1}';

impl ProseBuffer {
    fn push(&mut self, text: &str, source_offset: usize) {
        self.pieces.push((self.text.len(), source_offset));
        self.text.push_str(text);
    }

    fn clear(&mut self) {
        self.text.clear();
        self.pieces.clear();
    }

    fn break_run(&mut self) {
        if !self.text.is_empty() {
            self.text.push(RUN_BREAK);
        }
    }

    fn source_offset(&self, buffer_offset: usize) -> usize {
        let i = self.pieces.partition_point(|&(b, _)| b <= buffer_offset);
        let (b, s) = self.pieces[i.saturating_sub(1)];
        s + (buffer_offset - b)
    }

    fn flush(
        &mut self,
        out: &mut Vec<ProsePlaceholder>,
        source: &str,
        position: &dyn Fn(usize) -> (usize, usize),
        in_heading: bool,
    ) {
        if self.text.is_empty() {
            self.pieces.clear();
            return;
        }
        for found in find_placeholders(&self.text, in_heading) {
            let offset = self.source_offset(found.start);
            // `\[pie]`: the author escaped the bracket, so it is meant literally.
            let escaped = |at: usize| source.as_bytes().get(at) == Some(&b'\\');
            if escaped(offset) || (offset > 0 && escaped(offset - 1)) {
                continue;
            }
            let (line, column) = position(offset);
            out.push(ProsePlaceholder {
                text: found.text,
                line,
                column,
            });
        }
        self.text.clear();
        self.pieces.clear();
    }
}

pub struct FoundPlaceholder {
    pub start: usize,
    pub text: String,
}

/// Unfilled template text in a piece of prose or a metadata value.
pub fn find_placeholders(text: &str, allow_markers: bool) -> Vec<FoundPlaceholder> {
    let mut found = Vec::new();
    for caps in BRACKET_RE.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        let before = text[..whole.start()].chars().next_back();
        let after = text[whole.end()..].chars().next();
        // `[[Page]]` is a wiki link; `[Ctrl]+[C]` names keys.
        let before_key = text[..whole.start()].trim_end().ends_with('+');
        let after_key = text[whole.end()..].trim_start().starts_with('+');
        if before
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, ']' | '[' | ')' | '!' | '\\' | '_'))
            || after.is_some_and(|c| matches!(c, '(' | '[' | ']' | '_'))
            || before_key
            || after_key
        {
            continue;
        }
        if !is_placeholder_text(&caps[1], allow_markers) {
            continue;
        }
        found.push(FoundPlaceholder {
            start: whole.start(),
            text: whole.as_str().to_owned(),
        });
    }
    for m in DATE_PLACEHOLDER_RE.find_iter(text) {
        // "dates in YYYY-MM-DD format" describes a format, it fills nothing.
        let describes_format = text[m.end()..].trim_start().starts_with("format");
        if !describes_format
            && !found
                .iter()
                .any(|f| f.start <= m.start() && m.end() <= f.start + f.text.len())
        {
            found.push(FoundPlaceholder {
                start: m.start(),
                text: m.as_str().to_owned(),
            });
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// A regular expression's character class: `[a-z0-9]`, `[A-Fa-f\d_-]`.
static CHAR_CLASS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\^?(?:[A-Za-z0-9]-[A-Za-z0-9]|\\.|[A-Za-z0-9_.\-])+$").expect("valid regex")
});

fn is_placeholder_text(inner: &str, allow_markers: bool) -> bool {
    let inner = inner.trim();
    if inner.is_empty() || inner.contains(RUN_BREAK) {
        return false;
    }
    // Template figures: `[99.9%]`, `[< X%]`, `[24/7|Business hours]`.
    let figure = inner
        .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '<' | '>' | '≤' | '≥'))
        && (inner.contains('%') || inner.contains('|') || inner.starts_with(['<', '>', '≤', '≥']))
        && !inner.starts_with("<!");
    if figure {
        return true;
    }
    // Footnotes, GitHub alerts, task boxes and citations like [1] are not
    // template text.
    if inner.starts_with([
        '^', '!', '@', '#', '$', '/', '.', '-', '*', '`', '"', '\'', '{', '<',
    ]) || inner.contains("://")
        || inner.starts_with(|c: char| c.is_ascii_digit())
        || inner.eq_ignore_ascii_case("x")
        || !inner.chars().any(char::is_alphabetic)
    {
        return false;
    }
    // `[a-z0-9]` is a regular expression's class.
    if inner.contains('-') && CHAR_CLASS_RE.is_match(inner) {
        return false;
    }
    // One word in capitals is a label (`[WIP]`, `[DEPRECATED]`, `[NAME]`);
    // one in lower case an editor's note (`[sic]`, `[sp]`). Template text
    // is Capitalised (`[Type]`) or several words.
    let one_word = !inner.contains(char::is_whitespace);
    if one_word {
        let letters: Vec<char> = inner.chars().filter(|c| c.is_alphabetic()).collect();
        let all_upper = letters.iter().all(|c| c.is_uppercase());
        let all_lower = letters.iter().all(|c| c.is_lowercase());
        let is_marker =
            inner.eq_ignore_ascii_case("required") || inner.eq_ignore_ascii_case("optional");
        if (all_upper && !is_marker) || all_lower {
            return false;
        }
    }
    let is_marker =
        inner.eq_ignore_ascii_case("required") || inner.eq_ignore_ascii_case("optional");
    !(is_marker && (allow_markers || inner.chars().all(|c| c.is_uppercase())))
}

static AGENT_NOTE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[-*+]\s+\*\*([^*\n]+?):?\*\*\s*:?\s*(.*?)\s*$").expect("valid regex")
});

/// Bullets `- **AgentName**: text` under an "AI Agent Notes" heading.
fn agent_notes(body: &str, first_line: usize) -> Vec<AgentNote> {
    let mut notes = Vec::new();
    let mut section_level: Option<usize> = None;
    let mut in_fence = false;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            let title = strip_marker(trimmed[hashes..].trim()).0;
            if title.eq_ignore_ascii_case("ai agent notes") {
                section_level = Some(hashes);
            } else if section_level.is_some_and(|l| hashes <= l) {
                section_level = None;
            }
            continue;
        }
        if section_level.is_none() {
            continue;
        }
        if let Some(caps) = AGENT_NOTE_RE.captures(line) {
            notes.push(AgentNote {
                agent: caps[1].trim().to_owned(),
                text: caps[2].to_owned(),
                line: first_line + i,
            });
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> BodyScan {
        scan(text, 0, &LineIndex::new(text), &|s| s.to_owned())
    }

    #[test]
    fn hugo_shortcodes_are_found_outside_code_by_their_opening_tags() {
        let s = scan_text(concat!(
            "See [the guide]({{< ref \"guide.md#setup\" >}}) and {{% alert title=\"Note\" %}}.\n",
            "{{% /alert %}}\n",
            "<a href=\"{{< relref getting-started >}}\">start</a>\n",
            "\n",
            "Escaped: {{</* ref x */>}}; in a span: `{{< ref y >}}`.\n",
            "\n",
            "```\n",
            "{{< tabs A B >}}\n",
            "```\n",
            "\n",
            "    {{< indented >}}\n",
            "\n",
            "Last {{<button page=\"x\">}} and {{ .Title }} and {{< >}}.\n",
        ));
        let found: Vec<(&str, usize, usize)> = s
            .shortcodes
            .iter()
            .map(|c| (c.name.as_str(), c.line, c.column))
            .collect();
        assert_eq!(
            found,
            [
                ("ref", 1, 17),
                ("alert", 1, 51),
                ("relref", 3, 10),
                ("button", 13, 6)
            ]
        );
        let arguments: Vec<Option<&str>> =
            s.shortcodes.iter().map(|c| c.argument.as_deref()).collect();
        // Named parameters are not the first positional argument.
        assert_eq!(
            arguments,
            [Some("guide.md#setup"), None, Some("getting-started"), None]
        );
        let tight = scan_text("[x]({{< ref contributing-overview>}})\n");
        assert_eq!(
            tight.shortcodes[0].argument.as_deref(),
            Some("contributing-overview")
        );
    }

    #[test]
    fn a_shortcode_cut_off_by_the_end_of_the_text_is_still_found() {
        let cut = scan_text("Cut off by [x]({{< ref guide");
        let found: Vec<(&str, Option<&str>)> = cut
            .shortcodes
            .iter()
            .map(|c| (c.name.as_str(), c.argument.as_deref()))
            .collect();
        assert_eq!(found, [("ref", Some("guide"))]);
        // Without a name there is no shortcode.
        assert!(scan_text("Only {{<, {{< 1 >}} and {{%")
            .shortcodes
            .is_empty());
    }

    #[test]
    fn shortcodes_between_many_code_spans_are_each_found_once() {
        // Each `{{<` is looked up among the code ranges by bisection, and
        // none sits in a span here.
        let text = "`{{<a>}}` {{<x>}} ".repeat(20_000);
        let s = scan_text(&text);
        assert_eq!(s.shortcodes.len(), 20_000);
        assert!(s.shortcodes.iter().all(|c| c.name == "x"));
    }

    #[test]
    fn headings_get_github_ids_and_markers() {
        let s = scan_text(
            "# Title\n\n## Overview [REQUIRED]\n\n## Overview [REQUIRED]\n## Custom {#my-id}\n",
        );
        let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["title", "overview-required", "overview-required-1", "my-id"]
        );
        assert_eq!(s.headings[1].marker, Some(Marker::Required));
        assert_eq!(s.headings[1].title(), "Overview");
        assert_eq!(s.headings[2].line, 5);
    }

    #[test]
    fn headings_show_what_a_reader_sees_of_their_markup() {
        let s = scan_text(concat!(
            "# <img src=\"/t.png\" alt=\"Dapr &amp; Docs\" width=400>\n",
            "## Using <code>retry</code> <!-- todo --> here\n",
            "## Try out <concept>\n",
            "## Vec<String> and <B>bold</B>\n",
            "## <img src=x.png>\n",
            "## Old <img alt='x' src=y> [REQUIRED]\n",
        ));
        let shown: Vec<_> = s.headings.iter().map(|h| h.title()).collect();
        assert_eq!(
            shown,
            [
                "Dapr & Docs",
                "Using retry here",
                "Try out <concept>",
                "Vec<String> and bold",
                // Nothing to show: the markup, as before.
                "<img src=x.png>",
                "Old x",
            ]
        );
        // An entity XML does not know stays as written in the alt text.
        let s2 = scan_text("## <img alt=\"A&nbsp;B\" src=x.png>\n");
        assert_eq!(s2.headings[0].title(), "A&nbsp;B");
        // Anchors are made from the text as written, as before.
        assert_eq!(s.headings[1].id, "using-coderetrycode----todo----here");
        assert_eq!(s.headings[5].marker, Some(Marker::Required));
        assert_eq!(s.headings[2].text, "Try out <concept>");
    }

    #[test]
    fn markers_never_split_characters() {
        assert_eq!(
            strip_marker("Integration: Payments Service → Kafka 84").1,
            None
        );
        assert_eq!(strip_marker("→").1, None);
        assert_eq!(
            strip_marker("Größe [optional]"),
            ("Größe", Some(Marker::Optional))
        );
    }

    #[test]
    fn placeholders_in_prose_and_cells_not_in_code_or_links() {
        let text = "Intro [Integration Name] here.\n\n| a | b |\n|---|---|\n| [Type] | `[code]` |\n\n```\n[ASCII]\n```\n\nSee [the docs](x.md) and [ref][r] and a[0] and [^1].\n\n- [ ] task\n- [x] done\n\n[r]: https://e.com\n[^1]: note\n";
        let s = scan_text(text);
        let found: Vec<_> = s
            .placeholders
            .iter()
            .map(|p| (p.text.as_str(), p.line, p.column))
            .collect();
        assert_eq!(found, [("[Integration Name]", 1, 7), ("[Type]", 5, 3)]);
    }

    #[test]
    fn date_placeholder_and_markers() {
        let s = scan_text("## Deploy [REQUIRED]\n\nUpdated YYYY-MM-DD by [OPTIONAL] someone, in YYYY-MM-DD format.\n");
        let found: Vec<_> = s.placeholders.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(found, ["YYYY-MM-DD"]);
    }

    #[test]
    fn placeholders_are_told_from_labels_keys_and_classes() {
        let found = |text: &str| -> Vec<String> {
            scan_text(text)
                .placeholders
                .into_iter()
                .map(|p| p.text)
                .collect()
        };
        for quiet in [
            "Status [WIP] and [DEPRECATED] by [NAME].\n",
            "He said [sic] it.\n",
            "Match `x` with [a-z0-9] or [A-Fa-f0-9_-].\n",
            "Press [Ctrl]+[C] or [Ctrl] + [Shift] + [K].\n",
            "See [[Page]] and [[Other page]].\n",
            "Text[^1].\n\n[^1]: From [The Book], chapter [Intro].\n",
            "Use [text][undefined-label] and [other][].\n",
        ] {
            assert_eq!(found(quiet), Vec::<String>::new(), "{quiet}");
        }
        assert_eq!(
            found("- **Availability**: [99.9%]\n- **Error Rate**: [< X%]\n- **Support Hours**: [24/7|Business hours]\n"),
            ["[99.9%]", "[< X%]", "[24/7|Business hours]"]
        );
        assert_eq!(
            found("| [Type] | x | [Type] |\n|---|---|---|\n"),
            ["[Type]", "[Type]"]
        );
    }

    #[test]
    fn undefined_references_are_found() {
        let s = scan_text(
            "Use [text][missing] and [this][] here.\n\n[defined]: https://x.io\n\n[ok][defined]\n",
        );
        let refs: Vec<_> = s
            .undefined_refs
            .iter()
            .map(|r| (r.label.as_str(), r.line, r.column))
            .collect();
        assert_eq!(refs, [("missing", 1, 5), ("this", 1, 25)]);
    }

    #[test]
    fn literal_brackets_are_not_placeholders() {
        let s = scan_text(
            "Use \\[pie] \\[title], [\"s1\"], [{ \"a\": 1 }], [https://x.io], [0(Sunday),6].\n",
        );
        assert!(s.placeholders.is_empty(), "{:?}", s.placeholders);
    }

    #[test]
    fn links_and_code_blocks_have_lines() {
        let s = scan_text("text\n\n[a](b.md#c)\n\n```mermaid\ngraph LR\n```\n");
        assert_eq!((s.links[0].dest.as_str(), s.links[0].line), ("b.md#c", 3));
        assert_eq!(
            (s.code_blocks[0].lang.as_str(), s.code_blocks[0].line),
            ("mermaid", 5)
        );
    }

    #[test]
    fn anchors_in_raw_html_are_targets() {
        let s = scan_text("<a id=\"one\"></a>\n\nText <a name='two'></a> and <span data-id=\"no\" id=three>x</span>\n\n<div\n  id=\"four\">\n</div>\n");
        assert_eq!(s.html_anchors, ["one", "two", "three", "four"]);
    }

    #[test]
    fn agent_notes_are_read_from_their_section() {
        let s = scan_text("## Other\n- **Nope**: x\n## AI Agent Notes\n\n- **POSAgent**: Mind the refunds.\n- **Next documents**: y\n## References\n- **Late**: z\n");
        let notes: Vec<_> = s
            .agent_notes
            .iter()
            .map(|n| (n.agent.as_str(), n.line))
            .collect();
        assert_eq!(notes, [("POSAgent", 5), ("Next documents", 6)]);
    }
}
