//! Reading documents: walk the content dir, decode, parse each in parallel.

pub mod body;
pub mod doc;
pub mod field;
pub mod frontmatter;
pub mod inline_meta;
pub mod source;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use doc::{Doc, Shape};
pub use field::{Field, FieldValue};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::RunError;

pub struct Loaded {
    pub docs: Vec<Doc>,
    /// The directory documents were read from.
    pub content_dir: PathBuf,
    /// Other files of the content dir (images, attachments), relative to it;
    /// the build copies them so relative links to them keep working.
    pub assets: BTreeSet<String>,
}

/// Folders that hold generated or installed files, never documents.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// The directory documents are read from. A site without site.toml and
/// without `content/` is read from the root itself, so `portolan check
/// --root docs/` works on any folder of markdown as it is.
pub fn content_root(root: &Path, config: &Config) -> Result<PathBuf, RunError> {
    let dir = root.join(&config.content_dir);
    if dir.is_dir() {
        return Ok(dir);
    }
    if config.content_dir == Path::new("content") && !root.join(crate::config::CONFIG_FILE).exists()
    {
        return Ok(root.to_path_buf());
    }
    Err(RunError(format!(
        "content directory {} does not exist; create it or set `content_dir` in site.toml",
        dir.display()
    )))
}

pub fn load_site(root: &Path, config: &Config) -> Result<Loaded, RunError> {
    let content = content_root(root, config)?;
    let canonical_root = root
        .canonicalize()
        .map_err(|e| RunError(format!("cannot read the site root {}: {e}", root.display())))?;
    let excluded: Vec<PathBuf> = [root.join(&config.output_dir), root.join(".portolan")]
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut files = Vec::new();
    let mut other_files = Vec::new();
    let mut visited = HashSet::new();
    let mut found = Found {
        markdown: &mut files,
        other: &mut other_files,
    };
    walk(
        &content,
        &canonical_root,
        &excluded,
        &mut visited,
        &mut found,
    )?;
    files.sort();
    let assets = other_files
        .iter()
        .map(|p| relative_slash_path(&content, p))
        .collect();

    let docs: Vec<Doc> = files
        .par_iter()
        .map(|path| load_one(root, &content, path))
        .collect();
    Ok(Loaded {
        docs,
        content_dir: content,
        assets,
    })
}

struct Found<'a> {
    markdown: &'a mut Vec<PathBuf>,
    other: &'a mut Vec<PathBuf>,
}

fn walk(
    dir: &Path,
    canonical_root: &Path,
    excluded: &[PathBuf],
    visited: &mut HashSet<PathBuf>,
    found: &mut Found<'_>,
) -> Result<(), RunError> {
    let Ok(canonical) = dir.canonicalize() else {
        return Ok(());
    };
    // A symlink that leads outside the root, back into a folder already read
    // (a loop), or into the output dir is never followed.
    if !canonical.starts_with(canonical_root)
        || excluded.iter().any(|e| canonical.starts_with(e))
        || !visited.insert(canonical)
    {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| RunError(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::metadata(&path) else {
            continue; // a dangling symlink
        };
        if meta.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_ref()) {
                walk(&path, canonical_root, excluded, visited, found)?;
            }
        } else if meta.is_file()
            && path
                .canonicalize()
                .is_ok_and(|c| c.starts_with(canonical_root))
        {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
            {
                found.markdown.push(path);
            } else {
                found.other.push(path);
            }
        }
    }
    Ok(())
}

pub fn relative_slash_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads and parses one file; an unreadable file becomes a document with a
/// read error (reported as a diagnostic), never an abort.
pub fn load_one(root: &Path, content: &Path, path: &Path) -> Doc {
    let source_path = relative_slash_path(root, path);
    let content_path = relative_slash_path(content, path);
    match std::fs::read(path) {
        Ok(bytes) => Doc::parse(source_path, content_path, source::decode(&bytes)),
        Err(e) => {
            let mut doc = Doc::parse(source_path, content_path, source::decode(b""));
            doc.read_error = Some(e.to_string());
            doc
        }
    }
}

/// How reading the document went: unreadable, not UTF-8, broken YAML.
pub fn load_diagnostics(doc: &Doc) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(e) = &doc.read_error {
        out.push(Diagnostic::error(
            &doc.source_path,
            1,
            "io",
            format!("cannot read file: {e}"),
        ));
    }
    if let Some(line) = doc.invalid_utf8_line {
        out.push(
            Diagnostic::error(
                &doc.source_path,
                line,
                "encoding",
                "this line is not valid UTF-8",
            )
            .help("save the file as UTF-8; invalid bytes are shown as � in the catalog")
            .source_from(&doc.text),
        );
    }
    if doc.unclosed_frontmatter {
        out.push(
            Diagnostic::error(
                &doc.source_path,
                1,
                "yaml-syntax",
                "frontmatter opened with `---` is never closed",
            )
            .help("add a line with `---` after the last frontmatter field")
            .source_from(&doc.text),
        );
    }
    for e in &doc.yaml_errors {
        out.push(
            Diagnostic::error(&doc.source_path, e.line, "yaml-syntax", &e.message)
                .column(e.column)
                .help("fix the YAML; quote values that contain `:`, `#`, `[` or `{`")
                .source_from(&doc.text),
        );
    }
    out
}
