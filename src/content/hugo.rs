//! Links written with Hugo's `ref` and `relref` shortcodes:
//! `[text]({{< ref "guide.md#setup" >}})`. A site moved over from Hugo
//! holds hundreds (dapr's docs: 2,400), and to CommonMark they are no
//! links at all: a link's target cannot hold spaces. So before a body is
//! parsed, the spaces inside such a shortcode are masked (`{{<+ref+x+>}}`),
//! byte for byte, so every offset, line and column stays that of the
//! file. The link is then an ordinary link whose target the catalog finds
//! as Hugo does (`Catalog::resolve_ref`), and the renderer rewrites to the
//! target's URL. `prepare` also masks alerts, tabs and buttons
//! (`hugo_blocks`); other shortcodes are reported (`hugo-shortcode`).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag};
use regex::Regex;

/// What stands for a space inside a masked shortcode: not a space, so the
/// target is one, and nothing CommonMark gives a meaning inside a link's
/// target or a table row (`|` would split the row).
const MASK: char = '+';

/// A `ref` or `relref` shortcode standing as a link's target, right after
/// `](`: the shortcode is group 1.
static REF_LINK_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\]\([ \t]*(\{\{<[ \t]*(?:ref|relref)[ \t]+[^\n<>]*?[ \t]*>\}\}|\{\{%[ \t]*(?:ref|relref)[ \t]+[^\n%]*?[ \t]*%\}\})[ \t]*\)",
    )
    .expect("valid regex")
});

/// `body` with each `ref`/`relref` link target masked, and the masked
/// byte ranges; None when it has none. Only a shortcode the parse then
/// sees as a link's target is masked: one in code, in raw HTML, or after
/// a `](` that opens no link is text, left as written.
pub fn mask_ref_links(body: &str) -> Option<(String, Vec<Range<usize>>)> {
    if !(body.contains("{{<") || body.contains("{{%")) {
        return None;
    }
    let found: Vec<Range<usize>> = REF_LINK_RE
        .captures_iter(body)
        .filter_map(|caps| caps.get(1).map(|m| m.range()))
        .collect();
    if found.is_empty() {
        return None;
    }
    // Masking changes no block's extent (only spaces inside a line become
    // `+`), so one parse of the masked text says which are links.
    let candidate = masked(body, &found);
    let links = link_ranges(&candidate);
    // Both in document order: the link that may hold a shortcode is the
    // last one starting before it (a page may hold thousands of each).
    let kept: Vec<Range<usize>> = found
        .iter()
        .filter(|r| {
            let before = links.partition_point(|l| l.start <= r.start);
            before > 0 && r.end <= links[before - 1].end
        })
        .cloned()
        .collect();
    match kept.len() {
        0 => None,
        n if n == found.len() => Some((candidate, kept)),
        _ => Some((masked(body, &kept), kept)),
    }
}

/// `body` with the spaces inside `ranges` masked.
fn masked(body: &str, ranges: &[Range<usize>]) -> String {
    let mut out = body.to_owned().into_bytes();
    for range in ranges {
        for byte in &mut out[range.clone()] {
            if *byte == b' ' || *byte == b'\t' {
                *byte = MASK as u8;
            }
        }
    }
    // Only ASCII spaces became ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| body.to_owned())
}

/// A body as the check and the renderer parse it.
pub struct Prepared<'a> {
    pub text: Cow<'a, str>,
    /// The masked `ref` link targets, in document order.
    pub ref_links: Vec<Range<usize>>,
    /// The masked block shortcodes (`hugo_blocks`), in document order.
    pub blocks: Vec<super::hugo_blocks::Block>,
}

/// `body` ready for pulldown-cmark: its block shortcodes masked, then its
/// `ref` links (which lie inside lines, so the blocks are as they were).
pub fn prepare(body: &str) -> Prepared<'_> {
    let (text, blocks) = match super::hugo_blocks::mask(body) {
        Some((text, blocks)) => (Cow::Owned(text), blocks),
        None => (Cow::Borrowed(body), Vec::new()),
    };
    match mask_ref_links(&text) {
        Some((masked, ref_links)) => Prepared {
            text: Cow::Owned(masked),
            ref_links,
            blocks,
        },
        None => Prepared {
            text,
            ref_links: Vec::new(),
            blocks,
        },
    }
}

/// The extents of the links and images of `body`.
fn link_ranges(body: &str) -> Vec<Range<usize>> {
    Parser::new_ext(body, super::body::markdown_options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Start(Tag::Link { .. } | Tag::Image { .. })))
        .map(|(_, range)| range)
        .collect()
}

/// The target of a masked `ref` link: the path Hugo looks up and the
/// anchor.
#[derive(Debug, PartialEq, Eq)]
pub struct RefLink {
    pub path: String,
    pub anchor: Option<String>,
}

/// The target of `dest` when it is a masked `ref`/`relref` shortcode.
pub fn ref_link(dest: &str) -> Option<RefLink> {
    let inner = dest
        .strip_prefix("{{<")
        .and_then(|d| d.strip_suffix(">}}"))
        .or_else(|| dest.strip_prefix("{{%")?.strip_suffix("%}}"))?;
    if inner.contains([' ', '\t']) {
        return None;
    }
    let inner = inner.replace(MASK, " ");
    let (name, rest) = inner.trim().split_once(' ')?;
    if !matches!(name, "ref" | "relref") {
        return None;
    }
    // The first positional argument, quoted or bare, or the named `path`.
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("path=").unwrap_or(rest);
    let target = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest.split(' ').next().unwrap_or(""),
    };
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_owned()).filter(|a| !a.is_empty())),
        None => (target, None),
    };
    Some(RefLink {
        path: path.to_owned(),
        anchor,
    })
}

/// The link target a Hugo button's `page` stands for: the masked `ref`
/// shortcode of that page, so the catalog follows it as it follows a
/// `ref` link.
pub fn button_ref(page: &str) -> String {
    mask_spaces(&format!("{{{{< ref \"{page}\" >}}}}"))
}

/// A `ref` shortcode written elsewhere than a link's target (an HTML
/// `href`) as the masked target the catalog follows.
pub fn mask_spaces(shortcode: &str) -> String {
    shortcode.replace([' ', '\t'], &MASK.to_string())
}

/// `dest` as its author wrote it: a masked shortcode with its spaces.
pub fn shown(dest: &str) -> Cow<'_, str> {
    if ref_link(dest).is_some() {
        Cow::Owned(dest.replace(MASK, " "))
    } else {
        Cow::Borrowed(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_links_are_masked_byte_for_byte_outside_code() {
        let body =
            "See [setup]({{< ref \"setup.md#steps\" >}}) and [it]( {{% relref guide %}} ).\n\
                    | a | [b]({{< ref b >}}) |\n\n\
                    `[code]({{< ref x >}})`\n\n```md\n[fence]({{< ref y >}})\n```\n\
                    A {{< ref z >}} in prose, {{< alert >}}.\n";
        let (masked, ranges) = mask_ref_links(body).unwrap();
        assert_eq!(masked.len(), body.len());
        assert_eq!(ranges.len(), 3);
        assert!(masked.contains("[setup]({{<+ref+\"setup.md#steps\"+>}})"));
        assert!(masked.contains("[it]( {{%+relref+guide+%}} )"));
        assert!(masked.contains("| a | [b]({{<+ref+b+>}}) |"));
        // Code, prose and other shortcodes are as written.
        for kept in [
            "`[code]({{< ref x >}})`",
            "[fence]({{< ref y >}})",
            "A {{< ref z >}} in prose, {{< alert >}}.",
        ] {
            assert!(masked.contains(kept), "{kept}");
        }
        assert_eq!(mask_ref_links("no shortcodes [a](b.md)"), None);
        assert_eq!(mask_ref_links("`[a]({{< ref b >}})`"), None);
        // Raw HTML, and a `](` that opens no link, are shown as written;
        // a link beside them is still masked.
        for text in [
            "<div>\n[a]({{< ref b >}})\n</div>\n",
            "Odd ]({{< ref b >}}) text.\n",
            "Escaped \\[a]({{< ref b >}}).\n",
        ] {
            assert_eq!(mask_ref_links(text), None, "{text}");
        }
        let (masked, ranges) =
            mask_ref_links("Odd ]({{< ref b >}}) but [c]({{< ref d >}}).").unwrap();
        assert_eq!(masked, "Odd ]({{< ref b >}}) but [c]({{<+ref+d+>}}).");
        assert_eq!(ranges.len(), 1);
    }

    #[test]
    fn a_page_of_many_ref_links_masks_each_once() {
        let text = "[a]({{< ref x >}}) `[b]({{< ref y >}})` ".repeat(20_000);
        let (masked, ranges) = mask_ref_links(&text).unwrap();
        assert_eq!(ranges.len(), 20_000);
        assert_eq!(masked.matches("{{<+ref+x+>}}").count(), 20_000);
        assert_eq!(masked.matches("{{< ref y >}}").count(), 20_000);
    }

    #[test]
    fn a_masked_target_is_a_link_whose_target_reads_back() {
        let (masked, _) =
            mask_ref_links("[a]({{< ref \"x/y.md#h\" >}}) [b]({{% relref z %}})").unwrap();
        let dests: Vec<String> = Parser::new(&masked)
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(dests.len(), 2, "{masked}");
        assert_eq!(
            ref_link(&dests[0]),
            Some(RefLink {
                path: "x/y.md".to_owned(),
                anchor: Some("h".to_owned())
            })
        );
        assert_eq!(
            ref_link(&dests[1]),
            Some(RefLink {
                path: "z".to_owned(),
                anchor: None
            })
        );
        assert_eq!(shown(&dests[0]), "{{< ref \"x/y.md#h\" >}}");
        // Tight, and with the target as the named `path`.
        for written in [
            "[a]({{<ref \"x\">}})",
            "[a]({{< ref path=\"x\" lang=\"en\" >}})",
        ] {
            let (masked, _) = mask_ref_links(written).unwrap();
            let dest = masked.trim_start_matches("[a](").trim_end_matches(')');
            assert_eq!(
                ref_link(dest).map(|r| r.path).as_deref(),
                Some("x"),
                "{written}"
            );
        }
        // A button's page reads back as its ref.
        assert_eq!(
            ref_link(&button_ref("sdks/python#install")),
            Some(RefLink {
                path: "sdks/python".to_owned(),
                anchor: Some("install".to_owned())
            })
        );
        assert_eq!(shown(&button_ref("x")), "{{< ref \"x\" >}}");
        // Written with spaces, or another shortcode: not a masked ref.
        assert_eq!(ref_link("{{< ref x >}}"), None);
        assert_eq!(ref_link("{{<+alert+x+>}}"), None);
        assert_eq!(ref_link("guide.md"), None);
        assert_eq!(shown("guide.md"), "guide.md");
    }
}
