//! Full-text search for the `search` tool: a tantivy index in memory over
//! every document's title, identifiers, tags and body, ranked by BM25 with
//! the title and identifiers weighted up. Updated per changed document, so
//! an edit costs one document's indexing, not the catalog's.

use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::catalog::{tags_of, Catalog};
use crate::content::Doc;
use crate::RunError;

struct Fields {
    path: Field,
    key: Field,
    title: Field,
    ident: Field,
    tags: Field,
    body: Field,
}

pub struct Index {
    index: tantivy::Index,
    writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
}

/// One hit: the document's content path, its score and a plain-text excerpt.
pub struct Hit {
    pub path: String,
    pub score: f32,
    pub excerpt: String,
}

fn error(e: impl std::fmt::Display) -> RunError {
    RunError(format!("search index: {e}"))
}

/// What filters compare: a document's content path, hashed.
pub fn key_of(path: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// The body as a reader sees it, for matching and excerpts: table cells
/// and list items apart, markup and diagram sources left out (a mermaid
/// graph's node names would make every excerpt a wall of arrows).
fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    // The code block being read: kept unless it is a diagram, as a mermaid
    // fence or drawn with box-drawing characters (the seeds' ASCII maps).
    let mut code: Option<(bool, String)> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let mermaid = matches!(&kind, CodeBlockKind::Fenced(lang)
                    if lang.split_whitespace().next() == Some("mermaid"));
                code = Some((mermaid, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((false, text)) = code.take() {
                    if !crate::render::markdown::drawn_diagram(&text) {
                        out.push_str(&text);
                    }
                }
                out.push(' ');
            }
            Event::Text(text) => match &mut code {
                Some((_, buffer)) => buffer.push_str(&text),
                None => out.push_str(&text),
            },
            Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => out.push_str(" · "),
            _ => {}
        }
    }
    out
}

/// Longest excerpt returned, in characters.
const EXCERPT_CHARS: usize = 240;

impl Index {
    pub fn build(catalog: &Catalog) -> Result<Index, RunError> {
        let mut schema = Schema::builder();
        // English stemming for prose ("refunds" finds "refund"); identifiers
        // and tags are matched as written, lowercased.
        let prose = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("default")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            path: schema.add_text_field("path", STRING | STORED),
            key: schema.add_u64_field("key", FAST),
            title: schema.add_text_field("title", prose.clone() | STORED),
            ident: schema.add_text_field("ident", words.clone()),
            tags: schema.add_text_field("tags", words),
            body: schema.add_text_field("body", prose | STORED),
        };
        let index = tantivy::Index::create_in_ram(schema.build());
        // One indexing thread: the rest of the machine answers the agent.
        let writer = index
            .writer_with_num_threads(1, 64_000_000)
            .map_err(error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(error)?;
        let mut this = Index {
            index,
            writer,
            reader,
            fields,
        };
        for doc in &catalog.docs {
            this.writer
                .add_document(this.document(doc))
                .map_err(error)?;
        }
        this.commit()?;
        Ok(this)
    }

    fn commit(&mut self) -> Result<(), RunError> {
        self.writer.commit().map_err(error)?;
        self.reader.reload().map_err(error)
    }

    fn document(&self, doc: &Doc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.path, &doc.content_path);
        d.add_u64(f.key, key_of(&doc.content_path));
        d.add_text(f.title, doc.title.as_deref().unwrap_or(&doc.content_path));
        for key in ["id", "name", "service"] {
            if let Some(value) = doc.text_field(key) {
                d.add_text(f.ident, value);
            }
        }
        for tag in tags_of(doc) {
            d.add_text(f.tags, tag);
        }
        d.add_text(f.body, plain_text(doc.body()));
        d
    }

    /// Re-indexes the documents at `changed` (content paths): removed ones
    /// leave the index, the others are indexed as they are now.
    pub fn update(
        &mut self,
        catalog: &Catalog,
        changed: &BTreeSet<String>,
    ) -> Result<(), RunError> {
        for path in changed {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, path));
            if let Some(&i) = catalog.by_path.get(path) {
                let doc = self.document(&catalog.docs[i]);
                self.writer.add_document(doc).map_err(error)?;
            }
        }
        self.commit()
    }

    /// The best `limit` documents for `query` among those whose key is in
    /// `allowed` (None: all), and how many matched in all.
    pub fn search(
        &self,
        query: &str,
        allowed: Option<HashSet<u64>>,
        limit: usize,
    ) -> Result<(Vec<Hit>, usize), RunError> {
        let f = &self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.ident, f.tags, f.body]);
        // An identifier or a tag typed exactly is what the agent means.
        parser.set_field_boost(f.ident, 6.0);
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.tags, 2.0);
        // Agents write queries, not query syntax: a stray quote or colon
        // must not fail the call.
        let (query, _) = parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let allowed = Arc::new(allowed);
        let keep = move |key: u64| allowed.as_ref().as_ref().is_none_or(|a| a.contains(&key));
        let (top, total) = searcher
            .search(
                &query,
                &(
                    FilterCollector::new(
                        "key".to_owned(),
                        keep.clone(),
                        TopDocs::with_limit(limit.max(1)).order_by_score(),
                    ),
                    FilterCollector::new("key".to_owned(), keep, Count),
                ),
            )
            .map_err(error)?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, f.body).map_err(error)?;
        snippets.set_max_num_chars(EXCERPT_CHARS);
        let mut hits = Vec::new();
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address).map_err(error)?;
            let Some(path) = stored.get_first(f.path).and_then(|v| v.as_str()) else {
                continue;
            };
            let snippet = snippets.snippet_from_doc(&stored);
            let mut excerpt = snippet
                .fragment()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if excerpt.is_empty() {
                let body = stored
                    .get_first(f.body)
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                excerpt = body
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(EXCERPT_CHARS)
                    .collect();
            }
            hits.push(Hit {
                path: path.to_owned(),
                score,
                excerpt,
            });
        }
        Ok((hits, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(docs: &[(&str, &str)]) -> Catalog {
        Catalog::from_texts(docs)
    }

    #[test]
    fn excerpts_read_as_text() {
        let text = plain_text(
            "# T\n\n| Field | Type |\n|---|---|\n| amount | int |\n\n```mermaid\ngraph TD\nA-->B\n```\n\n- one\n- two `code`\n",
        );
        assert!(
            !text.contains('|') && !text.contains("-->") && !text.contains('#'),
            "{text}"
        );
        assert!(text.contains("amount · int"), "{text}");
        assert!(text.contains("two code"), "{text}");
    }

    #[test]
    fn ids_rank_first_filters_apply_and_updates_replace() {
        let mut c = catalog(&[
            (
                "a.md",
                "---\ntitle: Refunds\nid: INT-007\n---\n\nRefund flow for INT-008 partners.\n",
            ),
            (
                "b.md",
                "---\ntitle: Other\nid: INT-008\n---\n\nNothing about money.\n",
            ),
            (
                "c.md",
                "---\ntitle: Payouts\n---\n\nRefunds and refunding, refunded.\n",
            ),
        ]);
        let mut index = Index::build(&c).unwrap();
        let (hits, total) = index.search("INT-008", None, 10).unwrap();
        assert_eq!(
            hits[0].path, "b.md",
            "the id's owner first, not the mention"
        );
        assert_eq!(total, 2);
        let (hits, _) = index.search("refund", None, 10).unwrap();
        assert_eq!(hits.len(), 2, "stemmed: refunds, refunding, refunded");
        let only_c: HashSet<u64> = [key_of("c.md")].into();
        let (hits, total) = index.search("refund", Some(only_c), 10).unwrap();
        assert_eq!((hits.len(), total, hits[0].path.as_str()), (1, 1, "c.md"));
        // A query that is not query syntax still answers.
        assert!(index.search("\"unbalanced: (", None, 10).is_ok());

        c = catalog(&[
            (
                "a.md",
                "---\ntitle: Refunds\nid: INT-007\n---\n\nNow about zebras.\n",
            ),
            (
                "b.md",
                "---\ntitle: Other\nid: INT-008\n---\n\nNothing about money.\n",
            ),
        ]);
        let changed: BTreeSet<String> = ["a.md".to_owned(), "c.md".to_owned()].into();
        index.update(&c, &changed).unwrap();
        assert_eq!(
            index.search("refunding", None, 10).unwrap().1,
            1,
            "c.md is gone, a.md's title stays"
        );
        let (hits, _) = index.search("zebras", None, 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].excerpt.contains("zebras"), "{}", hits[0].excerpt);
    }
}
