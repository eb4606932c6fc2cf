//! Nothing a document brings may run script on the catalog's origin or load
//! from elsewhere. Three allow-lists, one per kind of markup:
//!
//! - HTML in markdown goes through `ammonia` (html5ever, as a browser
//!   parses it) with the tags and attributes of [`HTML_TAGS`].
//! - SVG (mermaid's output, SVG attachments) is re-serialized element by
//!   element from an XML parse: only [`SVG_TAGS`] (and, inside
//!   `foreignObject`, [`FOREIGN_HTML_TAGS`]) survive, no event attribute,
//!   no reference that leaves the document. Every text is escaped again,
//!   so an HTML parser and an XML parser read the result alike.
//! - CSS (SVG `<style>`, `style=`) loses `@import`, `url()` to anything but
//!   a fragment, `image-set()`, `expression()` and escapes.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use quick_xml::events::{BytesStart, Event};
use regex::Regex;

/// The URL schemes a link or image may use; anything else (javascript:,
/// data:, vbscript:, file:...) is dropped. Relative URLs are always fine.
pub const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Tags raw HTML in a document may use, with their attributes. Everything
/// else is removed (its text kept), `<script>` and `<style>` with content.
pub const HTML_TAGS: &[(&str, &[&str])] = &[
    ("a", &["href", "title", "id", "name"]),
    ("abbr", &["title"]),
    ("b", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("code", &[]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("dd", &[]),
    ("del", &[]),
    ("details", &["open"]),
    ("div", &["id"]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("h1", &["id"]),
    ("h2", &["id"]),
    ("h3", &["id"]),
    ("h4", &["id"]),
    ("h5", &["id"]),
    ("h6", &["id"]),
    ("hr", &[]),
    ("i", &[]),
    ("img", &["src", "alt", "title", "width", "height"]),
    ("input", &["type", "checked", "disabled"]),
    ("ins", &[]),
    ("kbd", &[]),
    ("li", &[]),
    ("mark", &[]),
    ("ol", &["start"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &[]),
    ("s", &[]),
    ("samp", &[]),
    ("small", &[]),
    ("span", &["id"]),
    ("strike", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("summary", &[]),
    ("sup", &["id"]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan", "style"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan", "style"]),
    ("thead", &[]),
    ("tr", &[]),
    ("u", &[]),
    ("ul", &[]),
    ("var", &[]),
];

/// Classes pulldown-cmark writes itself (footnotes) and that survive.
const HTML_CLASSES: &[(&str, &[&str])] = &[
    ("div", &["footnote-definition"]),
    ("sup", &["footnote-definition-label", "footnote-reference"]),
];

static HTML_CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    let tags: HashSet<&str> = HTML_TAGS.iter().map(|(t, _)| *t).collect();
    let attributes: HashMap<&str, HashSet<&str>> = HTML_TAGS
        .iter()
        .map(|(t, a)| (*t, a.iter().copied().collect()))
        .collect();
    let classes: HashMap<&str, HashSet<&str>> = HTML_CLASSES
        .iter()
        .map(|(t, c)| (*t, c.iter().copied().collect()))
        .collect();
    builder
        .tags(tags)
        .tag_attributes(attributes)
        .allowed_classes(classes)
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // pulldown-cmark aligns table columns with `style`; nothing else
            // of CSS is let through.
            ("td" | "th", "style") => {
                let v = value.trim().trim_end_matches(';').replace(' ', "");
                matches!(
                    v.as_str(),
                    "text-align:left" | "text-align:center" | "text-align:right"
                )
                .then(|| value.into())
            }
            ("input", "type") => value.eq_ignore_ascii_case("checkbox").then(|| value.into()),
            _ => Some(value.into()),
        });
    builder
});

/// Raw HTML of a document, sanitized.
pub fn clean_html(html: &str) -> String {
    HTML_CLEANER.clean(html).to_string()
}

/// Whether a link or image URL may be published: relative, or one of
/// [`URL_SCHEMES`]. Browsers ignore tabs, newlines and leading spaces or
/// controls in a scheme (`java\tscript:`), so the test does too.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect();
    let Some(colon) = cleaned.find(':') else {
        return true;
    };
    let before = &cleaned[..colon];
    // `a/b:c`, `?x=a:b` and `#x:y` are relative: the colon is not a scheme's.
    if before.contains(['/', '?', '#']) {
        return true;
    }
    let scheme = before.to_ascii_lowercase();
    URL_SCHEMES.contains(&scheme.as_str())
}

/// SVG elements kept outside `foreignObject`: what mermaid draws with.
pub const SVG_TAGS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "defs",
    "marker",
    "style",
    "title",
    "desc",
    "foreignObject",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
    "filter",
    "feGaussianBlur",
    "feOffset",
    "feFlood",
    "feComposite",
    "feMerge",
    "feMergeNode",
    "feBlend",
    "feColorMatrix",
    "feDropShadow",
    "switch",
    "a",
];

/// HTML elements kept inside `foreignObject` (mermaid's HTML labels).
pub const FOREIGN_HTML_TAGS: &[&str] = &[
    "div", "span", "p", "br", "b", "i", "em", "strong", "code", "pre", "ul", "ol", "li", "table",
    "thead", "tbody", "tr", "td", "th", "sub", "sup", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "label", "small", "u", "s", "a",
];

const VOID_HTML: &[&str] = &["br", "hr"];

/// SVG, sanitized: see the module comment. Input that is not well-formed
/// XML yields an empty string (nothing of it is trusted).
pub fn clean_svg(svg: &str) -> String {
    clean_svg_checked(svg).unwrap_or_default()
}

/// A standalone SVG file (an attachment), sanitized; an XML declaration is
/// put back so it stays a valid SVG document.
pub fn clean_svg_document(svg: &str) -> String {
    let body = clean_svg(svg);
    if body.is_empty() {
        return body;
    }
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n")
}

fn clean_svg_checked(svg: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut out = String::with_capacity(svg.len());
    // One entry per open element: (name as written, kept?, inside
    // foreignObject?). Dropped elements drop their whole subtree.
    let mut stack: Vec<(String, bool, bool)> = Vec::new();
    let mut depth_guard = 0usize;
    loop {
        let event = reader.read_event().ok()?;
        let (dropping, foreign) = stack
            .last()
            .map(|(_, kept, f)| (!kept, *f))
            .unwrap_or((false, false));
        match event {
            Event::Eof => break,
            Event::Start(start) => {
                depth_guard += 1;
                if depth_guard > 512 {
                    return None;
                }
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let keep = !dropping && element_allowed(&name, foreign);
                if keep {
                    write_start(&mut out, &name, &start, foreign, false);
                }
                let inside = foreign || name == "foreignObject";
                stack.push((name, keep, inside));
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if !dropping && element_allowed(&name, foreign) {
                    write_start(&mut out, &name, &start, foreign, true);
                }
            }
            Event::End(_) => {
                depth_guard = depth_guard.saturating_sub(1);
                let (name, kept, _) = stack.pop()?;
                if kept {
                    out.push_str("</");
                    out.push_str(&name);
                    out.push('>');
                }
            }
            Event::Text(text) if !dropping => {
                let text = text.xml10_content().ok()?;
                push_text(
                    &mut out,
                    &text,
                    stack.last().is_some_and(|(n, ..)| n == "style"),
                );
            }
            Event::CData(text) if !dropping => {
                let text = String::from_utf8_lossy(&text).into_owned();
                push_text(
                    &mut out,
                    &text,
                    stack.last().is_some_and(|(n, ..)| n == "style"),
                );
            }
            Event::GeneralRef(reference) if !dropping => {
                let ch = match reference.resolve_char_ref().ok()? {
                    Some(c) => Some(c),
                    None => match reference.decode().ok()?.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = ch {
                    push_text(&mut out, &c.to_string(), false);
                }
            }
            // Comments, processing instructions, doctypes (and their
            // entities), declarations: none is needed to draw.
            _ => {}
        }
    }
    stack.is_empty().then_some(out)
}

fn element_allowed(name: &str, foreign: bool) -> bool {
    if foreign {
        FOREIGN_HTML_TAGS.contains(&name)
    } else {
        SVG_TAGS.contains(&name)
    }
}

fn push_text(out: &mut String, text: &str, css: bool) {
    let text = if css {
        clean_css(text)
    } else {
        text.to_owned()
    };
    out.push_str(&crate::render::markdown::escape_html(&text));
}

fn write_start(out: &mut String, name: &str, start: &BytesStart<'_>, foreign: bool, empty: bool) {
    out.push('<');
    out.push_str(name);
    for attribute in start.attributes().with_checks(false).flatten() {
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let Ok(value) = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) else {
            continue;
        };
        if let Some(value) = clean_attribute(name, &key, &value) {
            out.push(' ');
            out.push_str(&key);
            out.push_str("=\"");
            out.push_str(&crate::render::markdown::escape_html(&value));
            out.push('"');
        }
    }
    if empty && (!foreign || VOID_HTML.contains(&name)) {
        out.push_str("/>");
    } else if empty {
        // `<div/>` is an open tag to an HTML parser.
        out.push_str("></");
        out.push_str(name);
        out.push('>');
    } else {
        out.push('>');
    }
}

static ATTRIBUTE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][-A-Za-z0-9_.:]*$").expect("valid regex"));

fn clean_attribute(element: &str, key: &str, value: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    if !ATTRIBUTE_NAME.is_match(key) || lower.starts_with("on") {
        return None;
    }
    let local = lower.rsplit(':').next().unwrap_or(&lower);
    match local {
        "href" | "src" => {
            let v = value.trim();
            let fragment = v.starts_with('#');
            // A link of mermaid's (`click` is off under `strict`, but
            // markdown links in labels exist) may go to the web.
            let web_link = element == "a" && !v.is_empty() && is_safe_url(v);
            (fragment || web_link).then(|| v.to_owned())
        }
        "style" => Some(clean_css(value)),
        // Animation wiring can set any attribute, `href` included.
        "attributename" | "begin" | "to" | "from" | "values" | "by" => None,
        _ => {
            let v = value.to_ascii_lowercase();
            // url(...) in presentation attributes (fill, filter, marker-end)
            // must stay inside the document.
            (!v.contains("url(") || clean_css(value) == value).then(|| value.to_owned())
        }
    }
}

static CSS_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)url\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)"#).expect("valid regex")
});
static CSS_DANGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)@import[^;{}]*;?|(?:-webkit-)?image-set\s*\(|expression\s*\(|-moz-binding|behavior\s*:")
        .expect("valid regex")
});

/// CSS that can load nothing from elsewhere and run nothing.
pub fn clean_css(css: &str) -> String {
    // CSS escapes can spell `url(` or `@import` in disguise; mermaid's CSS
    // uses none.
    let css = css.replace('\\', "");
    let css = CSS_DANGER.replace_all(&css, "/* removed */");
    CSS_URL
        .replace_all(&css, |caps: &regex::Captures<'_>| {
            let target = caps
                .get(1)
                .or(caps.get(2))
                .or(caps.get(3))
                .map(|m| m.as_str().trim())
                .unwrap_or("");
            if target.starts_with('#') && !target.contains(['(', ')', '"', '\'']) {
                format!("url({target})")
            } else {
                "none".to_owned()
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_by_scheme() {
        for good in [
            "https://x.io",
            "http://x",
            "mailto:a@b.c",
            "tel:+49",
            "a.md",
            "../x/y.png",
            "#top",
            "/abs",
            "a/b:c",
            "?q=a:b",
            "",
        ] {
            assert!(is_safe_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:x",
            "java\tscript:x",
            "java\nscript:x",
            "\u{1}javascript:x",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn html_keeps_safe_markup_and_drops_script() {
        let out = clean_html(
            r#"<details><summary>More</summary><a id="x"></a><a name="y" href="javascript:alert(1)">t</a><img src=x onerror=alert(1)><script>alert(1)</script><span id="s" style="color:red">s</span><iframe src="https://e.x"></iframe></details>"#,
        );
        assert!(out.contains("<details><summary>More</summary>"), "{out}");
        assert!(out.contains(r#"<a id="x"></a>"#), "{out}");
        assert!(out.contains(r#"<a name="y">t</a>"#), "{out}");
        assert!(out.contains(r#"<img src="x">"#), "{out}");
        assert!(out.contains(r#"<span id="s">s</span>"#), "{out}");
        for bad in ["script", "onerror", "iframe", "javascript", "style"] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
    }

    #[test]
    fn svg_loses_script_events_and_external_references() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" viewBox="0 0 10 10"><style>@import url(https://evil.example/x.css); .a{fill:red;background:url(https://evil.example/p.png)} .b{marker-end:url(#arrow)}</style><script>alert(1)</script><g class="a"><rect width="1" height="1" onclick="x()" fill="url(https://evil.example/f)"/><use xlink:href="https://evil.example/s.svg#x"/><use href="#arrow"/><a href="javascript:alert(1)"><text>t &lt;b&gt; &amp;</text></a></g><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><span>label</span><br/><div/><img src="https://evil.example/i.png"/><style>x{}</style></div></foreignObject><animate attributeName="href" to="javascript:alert(1)"/></svg>"##;
        let out = clean_svg(svg);
        for bad in [
            "evil",
            "script",
            "onload",
            "onclick",
            "animate",
            "<img",
            "@import",
            "javascript",
        ] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains(r#"viewBox="0 0 10 10""#), "{out}");
        assert!(out.contains("url(#arrow)"), "{out}");
        assert!(out.contains(r##"<use href="#arrow"/>"##), "{out}");
        assert!(out.contains("<text>t &lt;b&gt; &amp;</text>"), "{out}");
        assert!(out.contains("<span>label</span><br/><div></div>"), "{out}");
        assert!(out.contains("<foreignObject>"), "{out}");
    }

    #[test]
    fn broken_svg_is_dropped_whole() {
        assert_eq!(clean_svg("<svg><g></svg>"), "");
        assert_eq!(clean_svg("<svg><script>"), "");
    }

    #[test]
    fn css_escapes_cannot_spell_url() {
        let out = clean_css(
            r".a{background:u\72l(https://e.x/a)} @\69mport 'x'; .b{background:\75rl(https://e.x/b)}",
        );
        assert!(!out.contains("url(") && !out.contains("@import"), "{out}");
        assert!(!out.contains('\\'), "{out}");
    }
}
