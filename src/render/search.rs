//! The full-text index: Pagefind, as a library, over the rendered document
//! pages. Pages mark what is indexed with `data-pagefind-*` attributes (the
//! article body, title meta and filters; no sort keys: no search view
//! sorts, and each key cost every query 2 bytes a page of metadata); the
//! index is written under `pagefind/`, split in chunks so a query fetches
//! only what it needs.

use crate::RunError;

use super::search_plan::pages_per_bucket;
pub use super::search_plan::{Gate, Plan};

/// `(site path, HTML)` of every document page, shared with the served site.
pub type IndexedPages = Vec<(String, std::sync::Arc<Vec<u8>>)>;

/// Indexes the pages (see `IndexingSink`), reusing bundles kept under
/// `cache_root` when given.
pub fn build_index(
    pages: IndexedPages,
    cache_root: Option<&std::path::Path>,
) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let digests = pages
        .iter()
        .map(|(path, html)| (path.clone(), held_digests(html)))
        .collect();
    IndexingSink {
        pages: std::sync::Mutex::new(digests),
        source: Source::Held(pages.into_iter().collect()),
        store: cache_root.map(super::search_store::Store::new),
    }
    .build()
}

/// A page's digests: as written, and of what Pagefind reads of it (its
/// bucket's key: a page whose indexed part is unchanged leaves its
/// bucket's bundle as it was, when a new document changes its
/// neighbours' pager links or any row changes the home page's table).
/// The second is taken when the bucket is indexed, from the page read
/// back for it, unless the last build's entry gives it for a page it
/// keeps.
#[derive(Clone)]
pub struct PageDigests {
    written: String,
    read: Option<String>,
}

impl PageDigests {
    /// A page written by this build.
    pub fn written(written: String) -> PageDigests {
        PageDigests {
            written,
            read: None,
        }
    }

    /// A page kept from the last build, which read it as `read`.
    pub fn kept(written: String, read: String) -> PageDigests {
        PageDigests {
            written,
            read: Some(read),
        }
    }
}

/// Serve indexes every page again after each edit, most of them the
/// same bytes as before: what Pagefind reads of a page is remembered by
/// the digest of the page as written, so only changed pages are cut
/// again. Bounded: cleared when it holds far more than a site's pages.
static READ_DIGESTS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, String>>,
> = std::sync::LazyLock::new(Default::default);
const READ_DIGESTS_MAX: usize = 200_000;

fn held_digests(html: &[u8]) -> PageDigests {
    let written = crate::hash::digest_bytes(html);
    let read = READ_DIGESTS
        .lock()
        .ok()
        .and_then(|memo| memo.get(&written).cloned());
    PageDigests { written, read }
}

fn remember_read_digests<'a>(pages: impl ExactSizeIterator<Item = (&'a str, &'a String)>) {
    if let Ok(mut memo) = READ_DIGESTS.lock() {
        if memo.len() + pages.len() > READ_DIGESTS_MAX {
            memo.clear();
        }
        for (written, read) in pages {
            memo.insert(written.to_owned(), read.clone());
        }
    }
}

/// What Pagefind reads of a page: only what it keeps (`search_lean`),
/// without highlighting spans (`for_index`).
fn prepared(html: &[u8]) -> Vec<u8> {
    if whole_pages() {
        for_index(html)
    } else {
        for_index(&super::search_lean::lean(html))
    }
}

/// What Pagefind reads of a page: the page without its highlighting
/// spans, which Pagefind would parse only to read the text they hold.
fn for_index(html: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = b"<span class=\"";
    const CLOSE: &[u8] = b"</span>";
    let mut out = Vec::with_capacity(html.len());
    // Whether each open span is a highlighting one (dropped with its end).
    let mut dropped: Vec<bool> = Vec::new();
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &html[at..]).map(|p| at + p) {
        out.extend_from_slice(&html[at..lt]);
        let rest = &html[lt..];
        if rest.starts_with(CLOSE) {
            if !dropped.pop().unwrap_or(false) {
                out.extend_from_slice(CLOSE);
            }
            at = lt + CLOSE.len();
            continue;
        }
        let run = rest.strip_prefix(OPEN).and_then(|after| {
            let end = memchr::memchr(b'"', after)?;
            let classes = std::str::from_utf8(&after[..end]).ok()?;
            (after.get(end + 1) == Some(&b'>') && super::highlight_style::is_run_classes(classes))
                .then_some(OPEN.len() + end + 2)
        });
        if let Some(len) = run {
            dropped.push(true);
            at = lt + len;
        } else {
            if rest.starts_with(b"<span") {
                dropped.push(false);
            }
            out.push(b'<');
            at = lt + 1;
        }
    }
    out.extend_from_slice(&html[at..]);
    out
}

/// The hidden filter value that tags bucket `n` of `count`'s pages; none
/// for a single bucket, whose index is then Pagefind's own for the site.
fn bucket_label(n: usize, count: usize) -> String {
    if count > 1 {
        format!("b{n}")
    } else {
        String::new()
    }
}

/// The filter every page of a bucket carries when there are several:
/// Pagefind matches a query word by each indexed word that starts with
/// it, or, in a bundle holding none, by the longest indexed word the query
/// starts with ("logiport" by "log"). A bucket without the word would add
/// such stand-ins to the merged results, which a single bundle holding it
/// never does; the search scripts ask which buckets hold each word
/// exactly and search only those (`searchBuckets` in search-core.js).
/// A void element right after `<html …>`: outside the indexed body, so it
/// adds no text, and Pagefind reads filters anywhere on the page.
fn tagged(mut html: Vec<u8>, label: &str) -> Vec<u8> {
    if label.is_empty() {
        return html;
    }
    // The root element's start tag: `<html` then a space or `>`.
    let start = memchr::memmem::find_iter(&html, b"<html").find(|&at| {
        html.get(at + 5)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
    });
    let Some(start) = start else {
        return html;
    };
    let Some(end) = memchr::memchr(b'>', &html[start..]) else {
        return html;
    };
    let at = start + end + 1;
    let tag = format!("<meta data-pagefind-filter=\"bucket:{label}\">");
    html.splice(at..at, tag.into_bytes());
    html
}

/// Where the pages of bucket `n` (from 1) are published, relative to
/// `pagefind/`; bucket 0 is `pagefind/` itself, the bundle the page loads
/// first.
fn bucket_dir(n: usize) -> String {
    format!("b{n}/")
}
/// Lists the other buckets' directories for the search scripts.
const BUCKETS_FILE: &str = "pagefind/buckets.json";

/// Word locations per chunk of a bucket's word index. A query fetches the
/// chunk holding its word from every bucket, and Pagefind's default
/// (20,000) made that a 30-50 kB chunk even for a word on two pages. At
/// 5,000 a 10,000-document catalog's rare-word query fetched 78 kB less,
/// net of the longer chunk list every bucket's metadata carries; at 2,000
/// that list grew more than the chunks shrank. Measured in
/// bench/RESULTS.md.
const INDEX_CHUNK_LOCATIONS: &str = "5000";
/// Pagefind reads its chunk size only from this variable.
const CHUNK_VARIABLE: &str = "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE";

/// Sets what Pagefind reads from the environment. The command line calls
/// it first, before any thread starts (setting the environment while
/// another thread reads it is undefined behaviour in libc). A program that
/// does not call it gets Pagefind's default chunks, and the chunk size is
/// part of every cached bundle's key, so neither reuses the other's.
pub fn configure_process() {
    std::env::set_var(CHUNK_VARIABLE, INDEX_CHUNK_LOCATIONS);
}

/// The chunk size Pagefind will use here, for the bundle keys.
pub(super) fn index_chunk_size() -> String {
    std::env::var(CHUNK_VARIABLE).unwrap_or_else(|_| "default".to_owned())
}

/// What the environment changes in the index, for the key of a whole build.
pub fn settings() -> String {
    format!(
        "chunks={} pages={} whole={}",
        index_chunk_size(),
        pages_per_bucket(),
        whole_pages()
    )
}

/// Tests give Pagefind whole pages, to show that what `search_lean` cuts
/// changes nothing Pagefind writes.
fn whole_pages() -> bool {
    std::env::var_os("PORTOLAN_TEST_SEARCH_WHOLE_PAGES").is_some_and(|v| v == "1")
}

/// The pages to index, each known by its digest as it is rendered, then
/// indexed in buckets (see `search_plan`). A bucket whose bundle the
/// cache holds for exactly these pages costs nothing more; any other is
/// built from a scratch folder its pages are read into (as `for_index`
/// makes them) in path order: Pagefind numbers pages in the order it lists
/// the folder, which for a small folder is the order files were created,
/// so pages written from parallel renderers would give a different index
/// now and then.
pub struct IndexingSink {
    /// Path → digests of the page.
    pages: std::sync::Mutex<std::collections::BTreeMap<String, PageDigests>>,
    source: Source,
    store: Option<super::search_store::Store>,
}

/// Where a bucket that must be built reads its pages.
enum Source {
    /// The directory the build wrote them into: nothing is held while the
    /// site renders, and a build whose bundles all come from the cache
    /// reads nothing back.
    Written(std::path::PathBuf),
    /// Pages in memory (serve keeps its site there).
    Held(std::collections::BTreeMap<String, std::sync::Arc<Vec<u8>>>),
}

impl Source {
    /// The page at `path`, as it was when its digest was taken.
    fn read(&self, path: &str, digest: &str) -> Result<std::borrow::Cow<'_, [u8]>, RunError> {
        match self {
            // Held pages cannot change: their digests were taken from them.
            Source::Held(pages) => pages
                .get(path)
                .map(|html| std::borrow::Cow::Borrowed(html.as_slice()))
                .ok_or_else(|| RunError(format!("search index: no page {path}"))),
            Source::Written(dir) => {
                let page = std::fs::read(dir.join(path))
                    .map_err(|e| RunError(format!("search index: cannot read {path}: {e}")))?;
                // The index must say what the site shows: a page changed
                // since it was written is not indexed in its place.
                if crate::hash::digest_bytes(&page) != digest {
                    return Err(RunError(format!(
                        "search index: {path} changed while the site was built"
                    )));
                }
                Ok(std::borrow::Cow::Owned(page))
            }
        }
    }
}

impl IndexingSink {
    /// For a build writing into `dir`.
    pub fn reading_from(
        dir: &std::path::Path,
        cache_root: Option<&std::path::Path>,
    ) -> IndexingSink {
        IndexingSink {
            pages: std::sync::Mutex::default(),
            source: Source::Written(dir.to_path_buf()),
            store: cache_root.map(super::search_store::Store::new),
        }
    }

    /// A page, by the digest of its bytes as written (to check it when it
    /// is read back) and of what Pagefind reads of it (its bucket's key).
    pub fn add(&self, path: &str, digests: PageDigests) -> Result<(), RunError> {
        self.lock()?.insert(path.to_owned(), digests);
        Ok(())
    }

    /// Path → digest of what Pagefind read, of every page indexed: kept
    /// with the build, for the pages a later build keeps.
    pub fn read_digests(&self) -> Result<std::collections::BTreeMap<String, String>, RunError> {
        Ok(self
            .lock()?
            .iter()
            .filter_map(|(path, d)| Some((path.clone(), d.read.clone()?)))
            .collect())
    }

    /// The index of the pages given.
    pub fn build(self) -> Result<Vec<(String, Vec<u8>)>, RunError> {
        let plan = Plan::new(self.paths()?);
        self.build_planned(&plan, &Gate::open_all(&plan))
    }

    /// The paths of the pages given so far.
    fn paths(&self) -> Result<Vec<String>, RunError> {
        Ok(self.lock()?.keys().cloned().collect())
    }

    fn lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, std::collections::BTreeMap<String, PageDigests>>, RunError>
    {
        self.pages
            .lock()
            .map_err(|_| RunError("the pages to index are poisoned".to_owned()))
    }

    /// As `build`, for the pages `plan` names, starting each bucket once
    /// `gate` says its pages are written: the build renders them bucket
    /// by bucket, while Pagefind indexes the buckets written. The index is
    /// the one `build` makes of the pages given: should they not be the
    /// plan's, it is planned again from them once all are written.
    pub fn build_planned(
        &self,
        plan: &Plan,
        gate: &Gate,
    ) -> Result<Vec<(String, Vec<u8>)>, RunError> {
        if plan.is_empty() {
            if !gate.wait(0) {
                return Err(RunError(
                    "the pages to index were not all written".to_owned(),
                ));
            }
            if self.lock()?.is_empty() {
                return Ok(Vec::new());
            }
        }
        let count = plan.len();
        let timer = crate::timings::Timer::start();
        // Plain threads, not rayon's: Pagefind runs its own rayon work
        // inside a tokio runtime, and a rayon worker blocked in that
        // runtime can be handed another bucket's job (work stealing),
        // which deadlocked here. Each thread waits for its bucket's pages,
        // reads them into a scratch folder, then waits for Pagefind (see
        // `OneAtATime`).
        let pagefind = OneAtATime::default();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(count);
        let slots: Vec<std::sync::Mutex<Option<Planned>>> =
            (0..count).map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&n) = plan.order().get(k) else {
                        return;
                    };
                    let (Some(paths), Some(slot)) = (plan.paths_of(n), slots.get(n)) else {
                        return;
                    };
                    let built = if gate.wait(n) {
                        self.planned_bundle(&bucket_label(n, count), paths, &pagefind)
                    } else {
                        Err(RunError(
                            "the pages to index were not all written".to_owned(),
                        ))
                    };
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(built);
                    }
                });
            }
        });
        let mut keys = Vec::new();
        let mut reused = 0;
        let mut bundles = Vec::new();
        let mut as_planned = true;
        for slot in slots {
            let built = slot.into_inner().ok().flatten();
            match built.ok_or_else(|| RunError("the search index failed".to_owned()))?? {
                Some((key, hit, files)) => {
                    keys.push(key);
                    reused += usize::from(hit);
                    bundles.push(files);
                }
                None => as_planned = false,
            }
        }
        let given = self.paths()?;
        if !as_planned || !given.iter().eq(plan.paths()) {
            // Every page is written by now.
            let plan = Plan::new(given);
            return self.build_planned(&plan, &Gate::open_all(&plan));
        }
        timer.lap(&format!(
            "search index: {count} bucket(s), {reused} from the cache"
        ));
        let out = publish(bundles);
        if let Some(store) = &self.store {
            store.keep_only(&keys);
        }
        Ok(out)
    }

    /// The bundle of a planned bucket, from the digests of its pages;
    /// None if one was never written.
    fn planned_bundle(
        &self,
        label: &str,
        paths: &[String],
        pagefind: &OneAtATime,
    ) -> Result<Option<Bundle>, RunError> {
        let pages: Option<Vec<(String, PageDigests)>> = {
            let given = self.lock()?;
            paths
                .iter()
                .map(|p| given.get(p).map(|d| (p.clone(), d.clone())))
                .collect()
        };
        let Some(pages) = pages else {
            return Ok(None);
        };
        let bucket: Vec<(&str, &PageDigests)> =
            pages.iter().map(|(p, d)| (p.as_str(), d)).collect();
        self.bundle(label, &bucket, pagefind).map(Some)
    }

    /// One bucket's bundle: from the cache when it holds one for exactly
    /// what Pagefind reads of these pages, else built and kept. Also says
    /// whether it was cached.
    fn bundle(
        &self,
        label: &str,
        bucket: &[(&str, &PageDigests)],
        pagefind: &OneAtATime,
    ) -> Result<Bundle, RunError> {
        use rayon::prelude::*;
        // The pages this build wrote are read back and cut on every core,
        // and kept for Pagefind should the cache lack the bundle.
        let fresh: Vec<Option<(Vec<u8>, String)>> = bucket
            .par_iter()
            .map(|(path, digests)| match digests.read {
                Some(_) => Ok(None),
                None => self.prepare(path, digests).map(Some),
            })
            .collect::<Result<_, RunError>>()?;
        let said: Vec<String> = (bucket.iter().zip(&fresh))
            .map(|((_, digests), fresh)| match fresh {
                Some((_, read)) => read.clone(),
                None => digests.read.clone().unwrap_or_default(),
            })
            .collect();
        self.record_reads(bucket, &said)?;
        let cached = |reads: &[String]| {
            let key = super::search_store::key(
                label,
                (bucket.iter().zip(reads)).map(|((path, _), read)| (*path, read.as_str())),
            );
            let files = self.store.as_ref().and_then(|s| s.get(&key));
            (key, files)
        };
        let (mut key, files) = cached(&said);
        if let Some(files) = files {
            return Ok((key, true, files));
        }
        // The pages kept from the last build are read now. What Pagefind
        // reads of them should be what that build's entry says; where it
        // is not (a corrupt entry), the bundle is keyed by what it reads.
        let (pages, reads): (Vec<Vec<u8>>, Vec<String>) = (bucket.par_iter().zip(fresh))
            .map(|((path, digests), fresh)| match fresh {
                Some(fresh) => Ok(fresh),
                None => self.prepare(path, digests),
            })
            .collect::<Result<Vec<_>, RunError>>()?
            .into_iter()
            .unzip();
        if reads != said {
            self.record_reads(bucket, &reads)?;
            let files;
            (key, files) = cached(&reads);
            if let Some(files) = files {
                return Ok((key, true, files));
            }
        }
        let paths: Vec<&str> = bucket.iter().map(|(path, _)| *path).collect();
        let files = index_bucket(label, &paths, pages, pagefind)?;
        if let Some(store) = &self.store {
            store.put(&key, &files);
        }
        Ok((key, false, files))
    }

    /// What Pagefind reads of the page at `path`, read back, and its
    /// digest.
    fn prepare(&self, path: &str, digests: &PageDigests) -> Result<(Vec<u8>, String), RunError> {
        let page = prepared(&self.source.read(path, &digests.written)?);
        let read = crate::hash::digest_bytes(&page);
        Ok((page, read))
    }

    /// Notes what Pagefind reads of a bucket's pages: for the build's
    /// entry (`read_digests`) and, in serve, for its next index.
    fn record_reads(
        &self,
        bucket: &[(&str, &PageDigests)],
        reads: &[String],
    ) -> Result<(), RunError> {
        let mut given = self.lock()?;
        for ((path, _), read) in bucket.iter().zip(reads) {
            if let Some(digests) = given.get_mut(*path) {
                digests.read = Some(read.clone());
            }
        }
        if let Source::Held(_) = self.source {
            remember_read_digests(bucket.iter().map(|(_, d)| d.written.as_str()).zip(reads));
        }
        Ok(())
    }
}

/// The published index: the buckets' bundles, the first as `pagefind/`,
/// the others' index files under it, and the list of the others.
fn publish(bundles: Vec<Vec<(String, Vec<u8>)>>) -> Vec<(String, Vec<u8>)> {
    // A bucket no page fell in (or none with an indexed body) has no
    // language index, and Pagefind refuses to load such a bundle: only
    // buckets with one are published, the first as `pagefind/`.
    let (mut kept, empty): (Vec<_>, Vec<_>) = bundles
        .into_iter()
        .partition(|files| files.iter().any(|(p, _)| p.ends_with(".pf_meta")));
    if kept.is_empty() {
        kept.extend(empty.into_iter().take(1));
    }
    let published = kept.len();
    let mut out = Vec::new();
    for (n, files) in kept.into_iter().enumerate() {
        for (path, bytes) in files {
            if n == 0 {
                out.push((path, bytes));
            } else if let Some(file) = bucket_file(&path) {
                // Merged bundles need only their index: the script, the
                // worker and the wasm come from the first.
                out.push((format!("pagefind/{}{file}", bucket_dir(n)), bytes));
            }
        }
    }
    let others: Vec<String> = (1..published).map(bucket_dir).collect();
    out.push((
        BUCKETS_FILE.to_owned(),
        serde_json::to_vec(&others).unwrap_or_default(),
    ));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The part of a bundle's path a merged bucket keeps, or None.
fn bucket_file(path: &str) -> Option<&str> {
    let file = path.strip_prefix("pagefind/")?;
    let index = file == "pagefind-entry.json"
        || file.ends_with(".pf_meta")
        || ["fragment/", "index/", "filter/"]
            .iter()
            .any(|dir| file.starts_with(dir));
    index.then_some(file)
}

/// Pagefind indexes a bucket in two phases: it parses the pages on every
/// core, then builds and compresses the bundle mostly on one (its writes
/// are futures joined on one task). One bucket at a time is in Pagefind:
/// each holds its pages' words there (about 360 kB a code-heavy page), and
/// parsing the next bucket while the last one was built saved about 5% of
/// a cold build but raised its peak memory by 100 MB at 10,000 light
/// documents, to about the issue's limit. The next bucket's scratch folder
/// is written meanwhile.
#[derive(Default)]
struct OneAtATime(std::sync::Mutex<()>);

impl OneAtATime {
    /// Held while a bucket is in Pagefind. A poisoned lock only means
    /// another bucket failed; this one can run.
    fn hold(&self) -> std::sync::MutexGuard<'_, ()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One bucket's bundle, from a scratch folder of its pages (what Pagefind
/// reads of them, in path order).
fn index_bucket(
    label: &str,
    paths: &[&str],
    pages: Vec<Vec<u8>>,
    pagefind: &OneAtATime,
) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let scratch = super::scratch::Scratch::new()?;
    let timer = crate::timings::Timer::start();
    // Written one by one in path order: Pagefind numbers pages in the
    // order it lists the folder, which for a small folder is the order
    // files were created, so pages written in parallel would give a
    // different index now and then.
    for (path, page) in paths.iter().zip(pages) {
        scratch.write(path, &tagged(page, label))?;
    }
    timer.lap("search index: scratch pages");
    build_index_from_dir(scratch.path(), paths.len(), pagefind)
}

/// A bucket's key, whether it came from the cache, and its files.
type Bundle = (String, bool, Vec<(String, Vec<u8>)>);
/// A planned bucket's bundle, None if a page of it was never written.
type Planned = Result<Option<Bundle>, RunError>;

/// Indexes every `index.html` under `dir` (pages without
/// `data-pagefind-body` are skipped by Pagefind itself), which holds
/// `expected` of them.
#[cfg(feature = "search")]
fn build_index_from_dir(
    dir: &std::path::Path,
    expected: usize,
    pagefind: &OneAtATime,
) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    fn failed(e: impl std::fmt::Display) -> RunError {
        RunError(format!("search index: {e}"))
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(failed)?;
    let config = PagefindServiceConfig::builder()
        .force_language("en".to_owned())
        .build();
    let _one_at_a_time = pagefind.hold();
    let mut index = PagefindIndex::new(Some(config)).map_err(failed)?;
    let timer = crate::timings::Timer::start();
    let read = runtime
        .block_on(index.add_directory(
            dir.to_string_lossy().into_owned(),
            Some("**/index.html".to_owned()),
        ))
        .map_err(failed)?;
    timer.lap("search index: parse pages");
    // Pagefind leaves out a page it cannot read with only a warning: an
    // index missing pages (or holding others) is not published.
    if read != expected {
        return Err(RunError(format!(
            "search index: Pagefind read {read} of the {expected} pages given"
        )));
    }
    let files = runtime.block_on(index.get_files()).map_err(failed)?;
    timer.lap("search index: build and compress");
    collect(files)
}

#[cfg(feature = "search")]
fn collect(files: Vec<pagefind::api::SyntheticFile>) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let mut out: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            let name = name.trim_start_matches('/').to_owned();
            let path = if name.starts_with("pagefind/") {
                name
            } else {
                format!("pagefind/{name}")
            };
            (path, f.contents)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Without the `search` feature there is no index; the search page says so.
#[cfg(not(feature = "search"))]
fn build_index_from_dir(
    _dir: &std::path::Path,
    _expected: usize,
    _pagefind: &OneAtATime,
) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::for_index;

    fn page(title: &str) -> std::sync::Arc<Vec<u8>> {
        std::sync::Arc::new(
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head>\
                 <body><main data-pagefind-body><h1>{title}</h1><p>{title} words</p></main></body></html>"
            )
            .into_bytes(),
        )
    }

    /// The pages each language of a bundle says it holds.
    fn page_count(files: &[(String, Vec<u8>)]) -> u64 {
        let entry = files
            .iter()
            .find(|(p, _)| p == "pagefind/pagefind-entry.json")
            .expect("an entry file");
        let entry: serde_json::Value = serde_json::from_slice(&entry.1).unwrap();
        entry["languages"]
            .as_object()
            .unwrap()
            .values()
            .map(|l| l["page_count"].as_u64().unwrap())
            .sum()
    }

    /// A page read back for a bucket must be the page whose digest keyed
    /// it: one changed on disk since is refused, never indexed.
    #[test]
    fn a_page_changed_since_it_was_written_is_not_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let html = page("Alpha");
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/index.html"), html.as_slice()).unwrap();
        let source = super::Source::Written(dir.path().to_path_buf());
        let digest = crate::hash::digest_bytes(&html);
        assert_eq!(
            &*source.read("a/index.html", &digest).unwrap(),
            html.as_slice()
        );
        std::fs::write(dir.path().join("a/index.html"), page("Other").as_slice()).unwrap();
        assert!(source.read("a/index.html", &digest).is_err());
        assert!(source.read("b/index.html", &digest).is_err());
    }

    /// Scratch folders were once named by process id and a counter: a
    /// serve killed while indexing left one behind, and a later build
    /// given the same id indexed its stale pages with its own (CI saw two
    /// extra pages in a cold build). Folders a dead process with this
    /// process's id would have left change nothing now.
    #[cfg(feature = "search")]
    #[test]
    fn stale_scratch_folders_are_never_indexed() {
        let decoys: Vec<std::path::PathBuf> = (0..64)
            .map(|n| {
                std::env::temp_dir().join(format!("portolan-search-{}-{n}", std::process::id()))
            })
            .filter(|dir| !dir.exists())
            .collect();
        for dir in &decoys {
            let stale = dir.join("stale/index.html");
            std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
            std::fs::write(stale, page("Stale").as_slice()).unwrap();
        }
        let pages = vec![
            ("a/index.html".to_owned(), page("Alpha")),
            ("b/index.html".to_owned(), page("Beta")),
        ];
        let built = super::build_index(pages, None);
        for dir in &decoys {
            let _ = std::fs::remove_dir_all(dir);
        }
        let files = built.expect("an index");
        assert_eq!(page_count(&files), 2);
        let fragments = files
            .iter()
            .filter(|(p, _)| p.starts_with("pagefind/fragment/"))
            .count();
        assert_eq!(fragments, 2);
    }

    fn sink(pages: &[(&str, &str)], cache: Option<&std::path::Path>) -> super::IndexingSink {
        let held: Vec<(String, std::sync::Arc<Vec<u8>>)> = pages
            .iter()
            .map(|(path, title)| ((*path).to_owned(), page(title)))
            .collect();
        let digests = held
            .iter()
            .map(|(path, html)| (path.clone(), super::held_digests(html)))
            .collect();
        super::IndexingSink {
            pages: std::sync::Mutex::new(digests),
            source: super::Source::Held(held.into_iter().collect()),
            store: cache.map(crate::render::search_store::Store::new),
        }
    }

    fn paths(pages: &[(&str, &str)]) -> Vec<String> {
        pages.iter().map(|(p, _)| (*p).to_owned()).collect()
    }

    const PAGES: [(&str, &str); 3] = [
        ("a/index.html", "Alpha"),
        ("b/index.html", "Beta"),
        ("c/index.html", "Gamma"),
    ];

    /// The build indexes each bucket as soon as its pages are written:
    /// the index it gets is the one of all the pages at once, however the
    /// gate opens, and with a bucket from the cache.
    #[cfg(feature = "search")]
    #[test]
    fn an_index_built_as_pages_are_written_is_the_index_of_them_all() {
        let whole = sink(&PAGES, None).build().unwrap();
        assert_eq!(page_count(&whole), 3);
        let cache = tempfile::tempdir().unwrap();
        for _ in 0..2 {
            let planned = sink(&PAGES, Some(cache.path()));
            let plan = super::Plan::new(paths(&PAGES));
            let gate = super::Gate::default();
            let built = std::thread::scope(|scope| {
                let index = scope.spawn(|| planned.build_planned(&plan, &gate));
                for &n in plan.order() {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    gate.open(n);
                }
                index.join().unwrap()
            });
            assert_eq!(built.unwrap(), whole);
        }
        // Nothing to index: no index, and no wait for a gate already open.
        let none = super::Plan::new(Vec::new());
        let gate = super::Gate::open_all(&none);
        assert!(sink(&[], None)
            .build_planned(&none, &gate)
            .unwrap()
            .is_empty());
    }

    /// Should the pages written not be the ones planned (one never
    /// written, or one the plan does not name), the index is still the one
    /// of the pages written.
    #[cfg(feature = "search")]
    #[test]
    fn pages_other_than_planned_are_indexed_as_written() {
        let given = &PAGES[..2];
        let whole = sink(given, None).build().unwrap();
        for planned in [paths(&PAGES), paths(&PAGES[..1]), Vec::new()] {
            let plan = super::Plan::new(planned.clone());
            let built = sink(given, None).build_planned(&plan, &super::Gate::open_all(&plan));
            assert_eq!(built.unwrap(), whole, "planned {planned:?}");
        }
    }

    /// Buckets written and indexed in another order (a CI build starts
    /// with those of the documents changed) give the same index, whatever
    /// order their pages come in.
    #[cfg(feature = "search")]
    #[test]
    fn the_order_buckets_are_indexed_in_changes_nothing() {
        let pages: Vec<(String, String)> = (0..40)
            .map(|n| (format!("p{n}/index.html"), format!("Page {n}")))
            .collect();
        let pages: Vec<(&str, &str)> = pages
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let plan = || super::Plan::in_buckets(paths(&pages).into_iter().collect(), 4);
        let natural = plan();
        assert_eq!(natural.order(), [0, 1, 2, 3]);
        let whole = sink(&pages, None)
            .build_planned(&natural, &super::Gate::open_all(&natural))
            .unwrap();
        let in_buckets = |files: &[(String, Vec<u8>)]| {
            files
                .iter()
                .filter(|(p, _)| p.ends_with(".pf_meta"))
                .count()
        };
        assert_eq!(in_buckets(&whole), 4, "four buckets published");
        // A page outside the first bucket: its bucket goes first.
        let (page, bucket) = pages
            .iter()
            .find_map(|(p, _)| natural.bucket(p).filter(|&n| n > 0).map(|n| (*p, n)))
            .unwrap();
        let reordered = plan().first([page, "nowhere/index.html"]);
        assert_eq!(reordered.order()[0], bucket);
        let mut all = reordered.order().to_vec();
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3]);
        let gate = super::Gate::default();
        let built = std::thread::scope(|scope| {
            let index = scope.spawn(|| sink(&pages, None).build_planned(&reordered, &gate));
            // Written in the reverse of the order planned.
            for &n in reordered.order().iter().rev() {
                std::thread::sleep(std::time::Duration::from_millis(5));
                gate.open(n);
            }
            index.join().unwrap()
        });
        assert_eq!(built.unwrap(), whole);
    }

    /// A render that fails tells the index, which gives up instead of
    /// waiting for pages that will never be written.
    #[test]
    fn a_failed_render_ends_the_wait() {
        let plan = super::Plan::new(paths(&PAGES));
        let gate = super::Gate::default();
        let built = std::thread::scope(|scope| {
            let index = scope.spawn(|| sink(&PAGES, None).build_planned(&plan, &gate));
            gate.fail();
            index.join().unwrap()
        });
        assert!(built.is_err());
        assert_eq!(plan.bucket("a/index.html"), Some(0));
        assert_eq!(plan.bucket("z/index.html"), None);
    }

    #[test]
    fn pages_of_several_buckets_carry_their_bucket_outside_the_body() {
        let page = b"<!DOCTYPE html>\n<html lang=\"en\"><head></head><body data-pagefind-body>x</body></html>";
        assert_eq!(
            String::from_utf8(super::tagged(page.to_vec(), "b3")).unwrap(),
            "<!DOCTYPE html>\n<html lang=\"en\"><meta data-pagefind-filter=\"bucket:b3\"><head></head><body data-pagefind-body>x</body></html>"
        );
        assert_eq!(super::tagged(page.to_vec(), ""), page.to_vec());
        assert_eq!(
            super::tagged(b"<p>no root</p>".to_vec(), "b1"),
            b"<p>no root</p>"
        );
        assert_eq!(super::tagged(b"<html".to_vec(), "b1"), b"<html");
        assert_eq!(
            super::tagged(b"<htmlx><html>".to_vec(), "b1"),
            b"<htmlx><html><meta data-pagefind-filter=\"bucket:b1\">"
        );
        assert_eq!(super::bucket_label(0, 1), "");
        assert_eq!(super::bucket_label(2, 4), "b2");
    }

    #[test]
    fn highlighting_spans_leave_and_their_text_and_other_spans_stay() {
        let page = br#"<p><span class="badge">x</span></p><pre><code><span class="l1 li d2">a &lt; b</span> c<span class="d0">"q"</span></code></pre><span>d</span><span class="l1 x">e</span>"#;
        assert_eq!(
            String::from_utf8(for_index(page)).unwrap(),
            r#"<p><span class="badge">x</span></p><pre><code>a &lt; b c"q"</code></pre><span>d</span><span class="l1 x">e</span>"#
        );
        // Cut short or unbalanced: no panic, nothing invented.
        assert_eq!(for_index(b"<span class=\"l1"), b"<span class=\"l1");
        assert_eq!(for_index(b"<span class=\"l1\""), b"<span class=\"l1\"");
        assert_eq!(for_index(b"</span></span>x<"), b"</span></span>x<");
    }
}
