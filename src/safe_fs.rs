//! The only ways portolan reads user files: regular files of a bounded
//! size, and inside the content dir only what [`admit`] lets through. The
//! loader, serve's watcher and the asset copier all ask the same functions,
//! so a symlink or a FIFO is refused the same way everywhere.

use std::io::Read;
use std::path::{Path, PathBuf};

/// A document larger than this is not read (a diagnostic says so).
pub const MAX_DOCUMENT_BYTES: u64 = 8 << 20;
/// site.toml, templates and other configuration.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Attachments (images, PDFs...) copied into the site.
pub const MAX_ASSET_BYTES: u64 = 256 << 20;

/// Reads `path` if it is a regular file (after following symlinks) of at
/// most `limit` bytes. A FIFO, a device or `/dev/zero` is refused before it
/// is opened, so nothing blocks or reads without end.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    let file = std::fs::File::open(path)?;
    // The file may have been swapped between the two looks.
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn too_large(len: u64, limit: u64) -> std::io::Error {
    std::io::Error::other(format!(
        "the file has {len} bytes or more, over the limit of {limit}"
    ))
}

/// `read_limited` as text; invalid UTF-8 is an error.
pub fn read_text_limited(path: &Path, limit: u64) -> std::io::Result<String> {
    let bytes = read_limited(path, limit)?;
    String::from_utf8(bytes).map_err(|_| std::io::Error::other("not valid UTF-8"))
}

/// Why a file under the content dir is not read or published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its real path (symlinks followed) is outside the content dir.
    Outside,
    /// Its real path has a hidden component (`.env`, `.git/config`).
    Hidden,
    /// Not a regular file: a FIFO, a socket, a device.
    NotRegular,
    /// A dangling symlink or an unreadable entry.
    Unreadable(String),
    /// An `.html` attachment, which site.toml does not allow.
    HtmlAttachment,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Outside => f.write_str("it is a link to a file outside the content directory"),
            Refusal::Hidden => {
                f.write_str("its real path has a hidden component (a name starting with `.`)")
            }
            Refusal::NotRegular => f.write_str("it is not a regular file"),
            Refusal::Unreadable(e) => write!(f, "it cannot be read: {e}"),
            Refusal::HtmlAttachment => f.write_str("HTML attachments are not published: an HTML file runs its scripts on the catalog's origin; set `html_attachments = true` under [security] in site.toml to publish them"),
        }
    }
}

/// Whether `path` (a file or folder found under the content dir) may be
/// read: its canonical path must lie inside `canonical_content`, with no
/// hidden component below it. Returns the canonical path.
pub fn admit(canonical_content: &Path, path: &Path) -> Result<PathBuf, Refusal> {
    let canonical = path
        .canonicalize()
        .map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let Ok(inside) = canonical.strip_prefix(canonical_content) else {
        return Err(Refusal::Outside);
    };
    if has_hidden_component(inside) {
        return Err(Refusal::Hidden);
    }
    // The path as found, too: `content/.secret/x` is hidden even when it
    // resolves somewhere visible.
    if let Ok(found) = path.strip_prefix(canonical_content) {
        if has_hidden_component(found) {
            return Err(Refusal::Hidden);
        }
    }
    Ok(canonical)
}

/// Whether `path` (a file) may be read as a document or attachment:
/// admitted, and a regular file.
pub fn admit_file(canonical_content: &Path, path: &Path) -> Result<PathBuf, Refusal> {
    let canonical = admit(canonical_content, path)?;
    match std::fs::metadata(&canonical) {
        Ok(m) if m.is_file() => Ok(canonical),
        Ok(_) => Err(Refusal::NotRegular),
        Err(e) => Err(Refusal::Unreadable(e.to_string())),
    }
}

pub fn has_hidden_component(path: &Path) -> bool {
    path.components().any(|c| match c {
        std::path::Component::Normal(name) => name.to_string_lossy().starts_with('.'),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_components() {
        assert!(has_hidden_component(Path::new("a/.git/config")));
        assert!(has_hidden_component(Path::new(".env")));
        assert!(!has_hidden_component(Path::new("a/b.md")));
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(read_limited(&fifo, 10).is_err());
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_limited(&zero, 10).is_err());
        let big = dir.path().join("big");
        std::fs::write(&big, [b'x'; 100]).unwrap();
        assert!(read_limited(&big, 10).is_err());
        assert_eq!(read_limited(&big, 100).unwrap().len(), 100);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_content_dir_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let content = root.join("content");
        std::fs::create_dir_all(content.join(".hidden")).unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        std::fs::write(root.join("site.toml"), "").unwrap();
        std::fs::write(content.join(".hidden/x.txt"), "x").unwrap();
        std::fs::write(content.join("ok.txt"), "x").unwrap();
        let link = |name: &str, to: &str| {
            std::os::unix::fs::symlink(to, content.join(name)).unwrap();
            content.join(name)
        };
        assert_eq!(
            admit_file(&content, &link("env.txt", "../.env")),
            Err(Refusal::Outside)
        );
        assert_eq!(
            admit_file(&content, &link("conf.txt", "../site.toml")),
            Err(Refusal::Outside)
        );
        assert_eq!(
            admit_file(&content, &link("h.txt", ".hidden/x.txt")),
            Err(Refusal::Hidden)
        );
        assert!(admit_file(&content, &link("fine.txt", "ok.txt")).is_ok());
        assert!(matches!(
            admit_file(&content, &link("dangling.txt", "nope")),
            Err(Refusal::Unreadable(_))
        ));
    }
}
