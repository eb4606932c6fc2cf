//! The catalog as folders, the way a reader browses it: each folder's title
//! (from its front page, `_index.md`/`index.md`/`README.md`, else its name),
//! its documents in reading order, its subfolders. Sidebar, breadcrumbs,
//! folder pages and previous/next links all read this one model, so they
//! cannot disagree.

use std::collections::BTreeMap;

use super::Catalog;
use crate::content::Doc;

#[derive(Debug, Clone, PartialEq)]
pub struct Folder {
    /// Content path of the folder, `""` for the root, `payments/cards`.
    pub path: String,
    pub title: String,
    /// The route of its page (`payments/`); `""` for the root (the catalog).
    pub route: String,
    /// The document whose page is the folder's page, if one has its route.
    pub front: Option<usize>,
    /// Documents directly inside, front page excluded, in reading order.
    pub docs: Vec<usize>,
    /// Subfolders, in reading order.
    pub children: Vec<usize>,
    pub parent: Option<usize>,
}

/// Every folder holding a document (and their ancestors); folder 0 is the
/// root.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Folders {
    pub list: Vec<Folder>,
    /// For each document, the folder it is listed in (a front page: the
    /// folder it fronts).
    pub of_doc: Vec<usize>,
}

/// Where a document sits among its neighbours.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Folders from the top down to the one the document is listed in
    /// (the root left out).
    pub trail: Vec<usize>,
    pub prev: Option<usize>,
    pub next: Option<usize>,
}

impl Folders {
    /// `routes` are the documents' routes, in catalog order.
    pub fn of(catalog: &Catalog, routes: &[String]) -> Folders {
        let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
        let mut list = vec![Folder {
            path: String::new(),
            title: String::new(),
            route: String::new(),
            front: None,
            docs: Vec::new(),
            children: Vec::new(),
            parent: None,
        }];
        by_path.insert(String::new(), 0);
        let mut folder_of = |path: &str, list: &mut Vec<Folder>| -> usize {
            // Create the chain of ancestors top-down.
            let mut parent = 0;
            let mut so_far = String::new();
            for segment in path.split('/').filter(|s| !s.is_empty()) {
                if !so_far.is_empty() {
                    so_far.push('/');
                }
                so_far.push_str(segment);
                parent = match by_path.get(&so_far) {
                    Some(&f) => f,
                    None => {
                        let f = list.len();
                        list.push(Folder {
                            path: so_far.clone(),
                            title: humanise(segment),
                            route: crate::urls::folder_route(&so_far),
                            front: None,
                            docs: Vec::new(),
                            children: Vec::new(),
                            parent: Some(parent),
                        });
                        list[parent].children.push(f);
                        by_path.insert(so_far.clone(), f);
                        f
                    }
                };
            }
            parent
        };
        let mut of_doc = Vec::with_capacity(catalog.docs.len());
        for doc in &catalog.docs {
            let dir = doc
                .content_path
                .rsplit_once('/')
                .map(|(d, _)| d)
                .unwrap_or("");
            of_doc.push(folder_of(dir, &mut list));
        }
        // A document whose route is a folder's route is that folder's front
        // page: `payments/_index.md`, or `payments.md` beside `payments/`.
        let by_route: BTreeMap<&str, usize> = list
            .iter()
            .enumerate()
            .skip(1)
            .map(|(f, folder)| (folder.route.as_str(), f))
            .collect();
        let mut fronted = vec![false; list.len()];
        let mut fronts: Vec<(usize, usize)> = Vec::new();
        for (i, route) in routes.iter().enumerate().take(catalog.docs.len()) {
            if let Some(&f) = by_route.get(route.as_str()) {
                if !fronted[f] {
                    fronted[f] = true;
                    fronts.push((f, i));
                }
            }
        }
        for (f, i) in fronts {
            list[f].front = Some(i);
            list[f].title = catalog.docs[i].title_or_path().to_owned();
            of_doc[i] = f;
        }
        // The home document fronts the catalog; the root keeps its name
        // ("Catalog" in breadcrumbs), as the home keeps the site's title.
        list[0].front = routes
            .iter()
            .take(catalog.docs.len())
            .position(String::is_empty);
        for (i, &f) in of_doc.iter().enumerate() {
            if list[f].front != Some(i) {
                list[f].docs.push(i);
            }
        }
        let docs = &catalog.docs;
        for folder in &mut list {
            folder
                .docs
                .sort_by_cached_key(|&i| (order_key(&docs[i]), i));
        }
        for f in 0..list.len() {
            let mut c = std::mem::take(&mut list[f].children);
            c.sort_by_cached_key(|&g| {
                let weight = list[g].front.and_then(|i| weight(&docs[i]));
                (weight.is_none(), weight, list[g].title.to_lowercase(), g)
            });
            list[f].children = c;
        }
        Folders { list, of_doc }
    }

    /// Folders from the top down to `f` itself, the root left out.
    pub fn place_of_folder(&self, f: usize) -> Vec<usize> {
        let mut trail = Vec::new();
        let mut at = Some(f);
        while let Some(g) = at {
            if g != 0 {
                trail.push(g);
            }
            at = self.list.get(g).and_then(|x| x.parent);
        }
        trail.reverse();
        trail
    }

    /// The document's folders, top-down, and its neighbours in reading
    /// order: a folder reads front page first, then its documents.
    pub fn place(&self, i: usize) -> Place {
        let Some(&f) = self.of_doc.get(i) else {
            return Place {
                trail: Vec::new(),
                prev: None,
                next: None,
            };
        };
        let trail = self.place_of_folder(f);
        let folder = &self.list[f];
        let sequence: Vec<usize> = folder
            .front
            .into_iter()
            .chain(folder.docs.iter().copied())
            .collect();
        let at = sequence.iter().position(|&d| d == i);
        let prev = at.and_then(|p| p.checked_sub(1)).map(|p| sequence[p]);
        let next = at.and_then(|p| sequence.get(p + 1).copied());
        Place { trail, prev, next }
    }
}

/// A numeric `weight` (Hugo) or `sidebar_position` (Docusaurus) orders a
/// document before those without one.
fn weight(doc: &Doc) -> Option<i64> {
    ["weight", "sidebar_position"]
        .iter()
        .find_map(|k| doc.text_field(k).and_then(|v| v.parse::<i64>().ok()))
}

pub(crate) fn order_key(doc: &Doc) -> (bool, Option<i64>, String) {
    let weight = weight(doc);
    (weight.is_none(), weight, doc.title_or_path().to_lowercase())
}

/// `order-events` → `Order events`; short vowel-less words and well-known
/// abbreviations in capitals (`crm` → `CRM`).
fn humanise(segment: &str) -> String {
    const UPPER: &[&str] = &[
        "api", "apis", "aws", "edi", "erp", "etl", "gcp", "id", "io", "pos", "sso", "ui", "ux",
    ];
    let words: Vec<String> = segment
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(n, w)| {
            let lower = w.to_lowercase();
            let vowelless = lower.len() <= 4
                && lower.chars().all(|c| c.is_ascii_alphanumeric())
                && !lower.chars().any(|c| "aeiouy".contains(c))
                && lower.chars().any(|c| c.is_ascii_alphabetic());
            if vowelless || UPPER.contains(&lower.as_str()) {
                lower.to_uppercase()
            } else if n == 0 {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            } else {
                w.to_owned()
            }
        })
        .collect();
    if words.is_empty() {
        segment.to_owned()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders(docs: &[(&str, &str)]) -> (Catalog, Folders) {
        let catalog = Catalog::from_texts(docs);
        let routes = crate::urls::routes(&catalog);
        let folders = Folders::of(&catalog, &routes);
        (catalog, folders)
    }

    #[test]
    fn folders_take_front_page_titles_and_order_documents() {
        let (catalog, f) = folders(&[
            ("payments/stripe.md", "---\ntitle: Stripe\n---\n"),
            ("payments/adyen.md", "---\ntitle: Adyen\n---\n"),
            ("payments/_index.md", "---\ntitle: Money in and out\n---\n"),
            ("payments/cards/visa.md", "---\ntitle: Visa\n---\n"),
            ("crm/zendesk.md", "---\ntitle: Zendesk\nweight: 1\n---\n"),
            ("crm/hubspot.md", "---\ntitle: HubSpot\n---\n"),
            ("top.md", "---\ntitle: Top\n---\n"),
        ]);
        let payments = f.list.iter().position(|x| x.path == "payments").unwrap();
        let p = &f.list[payments];
        assert_eq!(p.title, "Money in and out");
        assert_eq!(p.route, "payments/");
        assert_eq!(p.front, catalog.by_path.get("payments/_index.md").copied());
        let titles: Vec<&str> = p
            .docs
            .iter()
            .map(|&i| catalog.docs[i].title_or_path())
            .collect();
        assert_eq!(titles, ["Adyen", "Stripe"]);
        let crm = f.list.iter().position(|x| x.path == "crm").unwrap();
        assert_eq!(f.list[crm].title, "CRM");
        let titles: Vec<&str> = f.list[crm]
            .docs
            .iter()
            .map(|&i| catalog.docs[i].title_or_path())
            .collect();
        assert_eq!(titles, ["Zendesk", "HubSpot"], "weight first");
        // Root: the top-level document; subfolders by title.
        assert_eq!(f.list[0].docs, [catalog.by_path["top.md"]]);
        let root_children: Vec<&str> = f.list[0]
            .children
            .iter()
            .map(|&c| f.list[c].title.as_str())
            .collect();
        assert_eq!(root_children, ["CRM", "Money in and out"]);
        let cards = f
            .list
            .iter()
            .position(|x| x.path == "payments/cards")
            .unwrap();
        assert_eq!(f.list[cards].parent, Some(payments));
        assert_eq!(f.list[cards].title, "Cards");

        // Reading order: front page, then documents by title.
        let front = catalog.by_path["payments/_index.md"];
        let adyen = catalog.by_path["payments/adyen.md"];
        let stripe = catalog.by_path["payments/stripe.md"];
        assert_eq!(f.place(front).next, Some(adyen));
        assert_eq!(f.place(adyen).prev, Some(front));
        assert_eq!(f.place(adyen).next, Some(stripe));
        assert_eq!(f.place(stripe).next, None);
        let visa = catalog.by_path["payments/cards/visa.md"];
        assert_eq!(f.place(visa).trail, [payments, cards]);
        assert_eq!(f.place(front).trail, [payments]);
        assert!(f.place(catalog.by_path["top.md"]).trail.is_empty());
    }

    #[test]
    fn a_sibling_file_fronts_its_folder_and_reserved_names_move() {
        let (catalog, f) = folders(&[
            ("guides.md", "---\ntitle: Guides\n---\n"),
            ("guides/one.md", "---\ntitle: One\n---\n"),
            ("tags/x.md", "---\ntitle: X\n---\n"),
        ]);
        let guides = f.list.iter().position(|x| x.path == "guides").unwrap();
        assert_eq!(f.list[guides].front, Some(catalog.by_path["guides.md"]));
        assert!(
            f.list[0].docs.is_empty(),
            "the front page is not listed twice"
        );
        let tags = f.list.iter().position(|x| x.path == "tags").unwrap();
        assert_eq!(f.list[tags].route, "docs-tags/");
    }

    #[test]
    fn the_top_front_page_fronts_the_catalog_by_precedence() {
        // `_index.md` wins over `README.md` whatever the order; a nested
        // index fronts only its folder.
        let (catalog, f) = folders(&[
            ("README.md", "# Readme\n"),
            ("_index.md", "---\ntitle: Welcome\n---\n"),
            ("index.md", "# Index\n"),
            ("a.md", "# A\n"),
            ("pay/index.md", "# Pay\n"),
        ]);
        let home = catalog.by_path["_index.md"];
        assert_eq!(crate::urls::home_doc(&catalog), Some(home));
        assert_eq!(f.list[0].front, Some(home));
        assert_eq!(f.list[0].title, "", "the root keeps its own name");
        let routes = crate::urls::routes(&catalog);
        assert_eq!(routes[home], "");
        assert_eq!(routes[catalog.by_path["README.md"]], "README/");
        assert_eq!(routes[catalog.by_path["index.md"]], "index/");
        assert_eq!(routes[catalog.by_path["pay/index.md"]], "pay/");
        // The home document leads the top folder's reading order and is
        // not listed in it a second time.
        assert!(!f.list[0].docs.contains(&home));
        assert_eq!(f.place(catalog.by_path["a.md"]).prev, Some(home));
        // Without `_index.md`, `index.md` comes before `README.md`.
        let (catalog, f) = folders(&[("README.md", "# R\n"), ("index.md", "# I\n")]);
        assert_eq!(f.list[0].front, Some(catalog.by_path["index.md"]));
        // Without any, nothing fronts the catalog.
        let (_, f) = folders(&[("a.md", "# A\n"), ("b/readme.md", "# B\n")]);
        assert_eq!(f.list[0].front, None);
    }

    #[test]
    fn names_are_humanised() {
        assert_eq!(humanise("order-events"), "Order events");
        assert_eq!(humanise("crm"), "CRM");
        assert_eq!(humanise("api_gateway"), "API gateway");
        assert_eq!(humanise("payments"), "Payments");
        assert_eq!(humanise("b2b"), "B2B");
        assert_eq!(humanise("---"), "---");
    }
}
