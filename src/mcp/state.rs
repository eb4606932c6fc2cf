//! The checked site as the MCP server holds it between calls. Before every
//! answer the content dir is compared with what was read (size and
//! modification time of every file the loader would read, and site.toml):
//! an agent that saved a file sees it in its next call, whether or not the
//! watcher has reported it yet. Changed documents go through the same
//! incremental check as serve; a new site.toml or a new day, a full check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::index::Index;
use crate::config::Config;
use crate::content::Stamp;
use crate::landscape::Landscape;
use crate::render::markdown::LinkContext;
use crate::render::pages::{DocSummary, Reuse, SiteData};
use crate::validate::Date;
use crate::{check_with, CheckOptions, CheckResult, RunError};

/// Size and modification time of site.toml; None when there is none.
fn config_stamp(root: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(root.join(crate::config::CONFIG_FILE)).ok()?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some((meta.len(), modified))
}

/// What the held state was read from: markdown files by stamp, the other
/// files by name (they matter to links, not by content).
#[derive(PartialEq, Default)]
struct Stamps {
    config: Option<Stamp>,
    docs: BTreeMap<PathBuf, Stamp>,
    others: BTreeSet<PathBuf>,
}

impl Stamps {
    fn take(root: &Path, config: &Config) -> Result<Stamps, RunError> {
        let (docs, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
            crate::content::stamps(root, config)?
                .into_iter()
                .partition(|(path, _)| crate::content::is_markdown(path));
        let others = others.into_keys().collect();
        Ok(Stamps {
            config: config_stamp(root),
            docs,
            others,
        })
    }
}

pub struct State {
    root: PathBuf,
    pub checked: CheckResult,
    routes: Vec<String>,
    base_path: String,
    summaries: Vec<DocSummary>,
    today: Date,
    stamps: Stamps,
    pub index: Index,
    /// How many times the site was read again (tests and logs).
    pub reloads: usize,
}

impl State {
    pub fn load(root: &Path) -> Result<State, RunError> {
        let config = Config::load(root)?;
        // Stamps first: a file saved while it is read differs next time.
        let stamps = Stamps::take(root, &config)?;
        // Diagrams are `check`'s and `build`'s business: rendering them
        // would start a browser for an agent's first question.
        let checked = check_with(
            root,
            config,
            CheckOptions {
                skip_diagrams: true,
                ..CheckOptions::default()
            },
        )?;
        let index = Index::build(&checked.catalog)?;
        let mut state = State {
            root: root.to_path_buf(),
            routes: crate::urls::routes(&checked.catalog),
            base_path: checked.config.base_path(),
            checked,
            summaries: Vec::new(),
            today: crate::validate::today(),
            stamps,
            index,
            reloads: 0,
        };
        state.summarise();
        Ok(state)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn summarise(&mut self) {
        self.routes = crate::urls::routes(&self.checked.catalog);
        self.base_path = self.checked.config.base_path();
        let ((), summaries) = self.with_site_reusing(None, |_| ());
        self.summaries = summaries;
    }

    /// Brings the state up to what is on disk now. An unreadable site.toml
    /// keeps the last good state and says why.
    pub fn refresh(&mut self) -> Result<(), RunError> {
        let timer = crate::timings::Timer::start();
        let now = Stamps::take(&self.root, &self.checked.config)?;
        timer.lap("mcp: compare with the disk");
        if now == self.stamps && crate::validate::today() == self.today {
            return Ok(());
        }
        let full = now.config != self.stamps.config
            || now.others != self.stamps.others
            || crate::validate::today() != self.today;
        if full {
            let fresh = State::load(&self.root)?;
            let reloads = self.reloads + 1;
            *self = fresh;
            self.reloads = reloads;
            return Ok(());
        }
        let candidates: Vec<PathBuf> = now
            .docs
            .iter()
            .filter(|(p, s)| self.stamps.docs.get(*p) != Some(*s))
            .map(|(p, _)| p.clone())
            .chain(
                self.stamps
                    .docs
                    .keys()
                    .filter(|p| !now.docs.contains_key(*p))
                    .cloned(),
            )
            .collect();
        let changed = crate::recheck::changed_docs(&self.checked, &candidates);
        self.stamps = now;
        if changed.is_empty() {
            return Ok(());
        }
        let content_dir = self.checked.catalog.content_dir.clone();
        let same_docs = changed.iter().all(|p| {
            self.checked.catalog.by_path.contains_key(p)
                == crate::content::admitted_document(&content_dir, p)
        });
        let old_landscape: Landscape = std::mem::take(&mut self.checked.landscape);
        crate::recheck::recheck(
            &self.root,
            &mut self.checked,
            &crate::recheck::Edit {
                changed: &changed,
                same_docs,
                old_landscape: &old_landscape,
            },
            false,
        );
        self.index.update(&self.checked.catalog, &changed)?;
        self.summarise();
        self.reloads += 1;
        Ok(())
    }

    /// Runs `f` over the site as pages see it (summaries, URLs, tags,
    /// agents, the landscape).
    pub fn with_site<R>(&mut self, f: impl FnOnce(&SiteData<'_>) -> R) -> R {
        let timer = crate::timings::Timer::start();
        let summaries = std::mem::take(&mut self.summaries);
        let reuse = Reuse {
            summaries,
            changed: Vec::new(),
        };
        let (result, summaries) = self.with_site_reusing(Some(reuse), f);
        self.summaries = summaries;
        timer.lap("mcp: site data and the answer");
        result
    }

    /// `f`'s result and the summaries, handed back for the next call.
    fn with_site_reusing<R>(
        &self,
        reuse: Option<Reuse>,
        f: impl FnOnce(&SiteData<'_>) -> R,
    ) -> (R, Vec<DocSummary>) {
        let checked = &self.checked;
        let links = LinkContext {
            catalog: &checked.catalog,
            routes: &self.routes,
            base_path: &self.base_path,
            assets: &checked.catalog.assets,
            diagrams: &checked.diagrams,
        };
        let site = SiteData::new(
            &checked.config,
            &checked.catalog,
            &checked.landscape,
            &checked.specs,
            links,
            self.today,
            reuse,
        );
        let result = f(&site);
        (result, site.summaries)
    }
}
