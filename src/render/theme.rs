//! Templates and static files. The default theme is embedded in the binary
//! so portolan works from anywhere; a site's `themes/<name>/` and
//! `templates/` override single files by name, as in Zola.

use std::collections::BTreeMap;
use std::path::Path;

use tera::Tera;

use crate::config::Config;
use crate::RunError;

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

const BUILTIN_TEMPLATES: &[(&str, &str)] = builtin!(
    "base.html",
    "home.html",
    "doc.html",
    "tags.html",
    "tag.html",
    "agents.html",
    "agent.html",
    "systems.html",
    "system.html",
    "404.html",
    "search.html",
    "folder.html",
    "partial-crumbs.html",
    "partial-sidebar.html",
    "partial-listing.html",
    "partial-pages.html",
    "spec.html",
    "specs.html",
    "partial-spec.html",
    "partial-schema.html",
    "partial-params.html",
    "partial-media.html",
    "partial-indexed.html",
);

const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "portolan.js",
        include_bytes!("../../themes/default/static/portolan.js"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    (
        "search-core.js",
        include_bytes!("../../themes/default/static/search-core.js"),
    ),
    (
        "search-dialog.js",
        include_bytes!("../../themes/default/static/search-dialog.js"),
    ),
];

pub struct Theme {
    pub tera: Tera,
    /// Template sources by name, for the build fingerprint.
    pub sources: Vec<(String, String)>,
    /// Path under `static/` → bytes.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

fn read_dir_files(dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) -> Result<(), RunError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| RunError(format!("cannot read {}: {e}", current.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                let bytes = std::fs::read(&path)
                    .map_err(|e| RunError(format!("cannot read {}: {e}", path.display())))?;
                into.insert(crate::content::relative_slash_path(dir, &path), bytes);
            }
        }
    }
    Ok(())
}

impl Theme {
    pub fn load(root: &Path, config: &Config) -> Result<Theme, RunError> {
        let mut templates: BTreeMap<String, Vec<u8>> = BUILTIN_TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let mut static_files: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        if let Some(name) = &config.theme {
            let dir = root.join("themes").join(name);
            if !dir.is_dir() {
                return Err(RunError(format!(
                    "theme `{name}` not found: {} is not a directory",
                    dir.display()
                )));
            }
            read_dir_files(&dir.join("templates"), &mut templates)?;
            read_dir_files(&dir.join("static"), &mut static_files)?;
        }
        read_dir_files(&root.join("templates"), &mut templates)?;
        read_dir_files(&root.join("static"), &mut static_files)?;

        let mut sources = Vec::with_capacity(templates.len());
        for (name, bytes) in templates {
            let text = String::from_utf8(bytes)
                .map_err(|_| RunError(format!("template {name} is not UTF-8")))?;
            sources.push((name, text));
        }
        let mut tera = Tera::new();
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&e))?;
        Ok(Theme {
            tera,
            sources,
            static_files,
        })
    }
}

impl Theme {
    /// What the theme contributes to a build's input fingerprint.
    pub fn fingerprint_parts(&self) -> Vec<String> {
        let mut parts: Vec<String> = self
            .static_files
            .iter()
            .map(|(name, bytes)| {
                format!(
                    "{name}:{}",
                    crate::hash::digest(&[&String::from_utf8_lossy(bytes)])
                )
            })
            .collect();
        parts.extend(
            self.sources
                .iter()
                .map(|(n, t)| format!("{n}:{}", crate::hash::digest(&[t]))),
        );
        parts
    }
}

/// Tera's report names the template and the line; keep all of it.
pub fn template_error(e: &tera::Error) -> RunError {
    let mut message = format!("template error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    RunError(message.trim_end().to_owned())
}
