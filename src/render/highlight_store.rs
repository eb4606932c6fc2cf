//! Highlighted blocks kept between runs, so a build with `.portolan/cache`
//! restored (every CI build) skips syntect, which is most of a cold build's
//! page rendering on code-heavy catalogs.
//!
//! One pack file per grammar set (`highlight/blocks-<fingerprint>.pack`):
//! a CI cache restores one file instead of tens of thousands. Each entry is
//! LZ4-compressed: highlighted HTML repeats the same class lists, so a pack
//! is a small part of the HTML it holds, in memory as on disk. Entries are
//! never trusted blindly: before use, an entry's text must be exactly the
//! block's code and its only markup highlighted runs' spans, so a corrupt,
//! foreign or tampered pack can cost time but never change a page or put
//! markup on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{LazyLock, OnceLock};

/// Bumped when the pack layout or what an entry means changes.
const FORMAT: &str = "portolan-highlight-pack-3";
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
/// Not looked up, but shown by a page kept from the last build: kept for
/// the next build that renders that page.
const RETAINED: u8 = 3;

struct Entry {
    /// The compressed bytes in the pack, and the HTML's length.
    start: usize,
    end: usize,
    len: usize,
    /// UNCHECKED until first asked for, then GOOD or BAD (or RETAINED
    /// without being asked for); also says which entries this run used or
    /// retained, the ones worth writing back.
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

/// Highlighted HTML, LZ4-compressed, with its length.
pub struct Packed {
    len: usize,
    bytes: Vec<u8>,
}

impl Packed {
    pub fn new(html: &str) -> Packed {
        Packed {
            len: html.len(),
            bytes: lz4_flex::block::compress(html.as_bytes()),
        }
    }

    pub fn unpack(&self) -> Option<String> {
        unpack(&self.bytes, self.len)
    }
}

/// Decompresses into exactly `len` bytes of UTF-8, or None.
fn unpack(bytes: &[u8], len: usize) -> Option<String> {
    lz4_flex::block::decompress(bytes, len)
        .ok()
        .filter(|html| html.len() == len)
        .and_then(|html| String::from_utf8(html).ok())
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
    if entry.state.load(Ordering::Relaxed) == BAD {
        return None;
    }
    let html = pack
        .bytes
        .get(entry.start..entry.end)
        .and_then(|packed| unpack(packed, entry.len));
    // Checked every time (it costs less than decompressing): an entry
    // found good once stays good, but this keeps no second copy.
    match html {
        Some(html) if faithful(&html, code) => {
            entry.state.store(GOOD, Ordering::Relaxed);
            Some(html)
        }
        _ => {
            entry.state.store(BAD, Ordering::Relaxed);
            None
        }
    }
}

/// Marks the entry of a block that a page kept from the last build shows,
/// so `save` keeps it; an entry already looked up keeps its state.
pub fn retain(key: &str) {
    if let Some(entry) = PACK.entries.get(key) {
        let _ =
            entry
                .state
                .compare_exchange(UNCHECKED, RETAINED, Ordering::Relaxed, Ordering::Relaxed);
    }
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

/// Writes the pack for the next run: the entries this run used or
/// retained (`retain`) and the blocks it highlighted anew (`fresh`); the
/// others (code since deleted or changed) go. Nothing is written when
/// that is exactly what the pack already holds.
/// Packs of other grammar sets are removed. Failures are ignored: the
/// cache only ever saves time.
pub fn save<'a>(fresh: impl Iterator<Item = (&'a str, &'a Packed)>) -> Stats {
    let pack = &*PACK;
    let count = |state| {
        pack.entries
            .values()
            .filter(|e| e.state.load(Ordering::Relaxed) == state)
            .count()
    };
    let used = count(GOOD);
    let fresh: Vec<(&str, &Packed)> = fresh.filter(|(k, _)| !is_good(pack, k)).collect();
    let stats = Stats {
        reused: used,
        refused: count(BAD),
        added: fresh.len(),
    };
    let Some(dir) = DIR.get() else { return stats };
    let name = file_name();
    let kept_state = |state| state == GOOD || state == RETAINED;
    let keeping = pack
        .entries
        .values()
        .filter(|e| kept_state(e.state.load(Ordering::Relaxed)))
        .count();
    if fresh.is_empty() && keeping == pack.entries.len() && dir.join(&name).is_file() {
        return stats;
    }
    let mut out = Vec::with_capacity(pack.bytes.len());
    out.extend_from_slice(fingerprint().as_bytes());
    out.push(b'\n');
    let mut kept: Vec<(&str, usize, &[u8])> = pack
        .entries
        .iter()
        .filter(|(_, e)| kept_state(e.state.load(Ordering::Relaxed)))
        .filter_map(|(k, e)| Some((k.as_str(), e.len, pack.bytes.get(e.start..e.end)?)))
        .collect();
    kept.extend(fresh.iter().map(|(k, p)| (*k, p.len, p.bytes.as_slice())));
    // Sorted: the same blocks give the same file, which CI caches and
    // content hashes like.
    kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, len, packed) in kept {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
        out.extend_from_slice(&(packed.len() as u64).to_le_bytes());
        out.extend_from_slice(packed);
    }
    if std::fs::create_dir_all(dir).is_err() {
        return stats;
    }
    if crate::cache_fs::publish(&dir.join(&name), &out).is_ok() {
        if let Ok(others) = std::fs::read_dir(dir) {
            for other in others.flatten() {
                let file = other.file_name().to_string_lossy().into_owned();
                let old_pack = file.starts_with("blocks-") && file.ends_with(".pack");
                if (old_pack && file != name) || crate::cache_fs::is_abandoned(&other) {
                    let _ = std::fs::remove_file(other.path());
                }
            }
        }
    }
    stats
}

fn is_good(pack: &Pack, key: &str) -> bool {
    pack.entries
        .get(key)
        .is_some_and(|e| e.state.load(Ordering::Relaxed) == GOOD)
}

const KEY_LEN: usize = 32;
/// LZ4 expands at most 255 times; a length claiming more is corrupt (and
/// must not make the decompressor allocate it).
const MAX_EXPANSION: usize = 255;

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
        let number = |from: usize| {
            bytes
                .get(from..from + 8)
                .and_then(|l| <[u8; 8]>::try_from(l).ok())
                .map(u64::from_le_bytes)
                .and_then(|l| usize::try_from(l).ok())
        };
        let (Some(len), Some(packed)) = (number(at + KEY_LEN), number(at + KEY_LEN + 8)) else {
            break;
        };
        let start = at + KEY_LEN + 16;
        let Some(end) = start.checked_add(packed).filter(|end| *end <= bytes.len()) else {
            break;
        };
        if len <= packed.saturating_mul(MAX_EXPANSION) {
            entries.insert(
                key.to_owned(),
                Entry {
                    start,
                    end,
                    len,
                    state: AtomicU8::new(UNCHECKED),
                },
            );
        }
        at = end;
    }
    Some(Pack { bytes, entries })
}

/// Whether `html` is what `highlight` makes of `code`: its text, with
/// `&amp;` and `&lt;` undone, is exactly the code, and its only markup is
/// `<span class="…">` runs, never nested, naming only run classes.
/// Anything else (script, attributes, other text, a class bent by a
/// flipped bit) fails.
pub fn faithful(html: &str, code: &str) -> bool {
    // Checked for every cached block of every build, so it runs over
    // bytes: a run of text up to the next markup byte is compared with the
    // code in one go (the boundaries are ASCII, so no character is split).
    let html = html.as_bytes();
    let mut text = code.as_bytes();
    let mut at = 0;
    let mut depth: usize = 0;
    // Class attributes this block already showed to be styled: a block
    // repeats a handful of them.
    let mut styled: Vec<&[u8]> = Vec::new();
    while at < html.len() {
        let run = html[at..]
            .iter()
            .position(|b| matches!(b, b'<' | b'&'))
            .unwrap_or(html.len() - at);
        match text.strip_prefix(&html[at..at + run]) {
            Some(tail) => text = tail,
            None => return false,
        }
        at += run;
        let rest = &html[at..];
        match rest.first() {
            None => break,
            Some(b'<') => {
                if rest.starts_with(b"</span>") {
                    let Some(d) = depth.checked_sub(1) else {
                        return false;
                    };
                    depth = d;
                    at += b"</span>".len();
                } else if let Some(after) =
                    rest.strip_prefix(b"<span class=\"").filter(|_| depth == 0)
                {
                    let Some(close) = after.windows(2).position(|w| w == b"\">") else {
                        return false;
                    };
                    let classes = &after[..close];
                    if !styled.contains(&classes) {
                        let all_styled = std::str::from_utf8(classes)
                            .is_ok_and(super::highlight_style::is_run_classes);
                        if !all_styled {
                            return false;
                        }
                        if styled.len() < 64 {
                            styled.push(classes);
                        }
                    }
                    depth += 1;
                    at += b"<span class=\"".len() + close + 2;
                } else {
                    return false;
                }
            }
            Some(b'&') => {
                let (decoded, len) = match () {
                    _ if rest.starts_with(b"&amp;") => (b'&', 5),
                    _ if rest.starts_with(b"&lt;") => (b'<', 4),
                    _ => return false,
                };
                match text.split_first() {
                    Some((first, tail)) if *first == decoded => text = tail,
                    _ => return false,
                }
                at += len;
            }
            Some(_) => return false,
        }
    }
    depth == 0 && text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first, character-at-a-time check: `faithful` must agree with it.
    fn faithful_reference(html: &str, code: &str) -> bool {
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
                    } else if let Some(after) =
                        rest.strip_prefix("<span class=\"").filter(|_| depth == 0)
                    {
                        let Some(close) = after.find("\">") else {
                            return false;
                        };
                        let classes = &after[..close];
                        if !classes
                            .split(' ')
                            .all(super::super::highlight_style::is_class)
                        {
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
                        _ => return false,
                    };
                    match text.split_first() {
                        Some((first, tail)) if *first == decoded => text = tail,
                        _ => return false,
                    }
                    rest = &rest[len..];
                }
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

    proptest! {
        /// Highlighted blocks, then bent (a byte changed, a slice cut or
        /// moved, markup inserted): the fast check agrees with the
        /// reference on each, faithful or not.
        #[test]
        fn the_byte_check_agrees_with_the_reference(
            lang in prop::sample::select(vec!["yaml", "javascript", "ruby", "bash", "json"]),
            code in "[a-z\"'<>&#:{} \\[\\]\n]{0,60}",
            at in 0usize..400,
            cut in 0usize..20,
            insert in prop::sample::select(vec![
                "", "<", ">", "\"", "&", "&amp;", "&lt;", "&#39;", "&nbsp;", "</span>",
                "<span class=\"l0\">", "<span class=\"l0 d1\">", "<span class=\"hl-x\">",
                "<span class=\"", "é", "&gt;", "&quot;",
            ]),
        ) {
            let html = super::super::highlight::highlight(lang, &code).unwrap_or_default();
            prop_assert!(faithful(&html, &code) || html.is_empty());
            let mut bent = html.clone();
            let at = (0..=at.min(bent.len())).rev().find(|i| bent.is_char_boundary(*i)).unwrap_or(0);
            let end = (at..=(at + cut).min(bent.len())).rev().find(|i| bent.is_char_boundary(*i)).unwrap_or(at);
            bent.replace_range(at..end, insert);
            prop_assert_eq!(faithful(&bent, &code), faithful_reference(&bent, &code), "{:?}", bent);
            let longer = format!("{code}x");
            prop_assert_eq!(faithful(&bent, &longer), faithful_reference(&bent, &longer));
        }
    }

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
        assert!(faithful("<span class=\"l0 li d1\">x</span>", "x"));
        assert!(!faithful("<span class=\"l0 lx\">x</span>", "x"));
        assert!(faithful("\"a\" > 'b'", "\"a\" > 'b'"));
        assert!(!faithful("&gt;", ">") && !faithful("&quot;", "\""));
        // Runs never nest.
        assert!(!faithful(
            "<span class=\"l0\"><span class=\"d1\">x</span></span>",
            "x"
        ));
        assert!(!faithful("<span class=\"\">x</span>", "x"));
    }

    #[test]
    fn a_pack_cut_short_keeps_what_came_before_and_a_foreign_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        let mut bytes = format!("{}\n", fingerprint()).into_bytes();
        for (k, html) in [("a".repeat(32), "one"), ("b".repeat(32), "two")] {
            let packed = lz4_flex::block::compress(html.as_bytes());
            bytes.extend_from_slice(k.as_bytes());
            bytes.extend_from_slice(&(html.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&(packed.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&packed);
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
        huge.extend_from_slice(&4u64.to_le_bytes());
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &huge).unwrap();
        assert!(read_pack(&path).unwrap().entries.is_empty());
        // A length no LZ4 block can expand to is refused before decoding.
        let mut bomb = format!("{}\n", fingerprint()).into_bytes();
        bomb.extend_from_slice("d".repeat(32).as_bytes());
        bomb.extend_from_slice(&(1u64 << 40).to_le_bytes());
        bomb.extend_from_slice(&3u64.to_le_bytes());
        bomb.extend_from_slice(b"abc");
        std::fs::write(&path, &bomb).unwrap();
        assert!(read_pack(&path).unwrap().entries.is_empty());
        std::fs::write(&path, b"another-format\nxxxx").unwrap();
        assert!(read_pack(&path).is_none());
    }
}
