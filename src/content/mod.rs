//! Reading documents: walk the content dir, decode, parse each in parallel.

pub mod body;
pub mod doc;
pub mod field;
pub mod frontmatter;
pub mod html_links;
pub mod hugo;
pub mod hugo_blocks;
pub mod inline_meta;
pub mod source;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use doc::{Doc, Shape};
pub use field::{Field, FieldValue};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::safe_fs::Refusal;
use crate::RunError;

pub struct Loaded {
    pub docs: Vec<Doc>,
    /// The directory documents were read from.
    pub content_dir: PathBuf,
    /// Other files of the content dir (images, attachments), relative to it;
    /// the build copies them so relative links to them keep working.
    pub assets: BTreeSet<String>,
    /// Files of the content dir that are never read or published (links out
    /// of it, hidden real paths, FIFOs), with the reason; a link to one is a
    /// `broken-link` saying why.
    pub refused: BTreeMap<String, Refusal>,
}

/// Folders that hold generated or installed files, never documents.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// The directory documents are read from. A site without site.toml and
/// without `content/` is read from the root itself, so `portolan check
/// --root docs/` works on any folder of markdown as it is. A content dir
/// outside the root is an error: nothing outside the root is read.
pub fn content_root(root: &Path, config: &Config) -> Result<PathBuf, RunError> {
    let dir = root.join(&config.content_dir);
    if dir.is_dir() {
        let inside = match (dir.canonicalize(), root.canonicalize()) {
            (Ok(d), Ok(r)) => d.starts_with(&r),
            _ => false,
        };
        if !inside {
            return Err(RunError(format!(
                "content directory {} is outside the site root {}; set `content_dir` in site.toml to a folder inside it",
                dir.display(),
                root.display()
            )));
        }
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

/// Folders inside the content dir that are never read: the output and the
/// cache (a build must not read its own output back).
pub fn excluded_dirs(root: &Path, config: &Config) -> Vec<PathBuf> {
    [
        root.join(&config.output_dir),
        root.join(".portolan"),
        crate::render::diagrams::cache_root(root),
    ]
    .iter()
    .filter_map(|p| p.canonicalize().ok())
    .collect()
}

/// Size and modification time (ns since the epoch) of a file.
pub type Stamp = (u64, u128);

/// Every file under the content dir with its stamp, by a plain walk: hidden
/// entries, skipped folders, the output and the cache left out, links to
/// folders not followed, nothing read. Far cheaper than the loader's walk
/// (no canonicalization per file), it says what may have changed; what
/// did is then admitted by the loader's rules (`admitted_document`).
pub fn stamps(root: &Path, config: &Config) -> Result<BTreeMap<PathBuf, Stamp>, RunError> {
    fn walk(dir: &Path, excluded: &[PathBuf], out: &mut BTreeMap<PathBuf, Stamp>) {
        if dir
            .canonicalize()
            .is_ok_and(|c| excluded.iter().any(|e| c.starts_with(e)))
        {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_ref()) {
                    walk(&entry.path(), excluded, out);
                }
                continue;
            }
            // A link is stamped as what it points to.
            let Ok(meta) = std::fs::metadata(entry.path()) else {
                continue;
            };
            if meta.is_file() {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                out.insert(entry.path(), (meta.len(), modified));
            }
        }
    }
    let content = content_root(root, config)?;
    let mut out = BTreeMap::new();
    walk(&content, &excluded_dirs(root, config), &mut out);
    Ok(out)
}

fn walk_site(root: &Path, config: &Config) -> Result<(PathBuf, Walker), RunError> {
    let content = content_root(root, config)?;
    let canonical_content = content
        .canonicalize()
        .map_err(|e| RunError(format!("cannot read {}: {e}", content.display())))?;
    let mut walker = Walker {
        canonical_content,
        excluded: excluded_dirs(root, config),
        visited: HashSet::new(),
        markdown: Vec::new(),
        other: Vec::new(),
        refused: BTreeMap::new(),
        content: content.clone(),
        html_attachments: config.security.html_attachments,
    };
    walker.walk(&content)?;
    Ok((content, walker))
}

/// The site as the loader's walk finds it, documents read but not parsed:
/// what a replayed build is keyed by (site::replay), handed on to parsing
/// so a build that is not replayed reads nothing twice.
pub struct Read {
    pub content_dir: PathBuf,
    /// Documents in path order, each with its bytes or why they cannot be
    /// read.
    pub documents: Vec<(PathBuf, Result<Vec<u8>, String>)>,
    /// The other files admitted (attachments, specs), unread.
    pub other: Vec<PathBuf>,
    pub refused: BTreeMap<String, Refusal>,
}

pub fn read_site(root: &Path, config: &Config) -> Result<Read, RunError> {
    let (content, walker) = walk_site(root, config)?;
    let Walker {
        mut markdown,
        other,
        refused,
        ..
    } = walker;
    markdown.sort();
    let documents = markdown
        .into_par_iter()
        .map(|path| {
            let bytes = crate::safe_fs::read_limited(&path, crate::safe_fs::MAX_DOCUMENT_BYTES)
                .map_err(|e| e.to_string());
            (path, bytes)
        })
        .collect();
    Ok(Read {
        content_dir: content,
        documents,
        other,
        refused,
    })
}

pub fn parse_site(root: &Path, read: Read) -> Loaded {
    let content = read.content_dir;
    let assets = read
        .other
        .iter()
        .map(|p| relative_slash_path(&content, p))
        .collect();
    let docs: Vec<Doc> = read
        .documents
        .into_par_iter()
        .map(|(path, bytes)| parse_one(root, &content, &path, bytes))
        .collect();
    Loaded {
        docs,
        content_dir: content,
        assets,
        refused: read.refused,
    }
}

struct Walker {
    content: PathBuf,
    canonical_content: PathBuf,
    excluded: Vec<PathBuf>,
    visited: HashSet<PathBuf>,
    markdown: Vec<PathBuf>,
    other: Vec<PathBuf>,
    refused: BTreeMap<String, Refusal>,
    html_attachments: bool,
}

pub fn is_html(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

impl Walker {
    fn refuse(&mut self, path: &Path, why: Refusal) {
        self.refused
            .insert(relative_slash_path(&self.content, path), why);
    }

    fn walk(&mut self, dir: &Path) -> Result<(), RunError> {
        let Ok(canonical) = dir.canonicalize() else {
            return Ok(());
        };
        // A folder read already (a symlink loop) or the output dir is
        // never followed; one leading out of the content dir is refused.
        if self.excluded.iter().any(|e| canonical.starts_with(e)) || !self.visited.insert(canonical)
        {
            return Ok(());
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|e| RunError(format!("cannot read {}: {e}", dir.display())))?;
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                self.refuse(&path, Refusal::Unreadable("a dangling link".into()));
                continue;
            };
            if meta.is_dir() {
                if SKIPPED_DIRS.contains(&name.as_ref()) {
                    continue;
                }
                match crate::safe_fs::admit(&self.canonical_content, &path) {
                    Ok(_) => self.walk(&path)?,
                    Err(why) => self.refuse(&path, why),
                }
                continue;
            }
            if let Err(why) = crate::safe_fs::admit_file(&self.canonical_content, &path) {
                self.refuse(&path, why);
                continue;
            }
            if is_markdown(&path) {
                self.markdown.push(path);
            } else if is_html(&path) && !self.html_attachments {
                self.refuse(&path, Refusal::HtmlAttachment);
            } else {
                self.other.push(path);
            }
        }
        Ok(())
    }
}

/// Whether the document at `content_path` (relative to the content dir)
/// exists now and passes the loader's rules: what serve asks of a file an
/// event names, so it never reads what a full load would not.
pub fn admitted_document(content_dir: &Path, content_path: &str) -> bool {
    let path = content_dir.join(content_path);
    let in_skipped = content_path
        .split('/')
        .any(|part| SKIPPED_DIRS.contains(&part) || part.starts_with('.'));
    !in_skipped
        && is_markdown(&path)
        && content_dir
            .canonicalize()
            .is_ok_and(|c| crate::safe_fs::admit_file(&c, &path).is_ok())
}

pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
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
    let bytes = crate::safe_fs::read_limited(path, crate::safe_fs::MAX_DOCUMENT_BYTES)
        .map_err(|e| e.to_string());
    parse_one(root, content, path, bytes)
}

fn parse_one(root: &Path, content: &Path, path: &Path, bytes: Result<Vec<u8>, String>) -> Doc {
    let source_path = relative_slash_path(root, path);
    let content_path = relative_slash_path(content, path);
    match bytes {
        Ok(bytes) => Doc::parse(source_path, content_path, source::decode(&bytes)),
        Err(e) => {
            let mut doc = Doc::parse(source_path, content_path, source::decode(b""));
            doc.read_error = Some(e);
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
