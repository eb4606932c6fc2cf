//! A whole build replayed from the cache. CI restores `.portolan/cache`
//! into a fresh checkout and builds into an empty output dir; when nothing
//! a build reads has changed since the build that filled the cache, that
//! build's files and diagnostics are replayed instead of loading, checking
//! and rendering every document again (as Nx and Turborepo replay a task).
//! `check` of the same inputs replays that build's report likewise.
//!
//! - The key is every input of a build (`key`): portolan itself, the
//!   configuration with the command line's overrides, the theme, today's
//!   date (stale badges), how this machine renders diagrams, the settings
//!   read from the environment, and the bytes of every file the loader's
//!   walk admits, with what it refuses. Nothing else is read: spec `$ref`s
//!   and attachments are only followed into files of that walk.
//! - The files are kept as content-addressed objects, hard-linked where the
//!   file system allows: builds share their unchanged files, and keeping a
//!   build costs a link per new file, not a copy of the site.
//! - Nothing is trusted blindly: every object is hashed again as it is
//!   replayed. A missing or changed object (an output file edited in place
//!   shares its object), an entry that does not parse, or a diagnostic code
//!   this portolan does not know means a full build, which then replaces
//!   the entry.
//! - One entry per site root, the last successful build's, for the
//!   `MAX_ENTRIES` roots used last; objects no entry names are deleted
//!   when an entry is written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Severity};
use crate::render::diagrams::DiagramStats;
use crate::render::theme::Theme;
use crate::Config;

/// Bumped whenever the entry's layout or the key's parts change.
const FORMAT: &str = "portolan-replay-7";

/// Where entries and objects live, under the cache root.
const DIR: &str = "builds";

/// Builds kept, one per site root, the most recently used: a cache shared
/// by many checkouts (`PORTOLAN_CACHE_DIR`) must not grow without bound.
const MAX_ENTRIES: usize = 4;

/// `PORTOLAN_REPLAY=off` (or `0`) builds in full and keeps nothing: to
/// time a build's stages, or to see every check run.
fn enabled() -> bool {
    !std::env::var("PORTOLAN_REPLAY").is_ok_and(|v| v == "off" || v == "0")
}

/// A build's inputs as a key, and the other files' stamps as they were
/// read for it.
pub(super) struct Inputs {
    pub key: String,
    /// The same inputs without the documents and the date: the part of
    /// the key every page shows (`frame`). Which documents there are, and
    /// what they say, each page's own view holds.
    pub frame: String,
    stamps: Vec<(PathBuf, Option<Stamp>)>,
    /// Each document's path from the site root and the digest of its
    /// bytes (or why they cannot be read).
    documents: Vec<(String, String)>,
    /// Each other file (attachment, spec) as read for the key: its digest,
    /// or why it cannot be read. The output marker's fingerprint takes
    /// them from here rather than reading and hashing them again.
    pub other: std::collections::HashMap<PathBuf, String>,
}

type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

impl Inputs {
    /// Whether an attachment or spec changed while the build ran: the
    /// build read it again, maybe after the change, so its output may not
    /// be what the key says. Documents cannot: the build parsed the very
    /// bytes the key hashed.
    fn changed_since(&self) -> bool {
        self.stamps
            .par_iter()
            .any(|(path, was)| stamp(path) != *was)
    }
}

/// A file's digest, or why it cannot be read: how the key and the output
/// marker's fingerprint name an attachment or spec.
pub(super) fn file_digest(path: &Path) -> String {
    match crate::safe_fs::read_limited(path, crate::safe_fs::MAX_ASSET_BYTES) {
        Ok(bytes) => crate::hash::digest_bytes(&bytes),
        Err(e) => format!("unreadable: {e}"),
    }
}

/// Every input of a build of `root`, as one digest. None when replay is
/// off, or without a theme (one that does not load is reported by the
/// full build).
pub(super) fn key(
    root: &Path,
    config: &Config,
    strict: bool,
    read: &crate::content::Read,
    theme: Option<&Theme>,
) -> Option<Inputs> {
    let theme = theme.filter(|_| enabled())?;
    let mut parts: Vec<String> = vec![
        FORMAT.to_owned(),
        env!("CARGO_PKG_VERSION").to_owned(),
        super::binary_identity().to_owned(),
        format!("{config:?}"),
        format!("strict={strict}"),
        crate::render::diagrams::renderer_identity(root, config),
        crate::render::search::settings(),
        crate::render::highlight::settings(),
        format!("{:?}", read.refused),
    ];
    parts.extend(theme.fingerprint_parts());
    let name = |path: &Path| crate::content::relative_slash_path(root, path);
    // A file that cannot be read is an input too: its diagnostic is part
    // of the output.
    let content = |bytes: &Result<Vec<u8>, String>| match bytes {
        Ok(bytes) => crate::hash::digest_bytes(bytes),
        Err(e) => format!("unreadable: {e}"),
    };
    let documents: Vec<(String, String)> = read
        .documents
        .par_iter()
        .map(|(path, bytes)| (name(path), content(bytes)))
        .collect();
    // Stamped before they are read, so a change after this read shows.
    let read_other: Vec<(String, Option<Stamp>)> = read
        .other
        .par_iter()
        .map(|path| {
            let was = stamp(path);
            (file_digest(path), was)
        })
        .collect();
    let mut stamps = Vec::with_capacity(read_other.len());
    let mut other = std::collections::HashMap::with_capacity(read_other.len());
    for (path, (digest, was)) in read.other.iter().zip(read_other) {
        parts.push(format!("{}\t{digest}", name(path)));
        stamps.push((path.clone(), was));
        other.insert(path.clone(), digest);
    }
    // The date decides only whether each document is stale and how old
    // it says it is, on its own page (`SiteData::dated`): the frame leaves
    // it out, and a build on another day renders again the pages whose
    // dating changed (`Entry::today`).
    let framed = parts.clone();
    parts.push(crate::validate::today().to_string());
    parts.extend(
        documents
            .iter()
            .map(|(path, hash)| format!("{path}\t{hash}")),
    );
    let digest = |parts: &[String]| {
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        crate::hash::digest(&refs)
    };
    Some(Inputs {
        key: digest(&parts),
        frame: digest(&framed),
        stamps,
        documents,
        other,
    })
}

/// A build as kept: what `build` reports, and every file it wrote.
#[derive(Serialize, Deserialize)]
pub(super) struct Entry {
    format: String,
    key: String,
    pub documents: usize,
    pub pages: usize,
    pub diagrams: DiagramStats,
    diagnostics: Vec<Kept>,
    /// What `check` says of the same inputs: the build's diagnostics but
    /// those only rendering finds.
    check_diagnostics: Vec<Kept>,
    /// The marker's text (it lists the other files).
    marker: String,
    /// Path, size and content hash of each file but the marker.
    files: Vec<(String, u64, String)>,
    /// The documents it read, as `Inputs::documents`.
    documents_read: Vec<(String, String)>,
    /// What all its pages show alike but the date (`Frame::global`).
    frame: String,
    /// Page path → what the page showed of the rest of the site
    /// (`Frame::views`).
    views: std::collections::BTreeMap<String, String>,
    /// The date its pages were rendered on.
    today: String,
    /// Path → digest of what Pagefind read, of each indexed page: the
    /// key of its bucket when a later build keeps the page.
    indexed: std::collections::BTreeMap<String, String>,
}

/// A diagnostic as kept; `Diagnostic` itself borrows its code.
#[derive(Serialize, Deserialize)]
struct Kept {
    file: String,
    line: usize,
    column: Option<usize>,
    severity: Severity,
    code: String,
    message: String,
    help: Option<String>,
    source_line: Option<String>,
}

impl Kept {
    fn from(d: &Diagnostic) -> Kept {
        Kept {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            severity: d.severity,
            code: d.code.to_owned(),
            message: d.message.clone(),
            help: d.help.clone(),
            source_line: d.source_line.clone(),
        }
    }

    /// None for a code this portolan does not know.
    fn restore(&self) -> Option<Diagnostic> {
        let code = crate::report::CODES
            .iter()
            .map(|(c, _)| *c)
            .find(|c| *c == self.code)?;
        let mut d = Diagnostic::new(&self.file, self.line, self.severity, code, &self.message);
        d.column = self.column;
        d.help = self.help.clone();
        d.source_line = self.source_line.clone();
        Some(d)
    }
}

impl Entry {
    /// The marker the kept build wrote.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// The build's diagnostics; None if one has a code this portolan does
    /// not know.
    pub fn diagnostics(&self) -> Option<Vec<Diagnostic>> {
        self.diagnostics.iter().map(Kept::restore).collect()
    }

    /// `check`'s diagnostics, likewise.
    pub fn check_diagnostics(&self) -> Option<Vec<Diagnostic>> {
        self.check_diagnostics.iter().map(Kept::restore).collect()
    }

    /// The files this build wrote, by path (size and content hash), if
    /// what all its pages showed alike is `frame`: then its pages of
    /// unchanged documents and its system pages whose view (`view`) is
    /// the same now are what a build now would write.
    pub fn files_if_framed(
        &self,
        frame: &str,
    ) -> Option<std::collections::HashMap<&str, (u64, &str)>> {
        (self.frame == frame).then(|| {
            self.files
                .iter()
                .map(|(path, len, hash)| (path.as_str(), (*len, hash.as_str())))
                .collect()
        })
    }

    /// The digest of what the page at `path` showed of the rest of the
    /// site (`Frame::views`).
    pub fn view(&self, path: &str) -> Option<&str> {
        self.views.get(path).map(String::as_str)
    }

    /// The digest of what Pagefind read of the page at `path`.
    pub fn read_digest(&self, path: &str) -> Option<&str> {
        self.indexed.get(path).map(String::as_str)
    }

    /// The date this build's pages were rendered on; None if unreadable.
    pub fn today(&self) -> Option<crate::validate::Date> {
        crate::validate::parse_date(&self.today)
    }

    /// Whether this is the build of `inputs`, to be replayed.
    pub fn is_for(&self, inputs: &Inputs) -> bool {
        self.key == inputs.key
    }

    /// The documents of `inputs` that are new or changed since this build
    /// (paths from the site root, as diagnostics and `Doc::source_path`
    /// name them). Their pages are rendered first, and rendered again even
    /// when the build keeps the other documents' pages (`keep_pages`): a
    /// document missing here would keep a stale page.
    pub fn changed_documents<'a>(&self, inputs: &'a Inputs) -> Vec<&'a str> {
        let before: std::collections::HashMap<&str, &str> = self
            .documents_read
            .iter()
            .map(|(path, hash)| (path.as_str(), hash.as_str()))
            .collect();
        inputs
            .documents
            .iter()
            .filter(|(path, hash)| before.get(path.as_str()) != Some(&hash.as_str()))
            .map(|(path, _)| path.as_str())
            .collect()
    }
}

/// One entry per site root: its last build.
fn entry_path(cache_root: &Path, root: &Path) -> PathBuf {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let slot = crate::hash::digest(&[&root.to_string_lossy()]);
    cache_root.join(DIR).join(format!("{}.json", &slot[..16]))
}

fn object_path(cache_root: &Path, hash: &str) -> Option<PathBuf> {
    // Only what this module writes: 32 hex digits. Anything else in an
    // entry would name a path outside the objects.
    let ok = hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| {
        cache_root
            .join(DIR)
            .join("objects")
            .join(&hash[..2])
            .join(hash)
    })
}

/// The entry kept for `root`, whatever inputs it was built from.
pub(super) fn kept(cache_root: &Path, root: &Path) -> Option<Entry> {
    let text = std::fs::read_to_string(entry_path(cache_root, root)).ok()?;
    let entry: Entry = serde_json::from_str(&text).ok()?;
    (entry.format == FORMAT).then_some(entry)
}

/// The entry kept for `root` if it is the build of `inputs`.
pub(super) fn lookup(cache_root: &Path, root: &Path, inputs: &Inputs) -> Option<Entry> {
    let entry = kept(cache_root, root).filter(|entry| entry.is_for(inputs))?;
    used(cache_root, root);
    Some(entry)
}

/// Marks `root`'s entry used now: the sweep keeps the most recently used.
pub(super) fn used(cache_root: &Path, root: &Path) {
    let _ = std::fs::File::options()
        .write(true)
        .open(entry_path(cache_root, root))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
}

/// Whether `path`, from an entry, is a plain relative path inside the
/// output dir.
fn is_inside(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Writes the entry's files into `dir` (an empty staging dir holding only
/// the marker), each object checked against its hash first.
pub(super) fn materialize(cache_root: &Path, entry: &Entry, dir: &Path) -> Result<(), String> {
    let files: Vec<KeptFile<'_>> = entry
        .files
        .iter()
        .map(|(path, len, hash)| (path.as_str(), *len, hash.as_str()))
        .collect();
    link_objects(cache_root, &files, dir)?;
    crate::render::renderer::write_file(dir, super::MARKER, entry.marker.as_bytes())
        .map_err(|e| e.0)
}

/// A file of a kept build: its path, size and content hash.
pub(super) type KeptFile<'a> = (&'a str, u64, &'a str);

/// Writes each file of an entry into `dir` from its object, each object
/// checked against its hash first.
pub(super) fn link_objects(
    cache_root: &Path,
    files: &[KeptFile<'_>],
    dir: &Path,
) -> Result<(), String> {
    // Folders by their names as written (comparing them as paths, a
    // component at a time, showed in profiles).
    let mut folders = HashSet::new();
    for (path, _, _) in files {
        if !is_inside(path) || *path == super::MARKER {
            return Err(format!("the entry names {path:?}"));
        }
        if let Some((parent, _)) = path.rsplit_once('/') {
            folders.insert(parent);
        }
    }
    // A level at a time, each level in parallel: on ext4, creating 16,000
    // folders is a quarter or more of a build that changed nothing (see
    // bench/RESULTS.md). A level's parents are made before it, or by
    // `create_dir_all`, which allows two threads making the same one.
    let mut levels: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
    for folder in folders {
        levels
            .entry(folder.matches('/').count())
            .or_default()
            .push(folder);
    }
    for level in levels.values() {
        level.par_iter().try_for_each(|folder| {
            let folder = dir.join(folder);
            std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))
        })?;
    }
    files.par_iter().try_for_each(|(path, len, hash)| {
        let object = object_path(cache_root, hash).ok_or("a malformed hash")?;
        let bytes = std::fs::read(&object).map_err(|e| format!("{}: {e}", object.display()))?;
        if bytes.len() as u64 != *len || crate::hash::digest_bytes(&bytes) != *hash {
            // Gone, so the full build that follows keeps a good one.
            let _ = std::fs::remove_file(&object);
            return Err(format!("{} was changed", object.display()));
        }
        let to = dir.join(path);
        // A link shares the checked object; where links are not possible
        // (another file system), the checked bytes are written.
        if std::fs::hard_link(&object, &to).is_err() {
            std::fs::write(&to, &bytes).map_err(|e| format!("{}: {e}", to.display()))?;
        }
        Ok(())
    })
}

/// What a successful build gives to be kept.
pub(super) struct Outcome<'a> {
    pub documents: usize,
    pub pages: usize,
    pub diagrams: DiagramStats,
    pub diagnostics: &'a [Diagnostic],
    pub check_diagnostics: &'a [Diagnostic],
    pub marker: &'a str,
    pub frame: &'a super::frame::Frame,
    pub today: crate::validate::Date,
    pub indexed: &'a std::collections::BTreeMap<String, String>,
}

/// Keeps the build just swapped into `out` as `root`'s entry. Best effort:
/// a cache that cannot be written costs the next build its replay, nothing
/// else.
pub(super) fn store(
    cache_root: &Path,
    root: &Path,
    inputs: &Inputs,
    outcome: Outcome<'_>,
    out: &Path,
    written: &super::Written,
) -> Result<(), String> {
    if inputs.changed_since() {
        return Err("an attachment or spec changed while it was built".to_owned());
    }
    let files: Vec<(String, u64, String)> = written
        .iter()
        .filter(|(path, _)| path.as_str() != super::MARKER)
        .map(|(path, (len, hash))| (path.clone(), *len as u64, hash.clone()))
        .collect();
    // One object for each content, published by one thread: files alike
    // (Pagefind writes the same filter file into several buckets) are one.
    let mut objects: std::collections::HashMap<&str, (&str, u64)> = Default::default();
    for (path, len, hash) in &files {
        objects
            .entry(hash.as_str())
            .or_insert((path.as_str(), *len));
    }
    let objects: Vec<(&str, (&str, u64))> = objects.into_iter().collect();
    objects.par_iter().try_for_each(|&(hash, (path, len))| {
        let object = object_path(cache_root, hash).ok_or("a malformed hash")?;
        if std::fs::metadata(&object).is_ok_and(|m| m.is_file() && m.len() == len) {
            return Ok(());
        }
        let shard = object.parent().unwrap_or(cache_root);
        std::fs::create_dir_all(shard).map_err(|e| format!("{}: {e}", shard.display()))?;
        // Published by a rename, so no reader ever sees half an object.
        let tmp = crate::cache_fs::temp_beside(&object);
        let from = out.join(path);
        let copied = std::fs::hard_link(&from, &tmp).or_else(|_| {
            let _ = std::fs::remove_file(&tmp);
            std::fs::copy(&from, &tmp).map(|_| ())
        });
        let published = copied
            .map_err(|e| format!("{}: {e}", from.display()))
            .and_then(|()| {
                std::fs::rename(&tmp, &object).map_err(|e| format!("{}: {e}", object.display()))
            });
        if published.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        published
    })?;
    let entry = Entry {
        format: FORMAT.to_owned(),
        key: inputs.key.clone(),
        documents: outcome.documents,
        pages: outcome.pages,
        diagrams: outcome.diagrams,
        diagnostics: outcome.diagnostics.iter().map(Kept::from).collect(),
        check_diagnostics: outcome.check_diagnostics.iter().map(Kept::from).collect(),
        marker: outcome.marker.to_owned(),
        files,
        documents_read: inputs.documents.clone(),
        frame: outcome.frame.global.clone(),
        views: outcome.frame.views.clone(),
        today: outcome.today.to_string(),
        indexed: outcome.indexed.clone(),
    };
    let text = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
    let path = entry_path(cache_root, root);
    crate::cache_fs::publish(&path, text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    sweep(cache_root);
    Ok(())
}

/// Deletes the objects no entry names. Entries beyond the `MAX_ENTRIES`
/// most recently used, and those that do not parse, are deleted first. A
/// build storing at the same time may lose an object it just linked: its
/// entry then fails the check and is built in full.
fn sweep(cache_root: &Path) {
    let dir = cache_root.join(DIR);
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let used = p.metadata().and_then(|m| m.modified());
            (used.unwrap_or(std::time::UNIX_EPOCH), p)
        })
        .collect();
    entries.sort_by(|a, b| b.cmp(a));
    for (_, old) in entries.iter().skip(MAX_ENTRIES) {
        let _ = std::fs::remove_file(old);
    }
    let mut named: HashSet<String> = HashSet::new();
    for (_, path) in entries.iter().take(MAX_ENTRIES) {
        let parsed = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str::<Entry>(&t).ok());
        match parsed {
            Some(e) => named.extend(e.files.into_iter().map(|(_, _, hash)| hash)),
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let shards: Vec<PathBuf> = std::fs::read_dir(dir.join("objects"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    shards.par_iter().for_each(|shard| {
        for object in std::fs::read_dir(shard).into_iter().flatten().flatten() {
            let name = object.file_name();
            let name = name.to_string_lossy();
            // Another build's object being published is left alone.
            let keep = if name.contains(".tmp") {
                !crate::cache_fs::is_abandoned(&object)
            } else {
                named.contains(name.as_ref())
            };
            if !keep {
                let _ = std::fs::remove_file(object.path());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_only_files_inside_the_output_and_objects_by_hash() {
        assert!(is_inside("a/b.html"));
        assert!(is_inside("pagefind/b1/pagefind.js"));
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "./a"] {
            assert!(!is_inside(bad), "{bad:?} was taken");
        }
        let cache = Path::new("/cache");
        let hash = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            object_path(cache, hash),
            Some(cache.join("builds/objects/01").join(hash))
        );
        for bad in [
            "../../../etc/passwd",
            "0123",
            "0123456789abcdef0123456789abcdeg",
            "01/3456789abcdef0123456789abcdef",
        ] {
            assert_eq!(object_path(cache, bad), None, "{bad:?} was taken");
        }
    }

    /// Files with the same bytes share one object (Pagefind writes the
    /// same filter file into several buckets). Storing them must not race:
    /// two threads publishing one object under one temporary name made
    /// one rename fail, and the build was not kept (a CI test saw the next
    /// build keep nothing). The race is narrow, so the store is repeated
    /// 300 times: before the fix, four runs of five failed.
    #[test]
    fn a_build_with_many_files_alike_is_kept() {
        let work = tempfile::tempdir().unwrap();
        let (root, out) = (work.path().join("site"), work.path().join("out"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        // Every thread starts on files alike.
        let mut written = super::super::Written::new();
        for i in 0..800 {
            let bytes = if i == 799 { "other" } else { "same" };
            let path = format!("f{i:03}.txt");
            std::fs::write(out.join(&path), bytes).unwrap();
            let hash = crate::hash::digest_bytes(bytes.as_bytes());
            written.insert(path, (bytes.len(), hash));
        }
        let inputs = Inputs {
            key: "k".to_owned(),
            frame: String::new(),
            stamps: Vec::new(),
            documents: Vec::new(),
            other: Default::default(),
        };
        let frame = super::super::frame::Frame::default();
        let indexed = Default::default();
        let outcome = || Outcome {
            documents: 0,
            pages: 0,
            diagrams: DiagramStats::default(),
            diagnostics: &[],
            check_diagnostics: &[],
            marker: "marker",
            frame: &frame,
            today: crate::validate::today(),
            indexed: &indexed,
        };
        let caches: Vec<PathBuf> = (0..300)
            .map(|n| work.path().join(format!("cache-{n}")))
            .collect();
        for (n, cache) in caches.iter().enumerate() {
            let stored = store(cache, &root, &inputs, outcome(), &out, &written);
            assert_eq!(stored, Ok(()), "store {n}");
        }
        for cache in &caches {
            let entry = lookup(cache, &root, &inputs).expect("the entry is kept");
            assert_eq!(entry.files.len(), 800);
        }
        let cache = &caches[0];
        let objects: Vec<_> = std::fs::read_dir(cache.join(DIR).join("objects"))
            .unwrap()
            .flatten()
            .flat_map(|shard| std::fs::read_dir(shard.path()).unwrap().flatten())
            .map(|object| object.file_name())
            .collect();
        assert_eq!(objects.len(), 2, "one object for each content: {objects:?}");
        let entry = lookup(cache, &root, &inputs).unwrap();
        let again = work.path().join("again");
        std::fs::create_dir_all(&again).unwrap();
        materialize(cache, &entry, &again).unwrap();
        assert_eq!(std::fs::read(again.join("f000.txt")).unwrap(), b"same");
        assert_eq!(std::fs::read(again.join("f799.txt")).unwrap(), b"other");
    }

    /// A build after the kept one renders first the documents new or
    /// changed since: by their bytes, not their stamps.
    #[test]
    fn the_documents_changed_since_the_kept_build_are_named() {
        let docs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(p, h)| ((*p).to_owned(), (*h).to_owned()))
                .collect()
        };
        let entry = Entry {
            format: FORMAT.to_owned(),
            key: "k1".to_owned(),
            documents: 3,
            pages: 0,
            diagrams: DiagramStats::default(),
            diagnostics: Vec::new(),
            check_diagnostics: Vec::new(),
            marker: String::new(),
            files: Vec::new(),
            frame: String::new(),
            views: Default::default(),
            today: String::new(),
            indexed: Default::default(),
            documents_read: docs(&[
                ("content/a.md", "1"),
                ("content/b.md", "2"),
                ("content/gone.md", "3"),
            ]),
        };
        let inputs = Inputs {
            key: "k2".to_owned(),
            frame: String::new(),
            stamps: Vec::new(),
            documents: docs(&[
                ("content/a.md", "1"),
                ("content/b.md", "9"),
                ("content/new.md", "4"),
            ]),
            other: Default::default(),
        };
        assert!(!entry.is_for(&inputs));
        assert_eq!(
            entry.changed_documents(&inputs),
            ["content/b.md", "content/new.md"]
        );
    }
}
