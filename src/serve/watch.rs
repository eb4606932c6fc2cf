//! Which file-system events matter: documents, site.toml, themes, templates
//! and static files. Editor temp files, the output dir and the cache are
//! ignored so a save never triggers a rebuild loop.

use std::path::{Path, PathBuf};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Markdown files in the content dir: created, changed or deleted.
    pub docs: Vec<PathBuf>,
    /// Anything that needs a full rebuild (site.toml, themes, assets...).
    pub everything: Vec<PathBuf>,
    /// The watcher lost events: anything may have changed.
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.everything.is_empty() && !self.rescan
    }

    /// Whether only documents changed, so a partial rebuild is sound.
    pub fn only_docs(&self) -> bool {
        self.everything.is_empty() && !self.rescan
    }

    /// A short description for the console line.
    pub fn describe(&self, root: &Path) -> String {
        let all: Vec<&PathBuf> = self.everything.iter().chain(&self.docs).collect();
        let name = |p: &PathBuf| crate::content::relative_slash_path(root, p);
        match all.as_slice() {
            [] if self.rescan => "anything (the watcher lost events)".to_owned(),
            [] => "nothing".to_owned(),
            [one] => name(one),
            [first, rest @ ..] => format!("{} and {} more", name(first), rest.len()),
        }
    }
}

/// Vim's swap and write-test files, Emacs's lock and backup files, and the
/// usual temp suffixes.
pub fn is_editor_temp(name: &str) -> bool {
    name == "4913"
        || name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".kate-swp")
        || (name.starts_with('#') && name.ends_with('#'))
}

#[derive(Clone)]
pub struct Filter {
    pub root: PathBuf,
    pub content: PathBuf,
    pub ignored: Vec<PathBuf>,
}

impl Filter {
    /// Whether a rebuild reads `path`: what [`Filter::classify`] keeps.
    pub fn admits(&self, path: &Path) -> bool {
        self.target(path).is_some()
    }

    fn target(&self, path: &Path) -> Option<Target> {
        let relative = path.strip_prefix(&self.root).ok()?;
        if self.ignored.iter().any(|i| path.starts_with(i)) {
            return None;
        }
        let hidden_or_temp = relative.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || is_editor_temp(&s) || s == "node_modules" || s == "target"
        });
        if hidden_or_temp {
            return None;
        }
        let in_content = path.starts_with(&self.content);
        let is_markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if in_content && is_markdown {
            Some(Target::Doc)
        } else if in_content
            || relative == Path::new(crate::config::CONFIG_FILE)
            || ["themes", "templates", "static"]
                .iter()
                .any(|d| relative.starts_with(d))
        {
            Some(Target::Everything)
        } else {
            None
        }
    }

    pub fn classify(&self, paths: impl IntoIterator<Item = PathBuf>) -> Changes {
        let mut changes = Changes::default();
        for path in paths {
            let target = match self.target(&path) {
                Some(Target::Doc) => &mut changes.docs,
                Some(Target::Everything) => &mut changes.everything,
                None => continue,
            };
            if !target.contains(&path) {
                target.push(path);
            }
        }
        changes
    }
}

enum Target {
    Doc,
    Everything,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter {
            root: "/site".into(),
            content: "/site/content".into(),
            ignored: vec!["/site/public".into(), "/site/.portolan".into()],
        }
    }

    #[test]
    fn documents_and_site_files_are_told_apart() {
        let c = filter().classify([
            "/site/content/a.md".into(),
            "/site/content/a.md".into(),
            "/site/content/img.png".into(),
            "/site/site.toml".into(),
            "/site/templates/doc.html".into(),
        ]);
        assert_eq!(c.docs, vec![PathBuf::from("/site/content/a.md")]);
        assert_eq!(c.everything.len(), 3);
    }

    #[test]
    fn temp_files_output_and_cache_are_ignored() {
        let c = filter().classify([
            "/site/content/.a.md.swp".into(),
            "/site/content/a.md~".into(),
            "/site/content/4913".into(),
            "/site/content/.#a.md".into(),
            "/site/public/index.html".into(),
            "/site/.portolan/cache/x.json".into(),
            "/site/README.md".into(),
            "/elsewhere/x.md".into(),
        ]);
        assert!(c.is_empty(), "{c:?}");
    }
}
