//! Links written in raw HTML: `<a href="guide.md">` and `<img
//! src="map.png">`. The check follows them as it follows markdown links
//! (a missing document or heading is a `broken-link`, an unsafe scheme an
//! `unsafe-url`), and the renderer rewrites them to the page's URL: a
//! relative `src` left as written would resolve against the page's folder
//! URL and miss. dapr's home cards write Hugo refs here
//! (`<a href="{{< ref concepts >}}">`), followed the same way.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// An `a` or `img` start tag's `href` or `src`: group 1 is its value,
/// quoted or bare (the only URL attributes the sanitizer keeps).
static URL_ATTRIBUTE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<(?:a|img)\s(?:[^>]*?\s)?(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#,
    )
    .expect("valid regex")
});

/// The links of a piece of raw HTML: where each tag starts and its URL's
/// extent, both in `html`.
pub fn find(html: &str) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    let any = html.contains('<');
    URL_ATTRIBUTE_RE
        .captures_iter(if any { html } else { "" })
        .filter_map(|caps| {
            let tag = caps.get(0)?;
            let value = caps.get(1).or(caps.get(2)).or(caps.get(3))?;
            Some((tag.start(), value.range()))
        })
}

/// The link target a URL written in HTML stands for: its entities
/// decoded, and a Hugo `ref` shortcode as the masked target the catalog
/// follows (`hugo::ref_link`).
pub fn dest(written: &str) -> Cow<'_, str> {
    let decoded = match quick_xml::escape::unescape(written) {
        Ok(text) => text,
        // An entity XML does not know: as written.
        Err(_) => Cow::Borrowed(written),
    };
    let trimmed = decoded.trim();
    let shortcode = (trimmed.starts_with("{{<") && trimmed.ends_with(">}}"))
        || (trimmed.starts_with("{{%") && trimmed.ends_with("%}}"));
    if shortcode {
        let masked = super::hugo::mask_spaces(trimmed);
        if super::hugo::ref_link(&masked).is_some() {
            return Cow::Owned(masked);
        }
    }
    decoded
}

/// Whether an HTML event is (part of) a comment, which is never
/// published: it starts one, or one is open (`in_comment`, which this
/// keeps from one event to the next). The renderer drops such events
/// whole, so the check reads no link in them.
pub fn is_comment(html: &str, in_comment: &mut bool) -> bool {
    if *in_comment || html.trim_start().starts_with("<!--") {
        *in_comment = !html.contains("-->");
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(html: &str) -> Vec<&str> {
        find(html).map(|(_, r)| &html[r]).collect()
    }

    #[test]
    fn hrefs_and_srcs_are_found_quoted_or_bare() {
        let html = r#"<a class="x" href="guide.md#setup">a</a> <IMG alt='m' SRC='map.png'> <a href=bare.md> <img src="">"#;
        assert_eq!(urls(html), ["guide.md#setup", "map.png", "bare.md", ""]);
        let (start, _) = find(html).nth(1).unwrap();
        assert!(html[start..].starts_with("<IMG"));
        // Other tags and attributes are not links here.
        for html in [
            r#"<link href="x.css">"#,
            r#"<a name="href=x">"#,
            r#"<area href="x.md">"#,
            r#"<a data-href="x.md">"#,
            "no tags",
        ] {
            assert_eq!(urls(html), Vec::<&str>::new(), "{html}");
        }
    }

    #[test]
    fn a_written_url_is_decoded_and_a_ref_masked() {
        assert_eq!(dest("a.md?x=1&amp;y=2"), "a.md?x=1&y=2");
        assert_eq!(dest("&bogus;.md"), "&bogus;.md");
        let masked = dest(r#"{{< ref "concepts/overview.md#top" >}}"#);
        let found = super::super::hugo::ref_link(&masked).unwrap();
        assert_eq!(found.path, "concepts/overview.md");
        assert_eq!(found.anchor.as_deref(), Some("top"));
        // Another shortcode is left as written.
        assert_eq!(dest("{{< param x >}}"), "{{< param x >}}");
    }

    #[test]
    fn comments_hold_no_links() {
        let mut open = false;
        assert!(is_comment("<!-- <a href=\"x.md\">", &mut open));
        assert!(open);
        assert!(is_comment("still -->", &mut open));
        assert!(!open);
        assert!(!is_comment("<a href=\"x.md\">", &mut open));
        assert!(is_comment("  <!-- one line -->", &mut open));
        assert!(!open);
    }
}
