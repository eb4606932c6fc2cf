//! Hugo's block shortcodes that Docsy sites write on every other page:
//! `{{% alert title="Note" color="warning" %}} … {{% /alert %}}` and
//! `{{< tabs "Linux" "Windows" >}}` around `{{% codetab %}} … {{% /codetab %}}`
//! (dapr's docs: 336 alerts, 700 tabs), and `{{< button text="Get started"
//! page="getting-started" >}}` (68). Shown as written they bury the
//! text in markup; so each such tag alone on its line is masked, byte for
//! byte, as an HTML comment (`<!--      -->`). That is a block of its own,
//! which ends the paragraph before it, so what lies between two tags is
//! parsed as markdown (as Hugo does for `{{% %}}`), and every offset,
//! line and column stays the file's. The renderer puts a callout, a tab
//! panel or a button in place of each comment; the check stops reporting
//! them, and checks a button's `page` as a link (`body`).
//!
//! Only tags that pair up are masked: an opening and its closing tag in
//! the same container (not one in a list item and the other outside it),
//! properly nested, a `codetab` right inside a `tabs`; a button stands
//! alone. Any other is left
//! as written, and reported (`hugo-shortcode`): the page's markup stays
//! balanced whatever the author wrote.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag};
use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Alert,
    Tabs,
    Codetab,
    /// Standalone: no closing tag.
    Button,
}

/// What a masked tag stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// An alert's start, with its title and Docsy colour as written.
    Alert {
        title: Option<String>,
        color: Option<String>,
    },
    Tabs,
    /// A tab's start, with the label its `tabs` gives it (`Tab 2` when it
    /// names fewer tabs than it holds).
    Codetab {
        label: String,
    },
    End(Kind),
    /// A link drawn as a button: to a document Hugo's `ref` would find
    /// (`page`), or to a URL (`link`).
    Button {
        text: String,
        page: Option<String>,
        link: Option<String>,
        new_tab: bool,
    },
}

/// A masked tag: its extent in the body (from `{{` to `}}`) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub range: Range<usize>,
    pub role: Role,
}

/// The shortcodes rendered here (`hugo-shortcode` names them in its help).
pub const NAMES: &[&str] = &["alert", "tabs", "codetab", "button"];

/// A tag alone on its line (indented, or in a blockquote): group 1 is
/// the tag, 2 and 6 its delimiters, 3 the closing slash, 4 the name, 5
/// the arguments. The shortest tag (`{{<tabs>}}`) has room for a comment.
static TAG_LINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?m)^[ \t>]*(\{{\{{([<%])[ \t]*(/?)[ \t]*({})((?:[ \t][^\n]*?)?)[ \t]*([>%])\}}\}})[ \t]*\r?$",
        NAMES.join("|")
    ))
    .expect("valid regex")
});

/// The masked tag that starts the line `line` of `text` (an HTML block's
/// first line, or an HTML event's), if any.
pub fn starting<'b>(blocks: &'b [Block], text: &str, line: &Range<usize>) -> Option<&'b Block> {
    let block = blocks.get(blocks.partition_point(|b| b.range.start < line.start))?;
    let before = text.get(line.start..block.range.start)?;
    (block.range.start < line.end && before.trim().is_empty()).then_some(block)
}

/// A tag found on its own line, before pairing.
struct Candidate {
    range: Range<usize>,
    kind: Kind,
    closing: bool,
    arguments: Arguments,
}

/// Passes of mask, parse and pair: leaving a tag unmasked can change
/// the blocks around it, so the pairs are found again until they hold.
const PASSES: usize = 4;

/// `body` with its paired block tags masked, and those tags in document
/// order; None when it has none.
pub fn mask(body: &str) -> Option<(String, Vec<Block>)> {
    if !(body.contains("{{<") || body.contains("{{%")) {
        return None;
    }
    let found: Vec<Candidate> = TAG_LINE_RE
        .captures_iter(body)
        .filter_map(|caps| {
            let tag = caps.get(1)?;
            let delimiters = (caps.get(2)?.as_str(), caps.get(6)?.as_str());
            if !matches!(delimiters, ("<", ">") | ("%", "%")) {
                return None;
            }
            let kind = match caps.get(4)?.as_str() {
                "alert" => Kind::Alert,
                "tabs" => Kind::Tabs,
                "codetab" => Kind::Codetab,
                _ => Kind::Button,
            };
            Some(Candidate {
                range: tag.range(),
                kind,
                closing: caps.get(3).is_some_and(|m| !m.as_str().is_empty()),
                arguments: Arguments::parse(caps.get(5).map_or("", |m| m.as_str())),
            })
        })
        .collect();
    let mut kept: Vec<usize> = (0..found.len()).collect();
    for _ in 0..PASSES {
        if kept.is_empty() {
            return None;
        }
        let text = masked(body, kept.iter().map(|&i| found[i].range.clone()));
        let paired = pairs(&text, &found, &kept);
        if paired == kept {
            return Some((text, roles(&found, &kept)));
        }
        kept = paired;
    }
    None
}

/// `body` with each range replaced by an HTML comment of its length.
fn masked(body: &str, ranges: impl Iterator<Item = Range<usize>>) -> String {
    let mut out = body.as_bytes().to_vec();
    for range in ranges {
        let len = range.len();
        let slot = &mut out[range];
        slot.fill(b' ');
        slot[..4].copy_from_slice(b"<!--");
        slot[len - 3..].copy_from_slice(b"-->");
    }
    // Whole characters became ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| body.to_owned())
}

/// Of the `kept` candidates (masked in `text`), those the parse sees as
/// an HTML block each and that pair up, in document order.
fn pairs(text: &str, found: &[Candidate], kept: &[usize]) -> Vec<usize> {
    // Each tag seen, with the container it stands in: its depth and start
    // offset, which no other open container shares (a list and its first
    // item start alike, at different depths). A pair of numbers, not
    // the whole path: a deep quote of many tags costs no more.
    let mut seen: Vec<(usize, (usize, Option<usize>))> = Vec::new();
    let mut containers: Vec<usize> = Vec::new();
    // The start of the HTML block the parse is in.
    let mut html_block = None;
    for (event, range) in Parser::new_ext(text, super::body::markdown_options()).into_offset_iter()
    {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::HtmlBlock) {
                    html_block = Some(range.start);
                }
                containers.push(range.start);
            }
            Event::End(_) => {
                containers.pop();
                html_block = None;
            }
            // A masked tag is a line of an HTML block: its first (a block
            // of its own), or one after a line of the author's HTML that
            // leaves no element open (`<img …>` right above
            // `{{% /alert %}}`, as Hugo allows).
            Event::Html(_) => {
                let (Some(block), Some(i)) = (html_block, on_line(found, kept, text, &range))
                else {
                    continue;
                };
                if text.get(block..range.start).is_some_and(closes_all) {
                    // Outside the HTML block itself, the last one open.
                    let depth = containers.len().saturating_sub(1);
                    let container = depth.checked_sub(1).and_then(|d| containers.get(d));
                    seen.push((i, (depth, container.copied())));
                }
            }
            _ => {}
        }
    }
    let mut open: Vec<(usize, (usize, Option<usize>))> = Vec::new();
    let mut paired = Vec::new();
    for &(i, place) in &seen {
        let tag = &found[i];
        if tag.kind == Kind::Button {
            // Alone on its line, it pairs with nothing.
            if !tag.closing {
                paired.push(i);
            }
            continue;
        }
        let top = open.last().map(|&(j, p)| (found[j].kind, p));
        if !tag.closing {
            // A tab stands right inside its tabs, nowhere else.
            if tag.kind != Kind::Codetab || top == Some((Kind::Tabs, place)) {
                open.push((i, place));
            }
        } else if top == Some((tag.kind, place)) {
            if let Some((j, _)) = open.pop() {
                paired.extend([j, i]);
            }
        }
    }
    paired.sort_unstable();
    paired
}

/// The kept candidate that starts the line `range` of `text`, if any.
fn on_line(found: &[Candidate], kept: &[usize], text: &str, range: &Range<usize>) -> Option<usize> {
    let &i = kept.get(kept.partition_point(|&i| found[i].range.start < range.start))?;
    let start = found[i].range.start;
    let before = text.get(range.start..start)?;
    (start < range.end && before.trim().is_empty()).then_some(i)
}

/// Elements that have no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

static HTML_TAG_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*?)?(/?)>").expect("valid regex")
});

/// Whether `html` closes every element it opens, in order.
fn closes_all(html: &str) -> bool {
    let mut open: Vec<String> = Vec::new();
    for caps in HTML_TAG_RE.captures_iter(html) {
        let name = caps[2].to_ascii_lowercase();
        if VOID.contains(&name.as_str()) || &caps[3] == "/" {
            continue;
        }
        if &caps[1] == "/" {
            if open.pop().as_ref() != Some(&name) {
                return false;
            }
        } else {
            open.push(name);
        }
    }
    open.is_empty()
}

/// The roles of the `kept` candidates, which pair up.
fn roles(found: &[Candidate], kept: &[usize]) -> Vec<Block> {
    // The open `tabs`: its tab names, and how many of its tabs came.
    let mut tabs: Vec<(&[String], usize)> = Vec::new();
    kept.iter()
        .map(|&i| {
            let tag = &found[i];
            let role = match (tag.kind, tag.closing) {
                (kind, true) => {
                    if kind == Kind::Tabs {
                        tabs.pop();
                    }
                    Role::End(kind)
                }
                (Kind::Alert, false) => Role::Alert {
                    title: tag.arguments.named("title"),
                    color: tag.arguments.named("color"),
                },
                (Kind::Tabs, false) => {
                    tabs.push((&tag.arguments.positional, 0));
                    Role::Tabs
                }
                (Kind::Button, false) => Role::Button {
                    text: tag.arguments.named("text").unwrap_or_default(),
                    page: tag.arguments.named("page"),
                    link: tag.arguments.named("link"),
                    new_tab: tag.arguments.named("newtab").as_deref() == Some("true"),
                },
                (Kind::Codetab, false) => {
                    let label = match tabs.last_mut() {
                        Some((names, count)) => {
                            *count += 1;
                            names.get(*count - 1).cloned()
                        }
                        None => None,
                    };
                    let n = tabs.last().map_or(1, |(_, count)| *count);
                    Role::Codetab {
                        label: label
                            .filter(|l| !l.trim().is_empty())
                            .unwrap_or_else(|| format!("Tab {n}")),
                    }
                }
            };
            Block {
                range: tag.range.clone(),
                role,
            }
        })
        .collect()
}

/// A shortcode's arguments: positional (`"Linux" Windows`) and named
/// (`title="Note"`, `color=info`), quoted with `"` or a backtick.
#[derive(Debug, Default, PartialEq)]
struct Arguments {
    positional: Vec<String>,
    named: Vec<(String, String)>,
}

impl Arguments {
    fn parse(text: &str) -> Arguments {
        let mut out = Arguments::default();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let (key, after) = match rest.split_once('=') {
                Some((key, after))
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
                {
                    (Some(key), after)
                }
                _ => (None, rest),
            };
            let (value, after) = value(after);
            match key {
                Some(key) => out.named.push((key.to_owned(), value)),
                None => out.positional.push(value),
            }
            rest = after.trim_start();
        }
        out
    }

    fn named(&self, key: &str) -> Option<String> {
        self.named
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

/// One value at the start of `text` and what follows it.
fn value(text: &str) -> (String, &str) {
    for quote in ['"', '`'] {
        if let Some(quoted) = text.strip_prefix(quote) {
            return match quoted.split_once(quote) {
                Some((value, after)) => (value.to_owned(), after),
                None => (quoted.to_owned(), ""),
            };
        }
    }
    let end = text.find([' ', '\t']).unwrap_or(text.len());
    (text[..end].to_owned(), &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles_of(body: &str) -> Vec<Role> {
        mask(body)
            .map(|(_, blocks)| blocks.into_iter().map(|b| b.role).collect())
            .unwrap_or_default()
    }

    #[test]
    fn paired_tags_are_masked_byte_for_byte_as_comments() {
        let body = "Intro.\n\
            {{% alert title=\"Überblick\" color=\"warning\" %}}\n\
            Mind the **limits**.\n\
            {{% /alert %}}\n\n\
            {{< tabs \"Self-Hosted\" Kubernetes >}}\n\n\
            {{% codetab %}}\n```sh\ndapr init\n```\n{{% /codetab %}}\n\n\
            {{% codetab %}}\nkubectl apply\n{{% /codetab %}}\n\n\
            {{% codetab %}}\nA third.\n{{% /codetab %}}\n\n\
            {{< /tabs >}}\n";
        let (text, blocks) = mask(body).unwrap();
        assert_eq!(text.len(), body.len());
        assert_eq!(blocks.len(), 10);
        for block in &blocks {
            let slot = &text[block.range.clone()];
            assert!(slot.starts_with("<!--") && slot.ends_with("-->"), "{slot}");
            assert!(body[block.range.clone()].starts_with("{{"));
        }
        assert!(text.contains("Mind the **limits**.") && text.contains("dapr init"));
        let roles: Vec<Role> = blocks.into_iter().map(|b| b.role).collect();
        assert_eq!(
            roles,
            vec![
                Role::Alert {
                    title: Some("Überblick".to_owned()),
                    color: Some("warning".to_owned())
                },
                Role::End(Kind::Alert),
                Role::Tabs,
                Role::Codetab {
                    label: "Self-Hosted".to_owned()
                },
                Role::End(Kind::Codetab),
                Role::Codetab {
                    label: "Kubernetes".to_owned()
                },
                Role::End(Kind::Codetab),
                Role::Codetab {
                    label: "Tab 3".to_owned()
                },
                Role::End(Kind::Codetab),
                Role::End(Kind::Tabs),
            ]
        );
    }

    #[test]
    fn the_masked_tags_are_blocks_that_end_the_paragraph_before_them() {
        let body = "{{% alert %}}\nText right under it.\n{{% /alert %}}\n";
        let (text, _) = mask(body).unwrap();
        let events: Vec<Event<'_>> = Parser::new(&text).collect();
        let blocks = events
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::HtmlBlock)))
            .count();
        let paragraphs = events
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::Paragraph)))
            .count();
        assert_eq!((blocks, paragraphs), (2, 1), "{events:?}");
    }

    #[test]
    fn tags_that_do_not_pair_up_are_left_as_written() {
        for body in [
            // Never closed, or closed without an opening.
            "{{% alert %}}\nText.\n",
            "Text.\n{{% /alert %}}\n",
            // Opened in a list item, closed outside it.
            "- item\n\n  {{% alert %}}\n\n  in it\n\n{{% /alert %}}\n",
            // Opened in one list item, closed in the next.
            "- a\n\n  {{% alert %}}\n\n- b\n\n  {{% /alert %}}\n",
            // A tab outside tabs.
            "{{% codetab %}}\nx\n{{% /codetab %}}\n",
            // Inside an author's HTML element.
            "<div>\n{{% alert %}}\nx\n{{% /alert %}}\n</div>\n",
            "<details><summary>s</summary>\n{{% alert %}}\n\nx\n\n{{% /alert %}}\n",
            // In code, in a sentence, mismatched delimiters, escaped.
            "```\n{{% alert %}}\n{{% /alert %}}\n```\n",
            "A {{% alert %}} in a sentence {{% /alert %}}.\n",
            "{{< alert %}}\nx\n{{% /alert >}}\n",
            "{{</* alert */>}}\nx\n{{</* /alert */>}}\n",
        ] {
            assert_eq!(mask(body), None, "{body}");
        }
        // A stray tag beside a good pair: only the pair is masked.
        let body = "{{% alert %}}\nx\n{{% /alert %}}\n\n{{% /codetab %}}\n";
        let (text, blocks) = mask(body).unwrap();
        assert_eq!(blocks.len(), 2);
        assert!(text.ends_with("\n{{% /codetab %}}\n"));
        // Right after HTML that leaves nothing open: masked.
        let image = "{{% alert %}}\nSee:\n\n<img src=\"a.png\" alt=\"a\">\n{{% /alert %}}\n\n\
            {{% alert %}}\n<p>Closed</p><br/>\n{{% /alert %}}\n";
        assert_eq!(roles_of(image).len(), 4, "{image}");
        // Crossing: the pair that stays nested is masked.
        let crossing = "{{% alert %}}\n\n{{< tabs a >}}\n\n{{% /alert %}}\n\n{{< /tabs >}}\n";
        assert_eq!(
            roles_of(crossing),
            [Role::Tabs, Role::End(Kind::Tabs)],
            "{crossing}"
        );
        // Both in one list item, nested in a note: masked.
        let nested = "- step\n\n  {{% alert %}}\n  in it\n  {{% /alert %}}\n";
        assert_eq!(roles_of(nested).len(), 2, "{nested}");
        let quoted =
            "> {{< tabs A >}}\n> {{% codetab %}}\n> x\n> {{% /codetab %}}\n> {{< /tabs >}}\n";
        assert_eq!(roles_of(quoted).len(), 4, "{quoted}");
    }

    #[test]
    fn a_button_alone_on_its_line_stands_alone() {
        let body =
            "Next:\n{{< button text=\"Get started\" page=\"getting-started#install\" >}}\n\n\
            > {{< button text=\"Site\" link=\"https://dapr.io\" newtab=\"true\" >}}\n\n\
            Inline {{< button text=\"x\" page=\"y\" >}} is text.\n";
        assert_eq!(
            roles_of(body),
            [
                Role::Button {
                    text: "Get started".to_owned(),
                    page: Some("getting-started#install".to_owned()),
                    link: None,
                    new_tab: false,
                },
                Role::Button {
                    text: "Site".to_owned(),
                    page: None,
                    link: Some("https://dapr.io".to_owned()),
                    new_tab: true,
                },
            ]
        );
    }

    #[test]
    fn arguments_are_read_quoted_bare_and_named() {
        let parsed =
            Arguments::parse(r#" "Self Hosted" Kubernetes title="A = B" color=info `raw "x"`"#);
        assert_eq!(
            parsed.positional,
            ["Self Hosted", "Kubernetes", "raw \"x\""]
        );
        assert_eq!(parsed.named("title").as_deref(), Some("A = B"));
        assert_eq!(parsed.named("color").as_deref(), Some("info"));
        assert_eq!(Arguments::parse(r#""unclosed"#).positional, ["unclosed"]);
        assert_eq!(Arguments::parse(""), Arguments::default());
    }

    proptest::proptest! {
        /// Whatever the mix, the mask keeps every offset, and what it
        /// masks is balanced: each end closes the last start, each tab
        /// stands right inside a tabs.
        #[test]
        fn what_is_masked_is_balanced(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "{{% alert %}}\n", "{{% /alert %}}\n", "{{< tabs a >}}\n", "{{< /tabs >}}\n",
            "{{% codetab %}}\n", "{{% /codetab %}}\n", "  {{% alert %}}\n", "  {{% /alert %}}\n",
            "> {{% alert %}}\n", "> {{% /alert %}}\n", "- item\n", "\n", "text\n", "```\n",
            "<img src=x>\n", "<div>\n", "</div>\n", "    {{% codetab %}}\n",
            "{{< button text=\"Go\" page=\"x\" >}}\n", "{{< /button >}}\n",
        ]), 0..60)) {
            let body = pieces.concat();
            if let Some((text, blocks)) = mask(&body) {
                proptest::prop_assert_eq!(text.len(), body.len());
                let mut open: Vec<Kind> = Vec::new();
                for block in &blocks {
                    match &block.role {
                        Role::Button { .. } => {}
                        Role::End(kind) => proptest::prop_assert_eq!(open.pop(), Some(*kind)),
                        role => {
                            let kind = match role {
                                Role::Alert { .. } => Kind::Alert,
                                Role::Tabs => Kind::Tabs,
                                _ => Kind::Codetab,
                            };
                            if kind == Kind::Codetab {
                                proptest::prop_assert_eq!(open.last(), Some(&Kind::Tabs));
                            }
                            open.push(kind);
                        }
                    }
                }
                proptest::prop_assert!(open.is_empty());
            }
        }
    }

    #[test]
    fn a_page_of_many_tags_masks_each() {
        let body = "{{% alert %}}\nx\n{{% /alert %}}\n\n".repeat(5_000);
        let (text, blocks) = mask(&body).unwrap();
        assert_eq!(blocks.len(), 10_000);
        assert_eq!(text.matches("<!--").count(), 10_000);
    }
}
