//! `hugo-shortcode`: `{{< ref x >}}`, `{{% alert %}}` and the like, which
//! Hugo expands and portolan shows as written. A link written with one is
//! no link at all to CommonMark (its target holds spaces), so without this
//! a site moved over from Hugo would publish them silently.

use std::collections::HashMap;

use super::suggest::link_to;
use super::Ctx;
use crate::catalog::Catalog;
use crate::content::Doc;
use crate::diagnostics::Diagnostic;

/// One warning per document, at its first shortcode, naming how many
/// there are of each: a page written for Hugo holds dozens, and one line
/// each would bury every other finding. Where the document has a `ref`,
/// the help gives the path to write for the first one Hugo's lookup finds
/// here, so the help depends on other documents: a cross-document rule.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let catalog = ctx.catalog;
    let mut names: Option<Names> = None;
    for doc in &catalog.docs {
        let Some(first) = doc.shortcodes.first() else {
            continue;
        };
        let refs = doc.shortcodes.iter().filter(|s| is_ref(&s.name));
        let example = refs
            .filter_map(|s| {
                let target = s.argument.as_deref()?;
                let names = names.get_or_insert_with(|| Names::of(catalog));
                let path = written_for(catalog, names, doc, target)?;
                Some((s.name.as_str(), target, path))
            })
            .next();
        out.push(
            Diagnostic::warning(&doc.source_path, first.line, "hugo-shortcode", message(doc))
                .column(Some(first.column))
                .help(help(doc, example))
                .source_from(&doc.text),
        );
    }
}

fn is_ref(name: &str) -> bool {
    matches!(name, "ref" | "relref")
}

fn message(doc: &Doc) -> String {
    let [only] = doc.shortcodes.as_slice() else {
        // Names in order of first use, with their counts.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for shortcode in &doc.shortcodes {
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
            doc.shortcodes.len(),
            listed.join(", ")
        );
    };
    format!(
        "the Hugo shortcode `{}` is shown as written: portolan does not run shortcodes",
        only.name
    )
}

fn help(doc: &Doc, example: Option<(&str, &str, String)>) -> String {
    let other = "with markdown (a callout as a blockquote, tabs as headings) or remove";
    if !doc.shortcodes.iter().any(|s| is_ref(&s.name)) {
        return format!("replace each {other} it");
    }
    let how = match example {
        Some((name, target, path)) => {
            format!(": here `{{{{< {name} \"{target}\" >}}}}` is `{path}`")
        }
        None => " (`[text](../guide.md#heading)`)".to_owned(),
    };
    let rest = if doc.shortcodes.iter().all(|s| is_ref(&s.name)) {
        String::new()
    } else {
        format!("; replace the other shortcodes {other} them")
    };
    format!(
        "write each `ref` link's target as a path relative to this document, which portolan checks and rewrites{how}{rest}"
    )
}

/// The documents by the names Hugo's `ref` finds a page by when no path
/// does: a file's name with and without `.md`, an index file's folder.
struct Names(HashMap<String, Vec<usize>>);

impl Names {
    fn of(catalog: &Catalog) -> Names {
        let mut names: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, doc) in catalog.docs.iter().enumerate() {
            let path = doc.content_path.as_str();
            let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
            let mut keys = vec![file.to_owned()];
            match file.strip_suffix(".md") {
                Some("index" | "_index" | "README") => {
                    let name = folder.rsplit('/').next().unwrap_or("");
                    if !name.is_empty() {
                        keys.push(name.to_owned());
                    }
                }
                Some(stem) => keys.push(stem.to_owned()),
                None => {}
            }
            for key in keys {
                names.entry(key).or_default().push(i);
            }
        }
        Names(names)
    }
}

/// What to write instead of `ref target` in `doc`: the path from it to
/// the document Hugo's lookup would find (by path from the content root
/// or from the document's folder, else by a name only one document has),
/// with the target's `#anchor`. None when nothing here, or more than one
/// document, answers to it.
fn written_for(catalog: &Catalog, names: &Names, doc: &Doc, target: &str) -> Option<String> {
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, format!("#{anchor}")),
        None => (target, String::new()),
    };
    if path.is_empty() {
        return (!anchor.is_empty()).then_some(anchor);
    }
    let from = doc.content_path.as_str();
    let found = catalog.resolve_path(from, path).ok().or_else(|| {
        let name = path.trim_end_matches('/');
        match names.0.get(name).map(Vec::as_slice) {
            Some(&[only]) => Some(only),
            _ => None,
        }
    })?;
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
        written_for(catalog, &Names::of(catalog), doc, target)
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
