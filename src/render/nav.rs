//! What navigation shows, from the catalog's folders: breadcrumbs and
//! previous/next on document pages, folder pages (`/payments/`), and the
//! sidebar, written once as `sidebar.json` for the browser to fetch and
//! cache, never copied into every page (that would make output O(n²)).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Value};

use super::pages::{Link, SiteData};
use crate::urls::encode_path;

/// The sidebar's data file, beside the catalog's other generated files.
pub const SIDEBAR_PATH: &str = "sidebar.json";

#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct DocNav {
    /// Catalog › folders › (the page itself is not a link).
    pub crumbs: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    /// The folder the document is listed in (the sidebar's no-script link).
    pub folder: Link,
    /// On a folder's front page: what the folder holds.
    pub listing: Option<Listing>,
}

#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct Listing {
    pub subfolders: Vec<ListingRow>,
    pub docs: Vec<ListingRow>,
}

#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct ListingRow {
    pub title: String,
    pub url: String,
    pub description: String,
    /// Documents: type; folders: how many documents they hold, all depths.
    pub detail: String,
    pub status: String,
    pub status_class: String,
}

/// A folder without a front page of its own.
#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct FolderPage {
    pub title: String,
    pub crumbs: Vec<Link>,
    pub listing: Listing,
}

impl SiteData<'_> {
    fn folder_url(&self, f: usize) -> String {
        let folder = &self.folders.list[f];
        match folder.front {
            Some(i) => self.links.doc_url(i),
            None => format!("{}{}", self.base_path(), encode_path(&folder.route)),
        }
    }

    /// The document whose body introduces the home page (see
    /// `urls::home_doc`): its page is the home page.
    pub fn home_doc(&self) -> Option<usize> {
        self.folders.list.first().and_then(|root| root.front)
    }

    /// The folders at the top of the catalog.
    pub(super) fn top_folders(&self) -> Vec<Link> {
        self.folders.list[0]
            .children
            .iter()
            .map(|&f| self.folder_link(f))
            .collect()
    }

    fn folder_link(&self, f: usize) -> Link {
        if f == 0 {
            return Link {
                name: "Catalog".to_owned(),
                url: self.base_path().to_owned(),
            };
        }
        Link {
            name: self.folders.list[f].title.clone(),
            url: self.folder_url(f),
        }
    }

    fn doc_link(&self, i: usize) -> Link {
        let s = &self.summaries[i];
        Link {
            name: s.title.clone(),
            url: s.url.clone(),
        }
    }

    fn crumbs(&self, trail: &[usize]) -> Vec<Link> {
        std::iter::once(0)
            .chain(trail.iter().copied())
            .map(|f| self.folder_link(f))
            .collect()
    }

    /// Documents in folder `f` and every folder below it.
    fn count_below(&self, f: usize) -> usize {
        let folder = &self.folders.list[f];
        folder.docs.len()
            + usize::from(folder.front.is_some())
            + folder
                .children
                .iter()
                .map(|&c| self.count_below(c))
                .sum::<usize>()
    }

    fn listing(&self, f: usize) -> Listing {
        let folder = &self.folders.list[f];
        Listing {
            subfolders: folder
                .children
                .iter()
                .map(|&c| {
                    let count = self.count_below(c);
                    ListingRow {
                        title: self.folders.list[c].title.clone(),
                        url: self.folder_url(c),
                        description: self.folders.list[c]
                            .front
                            .map(|i| self.summaries[i].description.clone())
                            .unwrap_or_default(),
                        detail: format!("{count} document{}", if count == 1 { "" } else { "s" }),
                        status: String::new(),
                        status_class: String::new(),
                    }
                })
                .collect(),
            docs: folder
                .docs
                .iter()
                .map(|&i| {
                    let s = &self.summaries[i];
                    ListingRow {
                        title: s.title.clone(),
                        url: s.url.clone(),
                        description: s.description.clone(),
                        detail: s.kind.clone(),
                        status: s.status.clone(),
                        status_class: s.status_class.clone(),
                    }
                })
                .collect(),
        }
    }

    pub fn doc_nav(&self, i: usize) -> DocNav {
        let place = self.folders.place(i);
        let f = self.folders.of_doc.get(i).copied().unwrap_or(0);
        let fronts = self.folders.list[f].front == Some(i);
        // A front page's trail ends with its own folder: that is the page.
        let trail = if fronts {
            &place.trail[..place.trail.len().saturating_sub(1)]
        } else {
            &place.trail[..]
        };
        DocNav {
            crumbs: self.crumbs(trail),
            prev: place.prev.map(|j| self.doc_link(j)),
            next: place.next.map(|j| self.doc_link(j)),
            folder: self.folder_link(if fronts {
                self.folders.list[f].parent.unwrap_or(0)
            } else {
                f
            }),
            listing: fronts.then(|| self.listing(f)),
        }
    }

    /// Folders that get a page of their own (no document fronts them), by
    /// content path.
    pub fn folder_pages(&self) -> impl Iterator<Item = &str> + '_ {
        self.folders
            .list
            .iter()
            .skip(1)
            .filter(|f| f.front.is_none())
            .map(|f| f.path.as_str())
    }

    pub fn folder_page(&self, path: &str) -> Option<(String, FolderPage)> {
        let f = self.folders.list.iter().position(|f| f.path == path)?;
        let folder = &self.folders.list[f];
        if f == 0 || folder.front.is_some() {
            return None;
        }
        let mut trail = self.folders.place_of_folder(f);
        trail.pop();
        Some((
            format!("{}index.html", folder.route),
            FolderPage {
                title: folder.title.clone(),
                crumbs: self.crumbs(&trail),
                listing: self.listing(f),
            },
        ))
    }

    /// The whole tree, compact: per folder its title, URL, documents
    /// (title, URL) and subfolders (indexes into the same list, 0 is the
    /// catalog).
    pub fn sidebar_json(&self) -> String {
        let folders: Vec<Value> = self
            .folders
            .list
            .iter()
            .enumerate()
            .map(|(f, folder)| {
                let link = self.folder_link(f);
                let docs: Vec<Value> = folder
                    .docs
                    .iter()
                    .map(|&i| {
                        let s = &self.summaries[i];
                        json!([s.title, s.url])
                    })
                    .collect();
                json!({"t": link.name, "u": link.url, "d": docs, "c": folder.children})
            })
            .collect();
        // Inert if someone inlines it into HTML, as catalog.json is.
        serde_json::to_string(&json!({ "folders": folders }))
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

/// What navigation shows everywhere, to tell which pages an edit moved.
#[derive(Default)]
pub struct NavViews {
    pub docs: HashMap<String, DocNav>,
    pub folders: BTreeMap<String, (String, FolderPage)>,
    pub sidebar: String,
}

impl NavViews {
    pub fn of(site: &SiteData<'_>) -> NavViews {
        NavViews {
            docs: site
                .catalog
                .docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.content_path.clone(), site.doc_nav(i)))
                .collect(),
            folders: site
                .folder_pages()
                .filter_map(|p| site.folder_page(p).map(|page| (p.to_owned(), page)))
                .collect(),
            sidebar: site.sidebar_json(),
        }
    }
}
