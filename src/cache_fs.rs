//! How files under `.portolan/cache/` are written: under a temporary name
//! beside their own, then renamed onto it, so a reader (another build,
//! another thread) never sees half a file. Each write takes a temporary
//! name of its own: two threads that published the same object under one
//! name (`hash.tmp<pid>`) made one rename fail, and a whole build was not
//! kept for the next (site::replay).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A name beside `path`, unique to this process and call. It holds
/// `.tmp`, which the cache's sweeps know as a file being published.
pub fn temp_beside(path: &Path) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp{}-{n}", std::process::id()))
}

/// Whether `entry` is a temporary file that a process killed while it
/// published left behind: one of another build at work now is younger
/// than an hour, and is left alone.
pub fn is_abandoned(entry: &std::fs::DirEntry) -> bool {
    entry.file_name().to_string_lossy().contains(".tmp")
        && entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() >= 3600)
}

/// Writes `bytes` to `path` whole, or leaves `path` as it was.
pub fn publish(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_beside(path);
    let done = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_has_a_temporary_name_of_its_own() {
        let path = Path::new("/cache/objects/ab/abcd");
        let (a, b) = (temp_beside(path), temp_beside(path));
        assert_ne!(a, b);
        for tmp in [&a, &b] {
            assert_eq!(tmp.parent(), path.parent());
            assert!(tmp.to_string_lossy().contains(".tmp"), "{tmp:?}");
        }
    }

    #[test]
    fn a_file_is_published_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.json");
        publish(&path, b"first").unwrap();
        publish(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        // A target that cannot be replaced (a folder) is left, and so is
        // no temporary file.
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        assert!(publish(&folder, b"x").is_err());
        assert!(folder.is_dir());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
