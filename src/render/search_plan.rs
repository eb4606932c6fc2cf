//! How the search index is split: which bucket each page falls in, known
//! from its path alone, and the gate that tells the indexer a bucket's
//! pages are written (so it indexes while later buckets still render).

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex};

/// Pages per bucket of the index. Each bucket is its own Pagefind bundle,
/// built on its own core and cached on its own, merged in the browser
/// (`mergeIndex`); but a query fetches the chunk holding its word from
/// every bucket, so buckets are few and large: more would make a one-page
/// change cheaper and every query heavier. Measured on the light 10,000
/// corpus (bench/RESULTS.md): at 500 pages (32 buckets) a CI build with one
/// document changed took 3.5 s against 4.1 s, and a query for a word on
/// every page fetched 670 kB against 384 kB.
const PAGES_PER_BUCKET: usize = 4000;

/// How many buckets `pages` documents are indexed in: a power of two, so
/// the bucket of most pages stays put as a catalog grows.
pub(super) fn bucket_count(pages: usize) -> usize {
    pages
        .div_ceil(pages_per_bucket())
        .max(1)
        .next_power_of_two()
}

/// Tests set smaller buckets, so a small catalog is indexed in several.
pub(super) fn pages_per_bucket() -> usize {
    std::env::var("PORTOLAN_TEST_SEARCH_BUCKET_PAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(PAGES_PER_BUCKET)
}

/// A page's bucket: by its path alone, so an edit never moves a page.
pub(super) fn bucket_of(path: &str, buckets: usize) -> usize {
    let digest = crate::hash::digest(&[path]);
    usize::from_str_radix(&digest[..8], 16).unwrap_or(0) % buckets
}

/// Which bucket each page to index falls in, known from the paths alone
/// (see `bucket_of`), so the build can index a bucket as soon as its
/// pages are written.
pub struct Plan {
    /// Each bucket's paths, sorted.
    buckets: Vec<Vec<String>>,
    /// The order the buckets are written and indexed in.
    order: Vec<usize>,
}

impl Plan {
    pub fn new(paths: impl IntoIterator<Item = String>) -> Plan {
        let paths: BTreeSet<String> = paths.into_iter().collect();
        let count = bucket_count(paths.len());
        Plan::in_buckets(paths, count)
    }

    pub(super) fn in_buckets(paths: BTreeSet<String>, count: usize) -> Plan {
        let mut buckets = vec![Vec::new(); count];
        for path in paths {
            buckets[bucket_of(&path, count)].push(path);
        }
        Plan {
            buckets,
            order: (0..count).collect(),
        }
    }

    /// Writes and indexes the buckets of `paths` first (a CI build: those
    /// of the documents changed since the last build, whose bundles the
    /// cache is least likely to hold), each bucket still in order.
    pub fn first<'a>(mut self, paths: impl IntoIterator<Item = &'a str>) -> Plan {
        let first: BTreeSet<usize> = paths.into_iter().filter_map(|p| self.bucket(p)).collect();
        self.order.sort_by_key(|n| !first.contains(n));
        self
    }

    /// The buckets in the order they are written and indexed.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// How many buckets there are (at least one).
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.iter().all(Vec::is_empty)
    }

    /// The bucket `path` is in, if the plan names it.
    pub fn bucket(&self, path: &str) -> Option<usize> {
        let n = bucket_of(path, self.buckets.len());
        self.buckets[n]
            .binary_search_by(|p| p.as_str().cmp(path))
            .ok()
            .map(|_| n)
    }

    /// Bucket `n`'s paths, sorted.
    pub(super) fn paths_of(&self, n: usize) -> Option<&[String]> {
        self.buckets.get(n).map(Vec::as_slice)
    }

    /// Every path, sorted.
    pub(super) fn paths(&self) -> impl Iterator<Item = &String> {
        let mut all: Vec<&String> = self.buckets.iter().flatten().collect();
        all.sort();
        all.into_iter()
    }
}

/// Which buckets' pages are written, or that no more will be (the render
/// failed).
#[derive(Default)]
pub struct Gate {
    state: Mutex<(BTreeSet<usize>, bool)>,
    changed: Condvar,
}

impl Gate {
    /// A gate with every bucket of `plan` written.
    pub(super) fn open_all(plan: &Plan) -> Gate {
        let gate = Gate::default();
        plan.order().iter().for_each(|&n| gate.open(n));
        gate
    }

    /// Bucket `n`'s pages are written.
    pub fn open(&self, n: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0.insert(n);
        self.changed.notify_all();
    }

    /// No more will be: whoever waits gives up.
    pub fn fail(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 = true;
        self.changed.notify_all();
    }

    /// Waits until bucket `n` is written (true) or never will be.
    pub(super) fn wait(&self, n: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.0.contains(&n) && !state.1 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.0.contains(&n)
    }
}
