//! Search bundles kept between runs in `.portolan/cache/search/`, one file
//! per bucket of pages, named by the digest of what the bucket indexes
//! (every page's path and the HTML Pagefind reads): a build with the
//! cache restored (every CI build) runs Pagefind only for buckets whose
//! pages changed. A bundle is Pagefind's output, so it is the same bytes a
//! cold build writes.
//!
//! Never trusted blindly: a bundle must name the key it was asked for,
//! its files must be plain relative paths under `pagefind/`, and a digest
//! over all of it must match, so a cut, corrupt or foreign file is
//! rebuilt, never published. (Someone who can write the cache can also
//! write a matching digest; what reaches the page from an index is
//! treated as untrusted text by the search scripts.)

use std::path::{Path, PathBuf};

/// Bumped when the file layout or what a bundle holds changes. Pagefind's
/// version is part of it: another Pagefind writes other bytes.
// 2: pages are keyed by the digest of the page as written, not of what
// Pagefind reads of it.
// 3: Pagefind's gzip runs on flate2's zlib-rs backend, which writes other
// (equally valid) bytes than miniz_oxide did.
// 4: with several buckets, each page carries its bucket as a filter, and
// the bucket is part of the key.
// 5: pages are keyed by the digest of what Pagefind reads of them again,
// taken from each page read back for its bucket (a kept page's from the
// last build's entry), so a change to a pager link or the home page's
// table rebuilds no bundle.
const FORMAT: &str = "portolan-search-bundle-5";
/// The Pagefind crate in Cargo.lock (a unit test keeps the two equal).
pub(super) const PAGEFIND: &str = "1.6.0";
/// A bundle file larger than this is not read (it is rebuilt).
const MAX_BUNDLE_BYTES: u64 = 1 << 30;
/// More files than Pagefind writes for any bucket: a header claiming more
/// is corrupt.
const MAX_FILES: u64 = 1 << 20;

/// Files of one bundle: path (under `pagefind/`) → bytes.
pub type Files = Vec<(String, Vec<u8>)>;

pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(cache_root: &Path) -> Store {
        Store {
            dir: cache_root.join("search"),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.bundle"))
    }

    /// The bundle built earlier for `key`, if it is whole and ours.
    pub fn get(&self, key: &str) -> Option<Files> {
        let path = self.path(key);
        if std::fs::metadata(&path).ok()?.len() > MAX_BUNDLE_BYTES {
            return None;
        }
        decode(&std::fs::read(path).ok()?, key)
    }

    /// Keeps a bundle for the next run; failures are ignored (the cache
    /// only ever saves time).
    pub fn put(&self, key: &str, files: &Files) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(key);
        let _ = crate::cache_fs::publish(&path, &encode(key, files));
    }

    /// Removes the bundles this run did not use, so a cache that CI saves
    /// after every run does not grow with every edit.
    pub fn keep_only(&self, used: &[String]) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let unused = match name.strip_suffix(".bundle") {
                Some(key) => !used.iter().any(|u| u == key),
                None => crate::cache_fs::is_abandoned(&entry),
            };
            if unused {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The key of a bucket: the format, Pagefind's version, portolan's, the
/// chunk size Pagefind will use (see `search::configure_process`), and
/// every page (path and the digest of what Pagefind reads of it) in path
/// order.
pub fn key<'a>(bucket: &str, pages: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    key_for_chunks(&super::search::index_chunk_size(), bucket, pages)
}

fn key_for_chunks<'a>(
    chunks: &str,
    bucket: &str,
    pages: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut parts: Vec<String> = vec![
        FORMAT.to_owned(),
        PAGEFIND.to_owned(),
        env!("CARGO_PKG_VERSION").to_owned(),
        chunks.to_owned(),
        bucket.to_owned(),
    ];
    for (path, digest) in pages {
        parts.push(path.to_owned());
        parts.push(digest.to_owned());
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    crate::hash::digest(&parts)
}

fn encode(key: &str, files: &Files) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(FORMAT.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(key.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&(files.len() as u64).to_le_bytes());
    for (name, bytes) in files {
        out.extend_from_slice(&(name.len() as u64).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let digest = crate::hash::digest_bytes(&out);
    out.extend_from_slice(digest.as_bytes());
    out
}

const DIGEST_LEN: usize = 32;

fn decode(bytes: &[u8], key: &str) -> Option<Files> {
    let body_len = bytes.len().checked_sub(DIGEST_LEN)?;
    let (body, digest) = bytes.split_at(body_len);
    if crate::hash::digest_bytes(body).as_bytes() != digest {
        return None;
    }
    let header = format!("{FORMAT}\n{key}\n");
    let mut rest = body.strip_prefix(header.as_bytes())?;
    let number = |rest: &mut &[u8]| -> Option<u64> {
        let (n, tail) = rest.split_first_chunk::<8>()?;
        *rest = tail;
        Some(u64::from_le_bytes(*n))
    };
    let count = number(&mut rest).filter(|n| *n <= MAX_FILES)?;
    let mut files = Vec::new();
    for _ in 0..count {
        let len = usize::try_from(number(&mut rest)?).ok()?;
        let name = std::str::from_utf8(rest.get(..len)?).ok()?.to_owned();
        rest = &rest[len..];
        if !plain_path(&name) {
            return None;
        }
        let len = usize::try_from(number(&mut rest)?).ok()?;
        files.push((name, rest.get(..len)?.to_vec()));
        rest = &rest[len..];
    }
    rest.is_empty().then_some(files)
}

/// A path Pagefind writes: under `pagefind/`, relative, no `..`, no
/// hidden or empty part, only the characters its names use.
fn plain_path(name: &str) -> bool {
    name.strip_prefix("pagefind/").is_some_and(|rest| {
        !rest.is_empty()
            && rest.split('/').all(|part| {
                !part.is_empty()
                    && !part.starts_with('.')
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Files {
        vec![
            ("pagefind/pagefind-entry.json".to_owned(), b"{}".to_vec()),
            (
                "pagefind/fragment/en_1.pf_fragment".to_owned(),
                vec![0, 1, 2],
            ),
        ]
    }

    #[test]
    fn a_bundle_comes_back_as_it_went_in_and_only_for_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.put("k1", &sample());
        assert_eq!(store.get("k1"), Some(sample()));
        // Copied under another key (a foreign entry): refused.
        std::fs::copy(store.path("k1"), store.path("k2")).unwrap();
        assert_eq!(store.get("k2"), None);
        // A temporary file a killed run left an hour ago goes; one being
        // written now stays.
        let (old, new) = (store.dir.join(".k3.tmp1-0"), store.dir.join(".k4.tmp2-0"));
        std::fs::write(&old, b"half").unwrap();
        std::fs::write(&new, b"half").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3700);
        let file = std::fs::File::options().write(true).open(&old).unwrap();
        file.set_modified(hour_ago).unwrap();
        store.keep_only(&["k1".to_owned()]);
        assert!(!store.path("k2").exists() && store.path("k1").exists());
        assert!(!old.exists() && new.exists());
    }

    /// A bundle cut in other chunks is another bundle: the command line's
    /// (see `search::configure_process`) and Pagefind's default never
    /// share cache entries. Nor do the same pages tagged as another bucket.
    #[test]
    fn the_chunk_size_and_the_bucket_are_part_of_the_key() {
        let pages = [("a/index.html", "d1"), ("b/index.html", "d2")];
        let a = key_for_chunks("5000", "b1", pages.iter().copied());
        assert_eq!(a, key_for_chunks("5000", "b1", pages.iter().copied()));
        assert_ne!(a, key_for_chunks("default", "b1", pages.iter().copied()));
        assert_ne!(a, key_for_chunks("5000", "b1", pages[..1].iter().copied()));
        assert_ne!(a, key_for_chunks("5000", "b2", pages.iter().copied()));
        assert_ne!(a, key_for_chunks("5000", "", pages.iter().copied()));
    }

    #[test]
    fn cut_flipped_or_escaping_bundles_are_refused() {
        let good = encode("k", &sample());
        assert!(decode(&good, "k").is_some());
        for cut in [0, 1, good.len() / 2, good.len() - 1] {
            assert!(decode(&good[..cut], "k").is_none(), "cut at {cut}");
        }
        for at in [0, good.len() / 2, good.len() - 40] {
            let mut flipped = good.clone();
            flipped[at] ^= 1;
            assert!(decode(&flipped, "k").is_none(), "bit flipped at {at}");
        }
        // A valid digest over a path that leaves pagefind/.
        for name in [
            "pagefind/../x",
            "index.html",
            "pagefind/.hidden",
            "pagefind//a",
            "pagefind/a b",
        ] {
            let escaping = encode("k", &vec![(name.to_owned(), vec![1])]);
            assert!(decode(&escaping, "k").is_none(), "{name}");
        }
        // A count or length claiming more than there is.
        let mut huge = format!("{FORMAT}\nk\n").into_bytes();
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        let digest = crate::hash::digest_bytes(&huge);
        huge.extend_from_slice(digest.as_bytes());
        assert!(decode(&huge, "k").is_none());
    }

    #[test]
    fn the_pagefind_version_is_the_one_in_the_lockfile() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        let at = lock
            .find("name = \"pagefind\"\nversion = \"")
            .expect("pagefind in Cargo.lock");
        let version = lock[at..].lines().nth(1).unwrap();
        assert_eq!(
            version,
            format!("version = \"{PAGEFIND}\""),
            "bump PAGEFIND with the crate"
        );
    }
}
