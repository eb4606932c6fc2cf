//! Highlighted blocks kept between runs, so a build with `.portolan/cache`
//! restored (every CI build) skips syntect, which is most of a cold build's
//! page rendering on code-heavy catalogs.
//!
//! One pack file per grammar set (`highlight/blocks-<fingerprint>.pack`):
//! a CI cache restores one file instead of tens of thousands. Entries are
//! never trusted blindly: before use, an entry's text must be exactly the
//! block's code and its only markup syntect's class spans, so a corrupt,
//! foreign or tampered pack can cost time but never change a page or put
//! markup on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{LazyLock, OnceLock};

/// Bumped when the pack layout or what an entry means changes.
const FORMAT: &str = "portolan-highlight-pack-1";
/// A pack larger than this is not read (it is rebuilt): a runaway or
/// planted file must not exhaust memory.
const MAX_PACK_BYTES: u64 = 2 << 30;

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Where packs are read from and written to; set once per process.
pub fn use_dir(cache_root: &Path) {
    let _ = DIR.set(cache_root.join("highlight"));
}

const UNCHECKED: u8 = 0;
const GOOD: u8 = 1;
const BAD: u8 = 2;

struct Entry {
    start: usize,
    end: usize,
    /// UNCHECKED until first asked for, then GOOD or BAD; also says which
    /// entries this run used, the ones worth writing back.
    state: AtomicU8,
}

struct Pack {
    bytes: Vec<u8>,
    entries: HashMap<String, Entry>,
}

static PACK: LazyLock<Pack> = LazyLock::new(|| {
    DIR.get()
        .and_then(|dir| read_pack(&dir.join(file_name())))
        .unwrap_or(Pack {
            bytes: Vec::new(),
            entries: HashMap::new(),
        })
});

/// What makes a pack valid for this binary: the format, portolan's
/// version, and the grammar set (its grammars' names and scopes, and how
/// it highlights a sample), so a new grammar set starts a new pack.
fn fingerprint() -> &'static str {
    static FINGERPRINT: LazyLock<String> = LazyLock::new(|| {
        let mut parts: Vec<String> = vec![FORMAT.into(), env!("CARGO_PKG_VERSION").into()];
        for syntax in super::highlight::syntaxes().syntaxes() {
            parts.push(format!("{}\u{1f}{}", syntax.name, syntax.scope));
        }
        parts.push(super::highlight::sample());
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        crate::hash::digest(&parts)
    });
    &FINGERPRINT
}

fn file_name() -> String {
    format!("blocks-{}.pack", fingerprint())
}

/// The key of a block: its grammar and its code.
pub fn key(grammar: &str, code: &str) -> String {
    crate::hash::digest(&[grammar, code])
}

/// A block highlighted in an earlier run, if the pack has it and it is
/// faithful to `code`.
pub fn get(key: &str, code: &str) -> Option<String> {
    let pack = &*PACK;
    let entry = pack.entries.get(key)?;
    let html = std::str::from_utf8(pack.bytes.get(entry.start..entry.end)?).ok()?;
    match entry.state.load(Ordering::Relaxed) {
        BAD => return None,
        GOOD => {}
        _ => {
            let ok = faithful(html, code);
            entry
                .state
                .store(if ok { GOOD } else { BAD }, Ordering::Relaxed);
            if !ok {
                return None;
            }
        }
    }
    Some(html.to_owned())
}

/// What the pack did in this run.
pub struct Stats {
    /// Entries used (each block counted once).
    pub reused: usize,
    /// Entries refused as unfaithful to their block.
    pub refused: usize,
    /// Blocks highlighted anew and added.
    pub added: usize,
}

/// Writes the pack for the next run: the entries this run used and the
/// blocks it highlighted anew (`fresh`). Nothing is written when that is
/// exactly what the pack already holds. Packs of other grammar sets are
/// removed. Failures are ignored: the cache only ever saves time.
pub fn save(fresh: &[(String, String)]) -> Stats {
    let pack = &*PACK;
    let count = |state| {
        pack.entries
            .values()
            .filter(|e| e.state.load(Ordering::Relaxed) == state)
            .count()
    };
    let used = count(GOOD);
    let fresh: Vec<&(String, String)> = fresh
        .iter()
        .filter(|(k, _)| !pack.entries.contains_key(k) || !is_good(pack, k))
        .collect();
    let stats = Stats {
        reused: used,
        refused: count(BAD),
        added: fresh.len(),
    };
    let Some(dir) = DIR.get() else { return stats };
    let name = file_name();
    if fresh.is_empty() && used == pack.entries.len() && dir.join(&name).is_file() {
        return stats;
    }
    let mut out = Vec::with_capacity(pack.bytes.len());
    out.extend_from_slice(fingerprint().as_bytes());
    out.push(b'\n');
    let mut kept: Vec<(&str, &[u8])> = pack
        .entries
        .iter()
        .filter(|(_, e)| e.state.load(Ordering::Relaxed) == GOOD)
        .filter_map(|(k, e)| Some((k.as_str(), pack.bytes.get(e.start..e.end)?)))
        .collect();
    kept.extend(fresh.iter().map(|(k, h)| (k.as_str(), h.as_bytes())));
    // Sorted: the same blocks give the same file, which CI caches and
    // content hashes like.
    kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, html) in kept {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(html.len() as u64).to_le_bytes());
        out.extend_from_slice(html);
    }
    if std::fs::create_dir_all(dir).is_err() {
        return stats;
    }
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, &out).is_ok() && std::fs::rename(&tmp, dir.join(&name)).is_ok() {
        if let Ok(others) = std::fs::read_dir(dir) {
            for other in others.flatten() {
                let file = other.file_name().to_string_lossy().into_owned();
                if file.starts_with("blocks-") && file.ends_with(".pack") && file != name {
                    let _ = std::fs::remove_file(other.path());
                }
            }
        }
    } else {
        let _ = std::fs::remove_file(&tmp);
    }
    stats
}

fn is_good(pack: &Pack, key: &str) -> bool {
    pack.entries
        .get(key)
        .is_some_and(|e| e.state.load(Ordering::Relaxed) == GOOD)
}

const KEY_LEN: usize = 32;

/// Reads a pack; None if it is not one of ours. A pack cut short keeps
/// the entries before the cut.
fn read_pack(path: &Path) -> Option<Pack> {
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_PACK_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let header = fingerprint().len() + 1;
    if bytes.get(..header - 1)? != fingerprint().as_bytes() || bytes.get(header - 1) != Some(&b'\n')
    {
        return None;
    }
    let mut entries = HashMap::new();
    let mut at = header;
    while at < bytes.len() {
        let Some(key) = bytes
            .get(at..at + KEY_LEN)
            .and_then(|k| std::str::from_utf8(k).ok())
        else {
            break;
        };
        let Some(len) = bytes
            .get(at + KEY_LEN..at + KEY_LEN + 8)
            .and_then(|l| <[u8; 8]>::try_from(l).ok())
            .map(u64::from_le_bytes)
            .and_then(|l| usize::try_from(l).ok())
        else {
            break;
        };
        let start = at + KEY_LEN + 8;
        let Some(end) = start.checked_add(len).filter(|end| *end <= bytes.len()) else {
            break;
        };
        entries.insert(
            key.to_owned(),
            Entry {
                start,
                end,
                state: AtomicU8::new(UNCHECKED),
            },
        );
        at = end;
    }
    Some(Pack { bytes, entries })
}

/// Whether `html` is what syntect makes of `code`: its text, with the
/// five escapes undone, is exactly the code, and its only markup is
/// balanced `<span class="…">` naming only classes the stylesheet styles
/// (what `highlight` leaves after pruning). Anything else (script,
/// attributes, other text, a class bent by a flipped bit) fails.
pub fn faithful(html: &str, code: &str) -> bool {
    let mut text = code.as_bytes();
    let mut rest = html;
    let mut depth: usize = 0;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(after) = rest.strip_prefix("</span>") {
                    let Some(d) = depth.checked_sub(1) else {
                        return false;
                    };
                    depth = d;
                    rest = after;
                } else if let Some(after) = rest.strip_prefix("<span class=\"") {
                    let Some(close) = after.find("\">") else {
                        return false;
                    };
                    let classes = &after[..close];
                    if !classes.split(' ').all(super::highlight::is_styled) {
                        return false;
                    }
                    depth += 1;
                    rest = &after[close + 2..];
                } else {
                    return false;
                }
            }
            '&' => {
                let (decoded, len) = match () {
                    _ if rest.starts_with("&amp;") => (b'&', 5),
                    _ if rest.starts_with("&lt;") => (b'<', 4),
                    _ if rest.starts_with("&gt;") => (b'>', 4),
                    _ if rest.starts_with("&quot;") => (b'"', 6),
                    _ if rest.starts_with("&#39;") => (b'\'', 5),
                    _ => return false,
                };
                match text.split_first() {
                    Some((first, tail)) if *first == decoded => text = tail,
                    _ => return false,
                }
                rest = &rest[len..];
            }
            '>' | '"' => return false,
            _ => {
                let n = c.len_utf8();
                match text.strip_prefix(&rest.as_bytes()[..n]) {
                    Some(tail) => text = tail,
                    None => return false,
                }
                rest = &rest[n..];
            }
        }
    }
    depth == 0 && text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_syntect_makes_is_faithful_and_tampering_is_not() {
        let samples = [
            ("yaml", "a: \"<b>\" # it's & more\nlist: [1, 2]\n"),
            ("javascript", "const a = `x${y}` && '<i>';\n// é ✓\n"),
            ("ruby", "def f(x) = x <=> 1\n"),
            ("bash", "echo \"$HOME\" > /tmp/x 2>&1\n"),
        ];
        for (lang, code) in samples {
            let html = super::super::highlight::highlight(lang, code).expect(lang);
            assert!(faithful(&html, code), "{lang}: {html}");
            assert!(!faithful(&html, &format!("{code}x")), "{lang}: longer code");
            let injected = format!("<script>alert(1)</script>{html}");
            assert!(!faithful(&injected, code));
            let attribute = html.replacen("<span class=\"", "<span onclick=\"x\" class=\"", 1);
            assert!(!faithful(&attribute, code), "{attribute}");
            let other_text = html.replacen(';', ":", 1);
            if other_text != html {
                assert!(!faithful(&other_text, code));
            }
            let unbalanced = format!("{html}</span>");
            assert!(!faithful(&unbalanced, code));
        }
        assert!(!faithful("<span class=\"a\">x", "x"));
        assert!(!faithful("<img src=x>", ""));
        assert!(!faithful("a&nbsp;b", "a\u{a0}b"));
        assert!(faithful("<span class=\"hl-comment\">x</span>", "x"));
        assert!(!faithful("<span class=\"hl-cxmment\">x</span>", "x"));
        assert!(!faithful("<span class=\"\">x</span>", "x"));
    }

    #[test]
    fn a_pack_cut_short_keeps_what_came_before_and_a_foreign_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        let mut bytes = format!("{}\n", fingerprint()).into_bytes();
        for (k, html) in [("a".repeat(32), "one"), ("b".repeat(32), "two")] {
            bytes.extend_from_slice(k.as_bytes());
            bytes.extend_from_slice(&(html.len() as u64).to_le_bytes());
            bytes.extend_from_slice(html.as_bytes());
        }
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_pack(&path).unwrap().entries.len(), 2);
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let cut = read_pack(&path).unwrap();
        assert_eq!(cut.entries.len(), 1);
        assert!(cut.entries.contains_key(&"a".repeat(32)));
        // A length that points past the end, and another binary's pack.
        let mut huge = format!("{}\n", fingerprint()).into_bytes();
        huge.extend_from_slice("c".repeat(32).as_bytes());
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &huge).unwrap();
        assert!(read_pack(&path).unwrap().entries.is_empty());
        std::fs::write(&path, b"another-format\nxxxx").unwrap();
        assert!(read_pack(&path).is_none());
    }
}
