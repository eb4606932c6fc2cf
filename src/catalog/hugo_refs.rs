//! Where a Hugo `ref`/`relref` link points (`content::hugo`): found as
//! Hugo finds a page. A path from the linking document's folder, then
//! from the content root, with or without `.md`, a folder by its index
//! file; else a name only one document answers to: a file's name with
//! or without `.md`, an index file's folder's name, with or without `.md`
//! (`ref getting-started`, `ref supported-state-stores.md`), in any case,
//! as Hugo lowercases them.

use std::collections::HashMap;

use super::{Catalog, Problem};

/// The documents by the names a `ref` finds a page by when no path does.
pub(super) type Names = HashMap<String, Vec<usize>>;

fn names_of(catalog: &Catalog) -> Names {
    let mut names: Names = HashMap::new();
    for (i, doc) in catalog.docs.iter().enumerate() {
        let path = doc.content_path.as_str();
        let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
        let mut keys = vec![file.to_owned()];
        match file.strip_suffix(".md") {
            Some("index" | "_index" | "README") => {
                let name = folder.rsplit('/').next().unwrap_or("");
                if !name.is_empty() {
                    keys.push(name.to_owned());
                    keys.push(format!("{name}.md"));
                }
            }
            Some(stem) => keys.push(stem.to_owned()),
            None => {}
        }
        for key in keys {
            let found = names.entry(key.to_lowercase()).or_default();
            // One document with a name twice (`index/index.md`) is one.
            if found.last() != Some(&i) {
                found.push(i);
            }
        }
    }
    names
}

impl Catalog {
    /// The document a `ref` to `target` from the document at `from`
    /// (content path) finds. The names depend only on the documents'
    /// paths, so they are made once per catalog (an edit in place keeps
    /// every path: `with_edits`).
    pub fn resolve_ref(&self, from: &str, target: &str) -> Result<usize, Problem> {
        if let Ok(found) = self.resolve_path(from, target) {
            return Ok(found);
        }
        if !target.starts_with('/') {
            if let Ok(found) = self.resolve_path(from, &format!("/{target}")) {
                return Ok(found);
            }
        }
        let name = target.trim_matches('/').to_lowercase();
        let names = self.names.get_or_init(|| names_of(self));
        match names.get(&name).map(Vec::as_slice) {
            Some(&[only]) => Ok(only),
            Some(several) if !several.is_empty() => Err(Problem::Ambiguous(several.to_vec())),
            _ => Err(Problem::NoSuchDocument),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::from_texts(&[
            ("concepts/overview.md", "# Overview\n"),
            ("concepts/setup.md", "# Setup\n"),
            ("building-blocks/_index.md", "# Building blocks\n"),
            ("building-blocks/state/howto.md", "# How to\n"),
            ("sdks/python/index.md", "# Python\n"),
            ("a/guide.md", "# Guide A\n"),
            ("b/guide.md", "# Guide B\n"),
        ])
    }

    fn found(c: &Catalog, from: &str, target: &str) -> Result<String, Problem> {
        c.resolve_ref(from, target)
            .map(|i| c.docs[i].content_path.clone())
    }

    #[test]
    fn a_ref_is_found_as_hugo_finds_it() {
        let c = catalog();
        let from = "concepts/overview.md";
        let ok = |target: &str, path: &str| {
            assert_eq!(found(&c, from, target), Ok(path.to_owned()), "{target}")
        };
        // From the document's folder, with or without `.md`.
        ok("setup.md", "concepts/setup.md");
        ok("setup", "concepts/setup.md");
        // From the content root, with or without its slash.
        ok("/building-blocks", "building-blocks/_index.md");
        ok(
            "building-blocks/state/howto.md",
            "building-blocks/state/howto.md",
        );
        // By a name only one document has: a file's, an index's folder's.
        ok("howto", "building-blocks/state/howto.md");
        ok("python", "sdks/python/index.md");
        ok("building-blocks", "building-blocks/_index.md");
        ok("python.md", "sdks/python/index.md");
        ok("Python", "sdks/python/index.md");
        // Two documents answer to `guide`: ambiguous, as Hugo says.
        let (a, b) = (c.by_path["a/guide.md"], c.by_path["b/guide.md"]);
        assert_eq!(
            found(&c, from, "guide"),
            Err(Problem::Ambiguous(vec![a, b]))
        );
        // From one of them, its own folder decides.
        assert_eq!(
            found(&c, "a/guide.md", "guide.md"),
            Ok("a/guide.md".to_owned())
        );
        assert_eq!(found(&c, from, "nowhere"), Err(Problem::NoSuchDocument));
        assert_eq!(found(&c, from, "x/guide"), Err(Problem::NoSuchDocument));
    }
}
