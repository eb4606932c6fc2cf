//! `hugo-shortcode`: `{{< partial >}}`, `{{< youtube >}}` and the like,
//! which Hugo expands and portolan shows as written. A `ref` as a link's
//! target or an HTML `href` is followed (`content::hugo`,
//! `content::html_links`), and alerts, tabs and buttons are rendered
//! (`content::hugo_blocks`); any other shortcode, an alert or tab whose
//! tags do not pair up, or a `ref` in prose would be published silently.

use super::suggest::link_to;
use super::Ctx;
use crate::catalog::Catalog;
use crate::content::body::Shortcode;
use crate::content::Doc;
use crate::diagnostics::Diagnostic;

/// One warning per document, at its first shortcode, naming how many
/// there are of each: a page written for Hugo holds dozens, and one line
/// each would bury every other finding. Where the document has a `ref`,
/// the help gives the path to write for the first one Hugo's lookup finds
/// here, so the help depends on other documents: a cross-document rule.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let catalog = ctx.catalog;
    for doc in &catalog.docs {
        let shown: Vec<&Shortcode> = (doc.shortcodes.iter())
            .filter(|s| !s.link && !s.rendered)
            .collect();
        let Some(first) = shown.first() else {
            continue;
        };
        let example = shown
            .iter()
            .filter(|s| is_ref(&s.name))
            .filter_map(|s| {
                let target = s.argument.as_deref()?;
                let path = written_for(catalog, doc, target)?;
                Some((s.name.as_str(), target, path))
            })
            .next();
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                first.line,
                "hugo-shortcode",
                message(&shown),
            )
            .column(Some(first.column))
            .help(help(&shown, example) + blocks_help(&shown))
            .source_from(&doc.text),
        );
    }
}

fn is_ref(name: &str) -> bool {
    matches!(name, "ref" | "relref")
}

fn message(shown: &[&Shortcode]) -> String {
    let [only] = shown else {
        // Names in order of first use, with their counts.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for shortcode in shown {
            match counts.iter_mut().find(|(name, _)| *name == shortcode.name) {
                Some((_, n)) => *n += 1,
                None => counts.push((&shortcode.name, 1)),
            }
        }
        let listed: Vec<String> = counts
            .iter()
            .map(|(name, n)| format!("`{name}` ×{n}"))
            .collect();
        return format!(
            "{} Hugo shortcodes are shown as written: portolan does not run shortcodes ({}); this is the first",
            shown.len(),
            listed.join(", ")
        );
    };
    format!(
        "the Hugo shortcode `{}` is shown as written: portolan does not run shortcodes",
        only.name
    )
}

/// Why an alert, a tab or a button stayed as written, when one did.
fn blocks_help(shown: &[&Shortcode]) -> &'static str {
    let rendered = crate::content::hugo_blocks::NAMES;
    if shown.iter().any(|s| rendered.contains(&s.name.as_str())) {
        "; `alert`, `tabs`, `codetab` and `button` are rendered when each tag stands alone on its line, an opening and its closing tag in the same list item or blockquote, a `codetab` right inside its `tabs`"
    } else {
        ""
    }
}

fn help(shown: &[&Shortcode], example: Option<(&str, &str, String)>) -> String {
    let other = "with markdown (a callout as a blockquote, tabs as headings) or remove";
    if !shown.iter().any(|s| is_ref(&s.name)) {
        return format!("replace each {other} it");
    }
    let how = match example {
        Some((name, target, path)) => {
            format!(": here `{{{{< {name} \"{target}\" >}}}}` is `{path}`")
        }
        None => " (`[text](../guide.md#heading)`)".to_owned(),
    };
    let rest = if shown.iter().all(|s| is_ref(&s.name)) {
        String::new()
    } else {
        format!("; replace the other shortcodes {other} them")
    };
    format!(
        "a `ref` is followed only as a link's target (`[text]({{{{< ref \"page.md\" >}}}})`); elsewhere write the path relative to this document, which portolan checks and rewrites{how}{rest}"
    )
}

/// What to write instead of `ref target` in `doc`: the path from it to
/// the document Hugo's lookup finds (`Catalog::resolve_ref`), with the
/// target's `#anchor`. None when no document, or more than one, answers.
fn written_for(catalog: &Catalog, doc: &Doc, target: &str) -> Option<String> {
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, format!("#{anchor}")),
        None => (target, String::new()),
    };
    if path.is_empty() {
        return (!anchor.is_empty()).then_some(anchor);
    }
    let from = doc.content_path.as_str();
    let found = catalog.resolve_ref(from, path).ok()?;
    let to = &catalog.docs.get(found)?.content_path;
    Some(format!("{}{anchor}", link_to(from, to, false)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{source::decode, Doc};

    fn catalog(docs: &[(&str, &str)]) -> Catalog {
        Catalog::link(
            docs.iter()
                .map(|(path, text)| {
                    Doc::parse(path.to_string(), path.to_string(), decode(text.as_bytes()))
                })
                .collect(),
        )
    }

    fn written(catalog: &Catalog, from: &str, target: &str) -> Option<String> {
        let doc = &catalog.docs[catalog.by_path[from]];
        written_for(catalog, doc, target)
    }

    #[test]
    fn a_ref_is_found_as_hugo_finds_it_and_written_as_a_relative_path() {
        let c = catalog(&[
            ("concepts/overview.md", "# Overview\n"),
            ("concepts/setup.md", "# Setup\n"),
            ("building-blocks/_index.md", "# Building blocks\n"),
            ("sdks/python/index.md", "# Python\n"),
            ("a/guide.md", "# Guide A\n"),
            ("b/guide.md", "# Guide B\n"),
        ]);
        let from = "concepts/overview.md";
        // From the document's folder, with or without `.md`, with an anchor.
        assert_eq!(
            written(&c, from, "setup.md#steps").as_deref(),
            Some("setup.md#steps")
        );
        assert_eq!(written(&c, from, "setup").as_deref(), Some("setup.md"));
        // From the content root.
        assert_eq!(
            written(&c, from, "/building-blocks").as_deref(),
            Some("../building-blocks/_index.md")
        );
        // By a name only one document has: a file's, an index's folder's.
        assert_eq!(
            written(&c, from, "building-blocks").as_deref(),
            Some("../building-blocks/_index.md")
        );
        assert_eq!(
            written(&c, from, "python").as_deref(),
            Some("../sdks/python/index.md")
        );
        // Two documents answer to `guide`: no suggestion rather than a wrong one.
        assert_eq!(written(&c, from, "guide"), None);
        assert_eq!(written(&c, from, "missing"), None);
        // An anchor alone is on this page.
        assert_eq!(written(&c, from, "#steps").as_deref(), Some("#steps"));
    }
}
