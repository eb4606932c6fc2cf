//! What pages other than a document's own show of it. `serve` compares a
//! document's footprint before and after an edit to find the pages to
//! render again. (A CI build compares each page's own view instead,
//! `site::frame`: it has no edit to start from, only the last build.)

use crate::catalog::{Catalog, EdgeKind};
use crate::content::Doc;
use crate::render::feeds::field_json;
use crate::render::pages::DocSummary;

/// Everything other pages can show of one document. An edit that leaves it
/// alone changes the document's own page and nothing else.
#[derive(PartialEq, Debug)]
pub(crate) struct Footprint {
    pub summary: Option<DocSummary>,
    pub fields: Vec<(String, serde_json::Value)>,
    pub notes: Vec<(String, String)>,
    pub outgoing: Vec<(String, EdgeKind)>,
    pub incoming: Vec<(String, EdgeKind)>,
}

impl Footprint {
    pub fn of(catalog: &Catalog, summaries: &[DocSummary], i: usize) -> Footprint {
        let doc = &catalog.docs[i];
        let path = |j: usize| catalog.docs[j].content_path.clone();
        Footprint {
            summary: summaries.get(i).cloned(),
            fields: doc
                .fields
                .iter()
                .map(|f| (f.key.clone(), field_json(&f.value)))
                .collect(),
            notes: doc
                .agent_notes
                .iter()
                .map(|n| (n.agent.clone(), n.text.clone()))
                .collect(),
            outgoing: catalog.outgoing[i]
                .iter()
                .map(|&e| (path(catalog.edges[e].to), catalog.edges[e].kind))
                .collect(),
            incoming: catalog.incoming[i]
                .iter()
                .map(|&e| (path(catalog.edges[e].from), catalog.edges[e].kind))
                .collect(),
        }
    }
}

/// What navigation shows of a document besides its summary (title, URL,
/// description): the title it is ordered and named by, and its order.
pub(crate) fn nav_input(doc: &Doc) -> (String, (bool, Option<i64>, String)) {
    (
        doc.title_or_path().to_owned(),
        crate::catalog::folders::order_key(doc),
    )
}
