//! A document body → HTML: heading ids and anchors, `[REQUIRED]` badges,
//! `.md` links rewritten to page URLs, highlighted code, tables that scroll.
//!
//! Safety: links and images with a scheme other than http, https, mailto
//! or tel are dropped (their text kept). A body with raw HTML is sanitized
//! whole by `sanitize::clean_html`, so an element opened in one HTML block
//! and closed in another (`<details>` around markdown) stays one element.
//! What portolan generates itself (code, diagrams, headings' anchors) is
//! not the author's markup and must not be stripped: it stands in the
//! event stream as a placeholder token that the author cannot forge (it
//! carries a hash of the document) and is put back after sanitizing.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::diagrams::{self, Diagrams, Svg};
use super::highlight;
use crate::catalog::{join_relative, local_target, Catalog};
use crate::content::body::{markdown_options, strip_marker, Marker};
use crate::content::doc::{fill_fields, fill_heading_lines};
use crate::content::hugo_blocks;
use crate::content::Doc;
use crate::urls::encode_path;

/// What a link in a body needs to become a URL.
pub struct LinkContext<'a> {
    pub catalog: &'a Catalog,
    pub routes: &'a [String],
    pub base_path: &'a str,
    /// Non-markdown files of the content dir (images...), copied as they are.
    pub assets: &'a std::collections::BTreeSet<String>,
    pub diagrams: &'a Diagrams,
}

impl LinkContext<'_> {
    pub fn doc_url(&self, doc: usize) -> String {
        format!("{}{}", self.base_path, encode_path(&self.routes[doc]))
    }

    /// The URL a link in `from` should point at; None leaves it as written.
    pub(crate) fn rewrite(&self, from: usize, dest: &str) -> Option<String> {
        // `#anchor` on document `to`'s page: the id it names there
        // (`Doc::anchor_id`), else as written.
        let anchor_on = |to: usize, anchor: Option<&str>| -> String {
            anchor.map_or_else(String::new, |a| {
                let id = self.catalog.docs[to].anchor_id(a).unwrap_or(a);
                format!("#{}", encode_path(id))
            })
        };
        if let Some(hugo_ref) = crate::content::hugo::ref_link(dest) {
            let anchor = hugo_ref.anchor.as_deref();
            if hugo_ref.path.is_empty() {
                return anchor.is_some().then(|| anchor_on(from, anchor));
            }
            let doc = &self.catalog.docs[from];
            let to = self
                .catalog
                .resolve_ref(&doc.content_path, &hugo_ref.path)
                .ok()?;
            return Some(format!("{}{}", self.doc_url(to), anchor_on(to, anchor)));
        }
        let target = local_target(dest)?;
        let anchor = target.anchor.as_deref();
        if target.path.is_empty() {
            // On this page: rewritten only when the id differs.
            let id = anchor.and_then(|a| self.catalog.docs[from].anchor_id(a));
            return match (anchor, id) {
                (Some(a), Some(id)) if id != a => Some(format!("#{}", encode_path(id))),
                _ => None,
            };
        }
        let doc = &self.catalog.docs[from];
        if target.path.to_ascii_lowercase().ends_with(".md") {
            let to = self
                .catalog
                .resolve_path(&doc.content_path, &target.path)
                .ok()?;
            return Some(format!("{}{}", self.doc_url(to), anchor_on(to, anchor)));
        }
        let joined = join_relative(&doc.content_path, &target.path)?;
        let anchor = anchor
            .map(|a| format!("#{}", encode_path(a)))
            .unwrap_or_default();
        self.assets
            .contains(&joined)
            .then(|| format!("{}{}{anchor}", self.base_path, encode_path(&joined)))
    }
}

pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The title heading's inline markup (code, emphasis), when it has
    /// some: the page header shows it instead of the plain title.
    pub title_html: Option<String>,
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn badge(marker: Marker) -> &'static str {
    match marker {
        Marker::Required => r#" <span class="badge badge-required">required</span>"#,
        Marker::Optional => r#" <span class="badge badge-optional">optional</span>"#,
    }
}

/// A code block drawn with box-drawing or block characters: a diagram
/// (the seeds' ASCII system maps), not text to search or quote.
pub(crate) fn drawn_diagram(code: &str) -> bool {
    code.chars().any(|c| ('\u{2500}'..='\u{259F}').contains(&c))
}

/// The language a fence's info string names, as pages highlight it:
/// `YAML {linenos}` and `js,ignore` are `yaml` and `js`.
pub(crate) fn fence_language(info: &str) -> String {
    info.split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn code_block(lang: &str, code: &str) -> String {
    let lang_attr = escape_html(lang);
    if diagrams::is_diagram(lang) {
        // Rendered to SVG by the diagrams stage; until then readable source.
        return source_figure(code, "", "");
    }
    let (class, body) = match highlight::highlight(lang, code) {
        Some(html) if !lang.is_empty() => ("highlight", html),
        _ if lang.is_empty() => ("plain", escape_html(code)),
        _ => ("unknown", escape_html(code)),
    };
    // Search excerpts should read as prose: a box-drawn diagram is left out
    // of the index, other code counts for little (still findable).
    let index = if drawn_diagram(code) {
        " data-pagefind-ignore"
    } else {
        " data-pagefind-weight=\"0.3\""
    };
    format!(
        "<div class=\"code-block\" data-lang=\"{lang_attr}\"{index}><button type=\"button\" class=\"copy\" hidden data-pagefind-ignore>Copy</button><pre class=\"{class}\" tabindex=\"0\"><code>{body}</code></pre></div>\n"
    )
}

/// A diagram `serve` is still rendering in the background: its source,
/// saying so; the page reloads when the diagram is in. A build never
/// writes this (it renders every diagram first).
fn pending_diagram(code: &str) -> String {
    source_figure(
        code,
        " diagram-pending",
        ": being rendered; the page reloads when it is ready",
    )
}

/// A mermaid fence shown as its source.
fn source_figure(code: &str, class: &str, note: &str) -> String {
    format!(
        "<figure class=\"diagram diagram-source{class}\" data-lang=\"mermaid\" data-pagefind-ignore><pre tabindex=\"0\"><code>{}</code></pre><figcaption>Mermaid diagram (source){note}</figcaption></figure>\n",
        escape_html(code)
    )
}

/// "Flowchart", "Sequence diagram"...: the accessible name of a diagram
/// with neither a description nor a title.
fn diagram_kind(definition: &str) -> String {
    let first = definition
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%") && *l != "---")
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("diagram");
    let name = match first {
        "graph" | "flowchart" | "flowchart-elk" => "Flowchart",
        "sequenceDiagram" => "Sequence diagram",
        "classDiagram" | "classDiagram-v2" => "Class diagram",
        "stateDiagram" | "stateDiagram-v2" => "State diagram",
        "erDiagram" => "Entity relationship diagram",
        "gantt" => "Gantt chart",
        "pie" => "Pie chart",
        "journey" => "User journey",
        "gitGraph" => "Git graph",
        "mindmap" => "Mind map",
        "timeline" => "Timeline",
        other => return format!("{other} diagram"),
    };
    name.to_owned()
}

/// An inline SVG figure: the page-unique id replaces mermaid's, and the
/// SVG is an image with an accessible name.
pub fn diagram_figure(svg: &Svg, id: &str, label: &str) -> String {
    let text = svg.svg.replace(diagrams::SVG_ID_PLACEHOLDER, id);
    let (open, rest) = match text.find('>') {
        Some(end) if text.starts_with("<svg") => text.split_at(end),
        _ => return format!("<figure class=\"diagram\" data-pagefind-ignore>{text}</figure>\n"),
    };
    let mut open = open.to_owned();
    if let Some(start) = open.find(" role=\"") {
        if let Some(len) = open[start + 7..].find('"') {
            open.replace_range(start..start + 8 + len, "");
        }
    }
    let mut open = open.replacen(
        "<svg",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\"",
            escape_html(label.trim())
        ),
        1,
    );
    // Fitted to a phone, a wide diagram's text shrinks to nothing: the
    // stylesheet keeps it at least 12 px there (the diagram scrolls in its
    // frame), and "Full size" shows it at the size mermaid drew it.
    if let Some(natural) = view_box_width(&open) {
        let base = base_font_px(rest).unwrap_or(16.0);
        let min = (natural * 12.0 / base).min(natural).min(8000.0);
        let sizes = format!("--diagram-min: {min:.0}px; --diagram-natural: {natural:.0}px; ");
        open = match open.find(" style=\"") {
            Some(at) => format!("{}{sizes}{}", &open[..at + 8], &open[at + 8..]),
            None => format!("{open} style=\"{}\"", sizes.trim_end()),
        };
    }
    format!("<figure class=\"diagram\" data-lang=\"mermaid\" data-pagefind-ignore>{open}{rest}</figure>\n")
}

/// The width of an `<svg ... viewBox="x y w h">` start tag.
fn view_box_width(open: &str) -> Option<f64> {
    let at = open.find(" viewBox=\"")? + 10;
    let value = &open[at..at + open[at..].find('"')?];
    let w: f64 = value
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .nth(2)?
        .parse()
        .ok()?;
    (w.is_finite() && w > 0.0).then_some(w)
}

/// The diagram's own text size: the first `font-size: Npx` of mermaid's
/// stylesheet is its root rule (`#id { font-size: 16px; ... }`). Smaller
/// sizes further down are for parts most diagrams do not draw.
fn base_font_px(svg: &str) -> Option<f64> {
    let (at, key) = svg.match_indices("font-size:").next()?;
    let value = svg[at + key.len()..].trim_start();
    let digits: String = value
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let px: f64 = digits.parse().ok()?;
    (value[digits.len()..].starts_with("px") && px >= 6.0).then_some(px)
}

/// A rendered diagram waiting for its accessible name: the paragraph that
/// follows it, when the document gives one (seed 000 asks for it).
struct PendingDiagram {
    event: usize,
    svg: Svg,
    id: String,
    kind: String,
    description: Option<String>,
}

impl PendingDiagram {
    fn finish(self, events: &mut [Event<'_>], generated: &mut Generated) {
        let label = self
            .description
            .filter(|d| !d.trim().is_empty())
            .or(self.svg.title.clone())
            .unwrap_or(self.kind);
        events[self.event] = generated.html(diagram_figure(&self.svg, &self.id, &label));
    }
}

/// HTML portolan writes itself, kept out of the sanitizer's way.
struct Generated {
    /// Unique to the document's text: an author cannot write a token that
    /// names one of these fragments without changing the hash.
    nonce: String,
    fragments: Vec<String>,
}

const TOKEN_START: char = '\u{E000}';
const TOKEN_END: char = '\u{E001}';

impl Generated {
    fn new(text: &str) -> Generated {
        Generated {
            nonce: crate::hash::digest(&["generated-html", text])[..16].to_owned(),
            fragments: Vec::new(),
        }
    }

    fn html<'a>(&mut self, html: String) -> Event<'a> {
        let token = format!(
            "{TOKEN_START}{}:{}{TOKEN_END}",
            self.nonce,
            self.fragments.len()
        );
        self.fragments.push(html);
        Event::Html(token.into())
    }

    /// Puts the fragments back in place of their tokens; anything else that
    /// looks like a token stays as written.
    fn restore(&self, html: &str) -> String {
        if self.fragments.is_empty() {
            return html.to_owned();
        }
        let mut out = String::with_capacity(
            html.len() + self.fragments.iter().map(String::len).sum::<usize>(),
        );
        let mut rest = html;
        while let Some(start) = rest.find(TOKEN_START) {
            out.push_str(&rest[..start]);
            let after = &rest[start + TOKEN_START.len_utf8()..];
            let fragment = after.find(TOKEN_END).and_then(|end| {
                let (nonce, index) = after[..end].split_once(':')?;
                let index: usize = index.parse().ok()?;
                (nonce == self.nonce)
                    .then(|| self.fragments.get(index))
                    .flatten()
                    .map(|f| (f, end))
            });
            match fragment {
                Some((f, end)) => {
                    out.push_str(f);
                    rest = &after[end + TOKEN_END.len_utf8()..];
                }
                None => {
                    out.push(TOKEN_START);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// How the body's events are being made safe.
struct Safety {
    /// Whether a link or image was dropped, per open link/image.
    links: Vec<bool>,
    in_comment: bool,
    /// Raw HTML (other than comments) was seen: sanitize the body whole.
    raw_html: bool,
}

/// Renders document `index` of the catalog.
pub fn render(index: usize, links: &LinkContext<'_>) -> Rendered {
    let doc: &Doc = &links.catalog.docs[index];
    let filled = fill_heading_lines(doc.body(), doc.fill_source());
    // Hugo `ref` links, alerts and tabs masked as the check parsed them
    // (`content::hugo`, `content::hugo_blocks`).
    let prepared = crate::content::hugo::prepare(filled.as_deref().unwrap_or(doc.body()));
    let source = prepared.text.as_ref();
    // In a masked block shortcode's comment, which its HTML replaces.
    let mut in_block_tag = false;

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut generated = Generated::new(&doc.text);
    let mut safety = Safety {
        links: Vec::new(),
        in_comment: false,
        raw_html: false,
    };
    let mut heading_index = 0usize;
    let mut heading: Option<(u8, Vec<Event<'_>>)> = None;
    let mut code: Option<(String, String)> = None;
    let mut dropped_title = false;
    let mut title_html = None;
    let mut pending: Option<PendingDiagram> = None;
    let mut diagram_count = 0usize;

    let card_lines = card_lines(doc);
    let body_first_line = doc.text[..doc.body_offset].matches('\n').count() + 1;
    let mut skipping_meta = false;

    for (event, range) in Parser::new_ext(source, markdown_options()).into_offset_iter() {
        // `**Purpose:** …` lines the metadata card shows already: a
        // paragraph of only those would repeat the card, run together.
        if skipping_meta {
            skipping_meta = !matches!(event, Event::End(TagEnd::Paragraph));
            continue;
        }
        if heading.is_none()
            && code.is_none()
            && matches!(event, Event::Start(Tag::Paragraph))
            && (range.start == 0 || source[..range.start].ends_with('\n'))
        {
            let first = body_first_line + source[..range.start].matches('\n').count();
            let text = &source[range.clone()];
            let lines = text.trim_end().lines().count();
            if lines > 0 && (first..first + lines).all(|l| card_lines.contains(&l)) {
                if let Some(p) = pending.take() {
                    p.finish(&mut events, &mut generated);
                }
                skipping_meta = true;
                continue;
            }
        }
        if let Some(p) = pending.as_mut() {
            match &event {
                Event::Start(Tag::Paragraph) if p.description.is_none() => {
                    p.description = Some(String::new());
                }
                Event::Text(t) | Event::Code(t) if p.description.is_some() => {
                    if let Some(d) = p.description.as_mut() {
                        d.push_str(t);
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    if let Some(d) = p.description.as_mut() {
                        d.push(' ');
                    }
                }
                Event::End(TagEnd::Paragraph) => {
                    if let Some(p) = pending.take() {
                        p.finish(&mut events, &mut generated);
                    }
                }
                Event::Start(_) if p.description.is_none() => {
                    if let Some(p) = pending.take() {
                        p.finish(&mut events, &mut generated);
                    }
                }
                _ => {}
            }
        }
        if let Some((_, inner)) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let (level, mut inner) = heading.take().expect("in a heading");
                    let info = doc.headings.get(heading_index);
                    heading_index += 1;
                    let id = info.map(|h| h.id.clone()).unwrap_or_default();
                    let marker = info.and_then(|h| h.marker);
                    if marker.is_some() {
                        strip_trailing_marker(&mut inner);
                    }
                    let is_title = level == 1
                        && !dropped_title
                        && info.is_some_and(|h| Some(h.title()) == doc.title.as_deref());
                    if is_title {
                        // The page header shows the title already.
                        dropped_title = true;
                        title_html = title_markup(&inner);
                        continue;
                    }
                    let id = escape_html(&id);
                    events.push(generated.html(format!("<h{level} id=\"{id}\">")));
                    events.extend(inner);
                    let badge = marker.map(badge).unwrap_or_default();
                    events.push(generated.html(format!(
                        "{badge} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\" data-pagefind-ignore>#</a></h{level}>\n"
                    )));
                }
                Event::Text(t) => {
                    inner.push(Event::Text(fill_fields(&t, doc.fill_source()).into()))
                }
                other => inner.extend(sanitize(other, &mut safety, links, index)),
            }
            continue;
        }
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().expect("in a code block");
                    let rendered = diagrams::is_diagram(&lang)
                        .then(|| links.diagrams.get(&text))
                        .flatten();
                    match rendered {
                        Some(Ok(svg)) => {
                            if let Some(p) = pending.take() {
                                p.finish(&mut events, &mut generated);
                            }
                            diagram_count += 1;
                            pending = Some(PendingDiagram {
                                event: events.len(),
                                svg: svg.clone(),
                                id: format!("diagram-{diagram_count}"),
                                kind: diagram_kind(&text),
                                description: None,
                            });
                            events.push(Event::Html("".into()));
                        }
                        None if diagrams::is_diagram(&lang) && links.diagrams.is_pending(&text) => {
                            events.push(generated.html(pending_diagram(&text)))
                        }
                        _ => events.push(generated.html(code_block(&lang, &text))),
                    }
                }
                _ => {}
            }
            continue;
        }
        if in_block_tag {
            in_block_tag = !matches!(event, Event::End(TagEnd::HtmlBlock));
            continue;
        }
        // A masked tag: an HTML block of its own (skipped whole), or a
        // line of the author's HTML block (that line replaced).
        if let Event::Start(Tag::HtmlBlock) | Event::Html(_) = event {
            if let Some(block) = hugo_blocks::starting(&prepared.blocks, source, &range) {
                events.push(generated.html(block_html(&block.role, links, index)));
                in_block_tag = matches!(event, Event::Start(_));
                continue;
            }
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level as u8, Vec::new())),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => fence_language(&info),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            // A checkbox needs an accessible name; its item's text follows it.
            Event::TaskListMarker(done) => events.push(generated.html(format!(
                "<input type=\"checkbox\" disabled{} aria-label=\"{}\"> ",
                if done { " checked" } else { "" },
                if done { "done" } else { "not done" }
            ))),
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                events.push(generated.html(callout_open(kind)));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                events.push(generated.html("</aside>\n".to_owned()));
            }
            Event::Start(Tag::Table(a)) => {
                events.push(generated.html("<div class=\"table-wrap\" tabindex=\"0\">".to_owned()));
                events.push(Event::Start(Tag::Table(a)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(generated.html("</div>\n".to_owned()));
            }
            Event::Text(t) => events.push(Event::Text(fill_fields(&t, doc.fill_source()).into())),
            other => events.extend(sanitize(other, &mut safety, links, index)),
        }
    }

    if let Some(p) = pending.take() {
        p.finish(&mut events, &mut generated);
    }
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // pulldown-cmark escapes text and attributes itself: only raw HTML
    // needs the sanitizer, which is costly enough to skip when there is none.
    if safety.raw_html {
        html = super::sanitize::clean_html(&html);
    }
    let mut html = generated.restore(&html);
    // Table cells touch in pulldown-cmark's output; text extraction (search
    // excerpts) would read `EndpointMethod`. A newline between them shows
    // nothing and keeps them apart.
    if memchr::memmem::find(html.as_bytes(), b"<table>").is_some() {
        html = separate_cells(&html);
    }
    let toc = doc
        .headings
        .iter()
        .filter(|h| (2..=3).contains(&h.level))
        .map(|h| TocEntry {
            level: h.level,
            id: h.id.clone(),
            title: h.title().to_owned(),
        })
        .collect();
    Rendered {
        html,
        toc,
        title_html,
    }
}

/// A title heading's inline markup as HTML: code, emphasis, strong and
/// struck text, the rest as text. None for a plain title, and for one
/// holding raw HTML (the plain title stands, escaped, rather than a
/// second sanitizer pass for a heading).
fn title_markup(inner: &[Event<'_>]) -> Option<String> {
    let formatted = inner.iter().any(|e| {
        matches!(
            e,
            Event::Code(_) | Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
        )
    });
    let raw = inner
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    if !formatted || raw {
        return None;
    }
    let mut out = String::new();
    for event in inner {
        match event {
            Event::Text(t) => out.push_str(&escape_html(t)),
            Event::Code(t) => {
                out.push_str("<code>");
                out.push_str(&escape_html(t));
                out.push_str("</code>");
            }
            Event::Start(Tag::Emphasis) => out.push_str("<em>"),
            Event::End(TagEnd::Emphasis) => out.push_str("</em>"),
            Event::Start(Tag::Strong) => out.push_str("<strong>"),
            Event::End(TagEnd::Strong) => out.push_str("</strong>"),
            Event::Start(Tag::Strikethrough) => out.push_str("<del>"),
            Event::End(TagEnd::Strikethrough) => out.push_str("</del>"),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // Links, images and the like: their text alone, as in the
            // plain title.
            _ => {}
        }
    }
    Some(out)
}

/// `</th><th` and `</td><td` with a newline between. One pass with SIMD
/// search: a code-heavy page is mostly highlighting, scanned for nothing.
fn separate_cells(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut done = 0;
    for at in memchr::memmem::find_iter(html.as_bytes(), b"</t") {
        let rest = &html[at..];
        if at >= done && (rest.starts_with("</th><th") || rest.starts_with("</td><td")) {
            let split = at + "</td>".len();
            out.push_str(&html[done..split]);
            out.push('\n');
            done = split;
        }
    }
    out.push_str(&html[done..]);
    out
}

/// Removes a trailing `[REQUIRED]`/`[OPTIONAL]` from a heading's inline
/// events. pulldown-cmark hands brackets over as separate text events, so the
/// trailing run of text is joined before the marker is cut off.
/// File lines of `**Key**: value` lines whose value the metadata card
/// shows (card fields, status, last update).
fn card_lines(doc: &Doc) -> std::collections::HashSet<usize> {
    use crate::content::field::FieldOrigin;
    let has_status = doc.text_field("status").is_some();
    doc.fields
        .iter()
        .filter(|f| f.origin == FieldOrigin::Inline && !f.raw.trim().is_empty())
        .filter(|f| !crate::catalog::looks_like_placeholder(&f.raw))
        .filter(|f| {
            super::pages::CARD_FIELDS.iter().any(|(k, _)| *k == f.key)
                || ["status", "last_updated"].contains(&f.key.as_str())
                || (f.key == "review_status" && !has_status)
        })
        .map(|f| f.line)
        .collect()
}

/// A GitHub alert (`> [!WARNING]`) as a labelled aside.
fn callout_open(kind: pulldown_cmark::BlockQuoteKind) -> String {
    callout_html(kind, None)
}

/// A callout's start: its class, label (`title`, else the kind's name)
/// and icon. `role="note"`: a callout is part of the text, not a
/// complementary landmark.
fn callout_html(kind: pulldown_cmark::BlockQuoteKind, title: Option<&str>) -> String {
    use pulldown_cmark::BlockQuoteKind as K;
    let (key, name, icon) = match kind {
        K::Note => ("note", "Note", "ℹ"),
        K::Tip => ("tip", "Tip", "✓"),
        K::Important => ("important", "Important", "!"),
        K::Warning => ("warning", "Warning", "⚠"),
        K::Caution => ("caution", "Caution", "⛔"),
    };
    let label = escape_html(title.unwrap_or(name));
    format!(
        "<aside class=\"callout callout-{key}\" role=\"note\" aria-label=\"{label}\"><p class=\"callout-title\"><span aria-hidden=\"true\">{icon}</span> {label}</p>\n"
    )
}

/// The HTML of a Hugo alert, tab or button tag (`hugo_blocks`). A Docsy
/// alert's colour gives the callout's kind; its title, when it has one,
/// the label. Tabs are panels, each under its label: the theme's script
/// makes them tabs, and without it they read one after the other.
fn block_html(role: &hugo_blocks::Role, links: &LinkContext<'_>, index: usize) -> String {
    use hugo_blocks::{Kind, Role};
    match role {
        Role::Alert { title, color } => {
            use pulldown_cmark::BlockQuoteKind as K;
            let color = color.as_deref().unwrap_or("").to_ascii_lowercase();
            let kind = match color.as_str() {
                "warning" => K::Warning,
                "danger" => K::Caution,
                "success" => K::Tip,
                _ => K::Note,
            };
            let title = title.as_deref().map(str::trim).filter(|t| !t.is_empty());
            callout_html(kind, title)
        }
        Role::Tabs => "<div class=\"tabs\">\n".to_owned(),
        Role::Codetab { label } => format!(
            "<div class=\"tab-panel\"><p class=\"tab-label\">{}</p>\n",
            escape_html(label)
        ),
        Role::End(Kind::Alert) => "</aside>\n".to_owned(),
        Role::End(Kind::Tabs | Kind::Codetab) => "</div>\n".to_owned(),
        // A button has no end tag; none is ever masked.
        Role::End(Kind::Button) => String::new(),
        Role::Button {
            text,
            page,
            link,
            new_tab,
        } => {
            // As a link in the text would be: a page Hugo's `ref` finds,
            // or a URL of a safe scheme; else the text alone.
            let href = match (page, link) {
                (Some(page), _) => links.rewrite(index, &crate::content::hugo::button_ref(page)),
                (None, Some(link)) => {
                    super::sanitize::is_safe_url(link).then(|| link.trim().to_owned())
                }
                (None, None) => None,
            };
            // A link needs a name: the target, when the text is missing.
            let named = [Some(text), page.as_ref(), link.as_ref()];
            let text = named.into_iter().flatten().find(|t| !t.trim().is_empty());
            let text = escape_html(text.map_or("", |t| t.trim()));
            match href {
                Some(href) => {
                    let new_tab = if *new_tab {
                        " target=\"_blank\" rel=\"noopener\""
                    } else {
                        ""
                    };
                    format!(
                        "<p><a class=\"button\" href=\"{}\"{new_tab}>{text}</a></p>\n",
                        escape_html(&href)
                    )
                }
                None => format!("<p>{text}</p>\n"),
            }
        }
    }
}

/// A short piece of markdown written in a document (an agent note) as
/// inline HTML: links rewritten as the document's own, unsafe ones
/// dropped, raw HTML sanitized, one paragraph unwrapped.
pub fn render_inline(markdown: &str, links: &LinkContext<'_>, index: usize) -> String {
    let mut safety = Safety {
        links: Vec::new(),
        in_comment: false,
        raw_html: false,
    };
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, markdown_options())
        .filter_map(|e| sanitize(e, &mut safety, links, index))
        .collect();
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if safety.raw_html {
        html = super::sanitize::clean_html(&html);
    }
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

fn strip_trailing_marker(inner: &mut Vec<Event<'_>>) {
    let mut tail = String::new();
    while let Some(Event::Text(t)) = inner.last() {
        tail.insert_str(0, t);
        inner.pop();
    }
    let (kept, _) = strip_marker(&tail);
    if !kept.is_empty() {
        inner.push(Event::Text(kept.to_owned().into()));
    }
}

/// Links rewritten or, with an unsafe scheme, dropped (text kept);
/// comments dropped; other raw HTML marked for the sanitizer.
fn sanitize<'a>(
    event: Event<'a>,
    safety: &mut Safety,
    links: &LinkContext<'_>,
    index: usize,
) -> Option<Event<'a>> {
    let mut event = event;
    match &mut event {
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
            if !super::sanitize::is_safe_url(dest_url) {
                safety.links.push(true);
                return None;
            }
            match links.rewrite(index, dest_url) {
                Some(url) => *dest_url = CowStr::from(url),
                // A Hugo `ref` that finds no document (an error of the
                // check) points nowhere: its text is kept, unlinked.
                None if crate::content::hugo::ref_link(dest_url).is_some() => {
                    safety.links.push(true);
                    return None;
                }
                None => {}
            }
            safety.links.push(false);
        }
        Event::End(TagEnd::Link | TagEnd::Image) if safety.links.pop().unwrap_or(false) => {
            return None;
        }
        _ => {}
    }
    match event {
        Event::Html(h) | Event::InlineHtml(h) => html_event(h, safety, links, index),
        other => Some(other),
    }
}

fn html_event<'a>(
    html: CowStr<'a>,
    safety: &mut Safety,
    links: &LinkContext<'_>,
    index: usize,
) -> Option<Event<'a>> {
    if crate::content::html_links::is_comment(&html, &mut safety.in_comment) {
        return None;
    }
    safety.raw_html = true;
    // As written but for its links: the body is sanitized whole once
    // rendered (which drops an unsafe one).
    Some(Event::InlineHtml(
        match rewrite_html_links(&html, links, index) {
            Some(rewritten) => CowStr::from(rewritten),
            None => html,
        },
    ))
}

/// `html` with each link the catalog knows rewritten to its URL, as a
/// markdown link's would be (`html_links`); None when none is.
fn rewrite_html_links(html: &str, links: &LinkContext<'_>, index: usize) -> Option<String> {
    let mut out = String::new();
    let mut done = 0;
    for (_, value) in crate::content::html_links::find(html) {
        let dest = crate::content::html_links::dest(&html[value.clone()]);
        if let Some(url) = links.rewrite(index, &dest) {
            out.push_str(&html[done..value.start]);
            out.push_str(&escape_html(&url));
            done = value.end;
        }
    }
    (done > 0).then(|| {
        out.push_str(&html[done..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_cells_are_kept_apart_as_before() {
        for html in [
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>",
            "</td><td</td><td</th><th></td><td>",
            "</t</td></td><td><th></th><th</t",
            "no cells",
            "",
            "é</td><td>é",
        ] {
            assert_eq!(
                separate_cells(html),
                html.replace("</th><th", "</th>\n<th")
                    .replace("</td><td", "</td>\n<td"),
                "{html}"
            );
        }
    }

    #[test]
    fn figures_get_unique_ids_and_an_accessible_name() {
        let svg = Svg {
            svg: r#"<svg id="portolan-mermaid-svg" role="graphics-document document" class="flowchart"><style>#portolan-mermaid-svg .node{}</style></svg>"#.into(),
            title: None,
            desc: None,
        };
        let html = diagram_figure(&svg, "diagram-2", "Checkout \"asks\" <Stripe>");
        assert!(html.contains(r#"<svg role="img" aria-label="Checkout &quot;asks&quot; &lt;Stripe&gt;" id="diagram-2" class="flowchart">"#), "{html}");
        assert!(html.contains("#diagram-2 .node"));
        assert!(!html.contains("portolan-mermaid-svg"));
        assert!(!html.contains("graphics-document"));
    }

    #[test]
    fn wide_diagrams_keep_their_text_readable_on_phones() {
        let svg = Svg {
            svg: r#"<svg id="portolan-mermaid-svg" width="100%" style="max-width: 1414.4px;" viewBox="0 0 1414.4 184"><style>#portolan-mermaid-svg{font-size:16px;} .label{font-size: 14px}</style></svg>"#.into(),
            title: None,
            desc: None,
        };
        let html = diagram_figure(&svg, "diagram-1", "A");
        // 12 px for the root font (16 px): 1414 × 12 / 16 = 1061.
        assert!(
            html.contains(
                r#"style="--diagram-min: 1061px; --diagram-natural: 1414px; max-width: 1414.4px;""#
            ),
            "{html}"
        );
        let narrow = Svg {
            svg: r#"<svg id="portolan-mermaid-svg" viewBox="-50 -10 300 200"></svg>"#.into(),
            title: None,
            desc: None,
        };
        let html = diagram_figure(&narrow, "diagram-2", "B");
        assert!(
            html.contains(r#"style="--diagram-min: 225px; --diagram-natural: 300px;""#),
            "{html}"
        );
    }

    #[test]
    fn diagram_kinds() {
        assert_eq!(diagram_kind("graph LR\n a-->b"), "Flowchart");
        assert_eq!(
            diagram_kind("%% comment\nsequenceDiagram\n"),
            "Sequence diagram"
        );
        assert_eq!(diagram_kind("quadrantChart\n"), "quadrantChart diagram");
    }
}
