//! The catalog home stays light however large the catalog: the first rows
//! in the page, every row in catalog-rows.json, fetched on demand, with
//! filters, counts, sorting and "show more" over every document.

mod common;

use common::*;

const DOCS: usize = 250;
const TAGS: usize = 30;

/// 250 documents: every one tagged `common` and `t<i % 30>`, every third a
/// draft, dates spread over a year (the newest is document 249).
fn big_site() -> tempfile::TempDir {
    let site = site(&[("site.toml", b"title = \"Big\"\n")]);
    for i in 0..DOCS {
        let status = if i % 3 == 0 { "draft" } else { "approved" };
        let date = format!("2025-{:02}-{:02}", 1 + (i / 28) % 12, 1 + i % 28);
        let date = if i == DOCS - 1 {
            "2026-06-30".to_owned()
        } else {
            date
        };
        write(
            site.path(),
            &format!("content/f{}/doc-{i:03}.md", i % 4),
            format!(
                "---\ntitle: Document {i:03}\ntags: [common, t{}]\nstatus: {status}\nlast_updated: {date}\n---\n\n# Document {i:03}\n\nText.\n",
                i % TAGS
            )
            .as_bytes(),
        );
    }
    site
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_page_holds_the_first_rows_and_the_rest_are_columns() {
    let site = big_site();
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let home = read(&out.join("index.html"));
    assert_eq!(home.matches("<tr class=\"doc-row\"").count(), 100);
    assert!(
        home.contains(">250</span> of 250 documents"),
        "counts cover all"
    );
    assert!(home.contains("Document 099") && !home.contains("Document 100"));
    // Facet counts over every document; the 20 most frequent tag values
    // listed, the rest behind "All 31 values".
    assert!(home.contains(r#"data-count-for="common">250<"#), "{home}");
    assert!(home.contains(r#"data-count-for="draft">84<"#));
    let tags = &home[home.find(r#"data-facet="tags""#).unwrap()..];
    let tags = &tags[..tags.find("</fieldset>").unwrap()];
    assert_eq!(tags.matches("type=\"checkbox\"").count(), 20, "{tags}");
    assert!(tags.contains("All 31 values"));
    assert!(tags.contains(r#"value="t0""#) && !tags.contains(r#"value="t29""#));
    // A tag's 250 documents: three pages of at most 100, linked in order.
    let tag = read(&out.join("tags/common/index.html"));
    assert_eq!(tag.matches("<li><a href=\"/f").count(), 100);
    assert!(
        tag.contains(r#"<a rel="next" href="/tags/common/page/2/">"#),
        "{tag}"
    );
    let second = read(&out.join("tags/common/page/2/index.html"));
    assert!(
        second.contains("Documents 101–200 of 250 (page 2 of 3)"),
        "{second}"
    );
    assert!(second.contains(r#"<a rel="prev" href="/tags/common/">"#));
    let third = read(&out.join("tags/common/page/3/index.html"));
    assert_eq!(third.matches("<li><a href=\"/f").count(), 50);
    assert!(!third.contains("rel=\"next\""));
    assert!(!out.join("tags/common/page/4").exists());
    let small = read(&out.join("tags/t0/index.html"));
    assert!(!small.contains("term-pages"), "one page, no pager");
    // Without scripts, the folders list every document.
    assert!(home.contains(r#"<a href="/f0/">F0</a>"#), "{home}");

    let rows: serde_json::Value =
        serde_json::from_str(&read(&out.join("catalog-rows.json"))).unwrap();
    assert_eq!(rows["count"], DOCS);
    for column in ["title", "url", "status", "tags", "updated"] {
        assert_eq!(rows[column].as_array().unwrap().len(), DOCS, "{column}");
    }
    assert_eq!(rows["title"][0], "Document 000");
    assert_eq!(rows["url"][0], "f0/doc-000/", "relative to the base path");
    let tag_values = rows["values"]["tags"].as_array().unwrap();
    assert_eq!(tag_values.len(), TAGS + 1);
    let first_tags: Vec<&str> = rows["tags"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            tag_values[x.as_u64().unwrap() as usize][0]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(first_tags, ["common", "t0"]);
}

#[test]
fn filters_sorting_and_more_cover_every_document_in_chromium() {
    let Some(chromium) = browser_with("puppeteer") else {
        return;
    };
    let site = big_site();
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let server = StaticServer::start(out, "/", 100, 120);
    let base = format!("http://127.0.0.1:{}/", server.port);
    let v = browser_script("home.mjs", &[&base, chromium.to_str().unwrap()]);

    assert_eq!(v["initial"]["rows"], 100, "{v:#}");
    assert_eq!(v["initial"]["shown"], "250");
    assert_eq!(v["rowsFetchedAtLoad"], false, "nothing fetched until asked");
    // Drafts: every third of 250 documents, counted and listed over all.
    assert_eq!(v["draft"]["shown"], "84", "{v:#}");
    assert_eq!(v["draft"]["rows"], 84);
    assert_eq!(v["rowsFetched"], 1);
    assert_eq!(
        v["draft"]["more"],
        serde_json::Value::Null,
        "nothing more to show"
    );
    // Counts follow the filter: t0 (documents 0, 30, ... 240) are all
    // drafts, t1 (1, 31, ...) none.
    assert_eq!(v["t0WithDraft"], "9", "{v:#}");
    assert_eq!(v["t1WithDraft"], "0", "{v:#}");
    assert_eq!(v["t1Empty"], true);
    assert_eq!(v["cleared"]["rows"], 100, "{v:#}");
    assert_eq!(v["cleared"]["shown"], "250");
    assert_eq!(v["more"]["rows"], 200, "{v:#}");
    assert_eq!(v["more"]["first"], "Document 000");
    // Newest first over every document, not just the page's.
    assert_eq!(v["newest"]["first"], "Document 249", "{v:#}");
    assert_eq!(v["newestDate"], "2026-06-30");
    assert_eq!(v["newest"]["rows"], 100);
    assert!(
        v["newest"]["more"]
            .as_str()
            .unwrap()
            .contains("Show 100 more (100 of 250 shown)"),
        "{v:#}"
    );
    assert_eq!(v["allTags"]["tagValues"], 31);
    assert_eq!(v["finderFocused"], true, "{v:#}");
    let mut t2 = vec!["t2".to_owned()];
    t2.extend((20..30).map(|n| format!("t{n}")));
    assert_eq!(v["foundTags"], serde_json::json!(t2), "{v:#}");
    assert_eq!(v["rowsFetchedAfter"], 1, "fetched once");
    // A tag the page does not list, from a link.
    let rare = &v["rare"];
    assert_eq!(rare["shown"], "8", "{v:#}");
    assert_eq!(rare["checked"], serde_json::json!(["t29"]));
    assert_eq!(rare["rows"][0], "Document 029");
    assert!(
        rare["stale"].as_u64().unwrap() > 0,
        "stale badges built too"
    );
    assert_eq!(v["tagFirst"]["items"], 100, "{v:#}");
    assert_eq!(v["tagFirst"]["count"], "Documents 1–100 of 250");
    assert_eq!(v["tagAll"]["items"], 250, "{v:#}");
    assert_eq!(v["tagAll"]["last"], "Document 249");
    assert_eq!(v["tagAll"]["more"], false);
    assert_eq!(v["tagAll"]["count"], "Documents 1–250 of 250");
    let phone = &v["phoneLabels"];
    assert_eq!(phone["title"], "Document 239", "{v:#}");
    assert_eq!(
        phone["labels"],
        serde_json::json!([
            "none",
            "\"Type\"",
            "\"Status\"",
            "\"Tags & agents\"",
            "\"Updated\""
        ]),
        "{v:#}"
    );
}

#[test]
fn facet_values_are_grouped_by_a_vocabulary_the_site_can_extend() {
    let site = site(&[
        (
            "site.toml",
            b"[vocabulary.protocol]\n\"Message queue\" = [\"rabbitmq\", \"sqs\"]\n",
        ),
        (
            "content/a.md",
            b"---\ntitle: A\nprotocol: REST (CRM v3 batch upsert)\ndirection: both ways\nstatus: Under_Review\n---\n# A\n",
        ),
        (
            "content/b.md",
            b"---\ntitle: B\nprotocol: RabbitMQ (orders exchange)\ndirection: Bidirectional\nstatus: review\n---\n# B\n",
        ),
        (
            "content/c.md",
            b"---\ntitle: C\nprotocol: REST, Amazon SQS\ndirection: Outbound (redirects), inbound (event hooks)\n---\n# C\n",
        ),
    ]);
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let home = read(&out.join("index.html"));
    let count = |value: &str| {
        let at = home
            .find(&format!("data-count-for=\"{value}\">"))
            .unwrap_or_else(|| panic!("{value}: {home}"));
        let rest = &home[at..];
        rest[rest.find('>').unwrap() + 1..rest.find("</span>").unwrap()].to_owned()
    };
    assert_eq!(count("REST"), "2");
    assert_eq!(count("Message queue"), "2");
    assert_eq!(count("Bidirectional"), "3", "three spellings, one value");
    assert_eq!(count("review"), "2");
    assert!(!home.contains("value=\"REST (CRM v3 batch upsert)\""));
    // One label per shape; phone cards label their values.
    assert!(home.contains(r#"<td data-label="Type"><span class="shape">"#));

    // A misspelt field is an error, not a vocabulary that groups nothing.
    write(
        site.path(),
        "site.toml",
        b"[vocabulary.protocl]\nREST = [\"http\"]\n",
    );
    let o = run_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("did you mean `vocabulary.protocol`"),
        "{}",
        stderr(&o)
    );
}

/// A home document with sections gets a contents list beside it (folded
/// under the lead on a phone, by the document page's toggle) that leads to
/// its sections and to the documents table; the documents linking to it
/// are listed, as on any document page. One without sections gets none.
#[test]
fn the_home_document_has_contents_and_what_links_to_it() {
    let site = site(&[
        (
            "content/_index.md",
            b"# About\n\nThe catalog.\n\n## Finding your way\n\nSearch.\n\n### By folder\n\nFolders.\n\n## Adding a document\n\nSteps.\n",
        ),
        ("content/a.md", b"# Guide\n\nBack to [the catalog](_index.md).\n"),
        ("content/b.md", b"# Other\n\nText.\n"),
    ]);
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let home = read(&out.join("index.html"));
    assert!(
        home.contains(r#"<div class="home-top with-toc">"#),
        "{home}"
    );
    let toc = &home[home.find(r#"<nav class="toc""#).expect("a contents list")..];
    let toc = &toc[..toc.find("</nav>").unwrap()];
    let entries: Vec<&str> = toc.split("<li ").skip(1).collect();
    let expected = [
        ("toc-h2", "#finding-your-way", "Finding your way"),
        ("toc-h3", "#by-folder", "By folder"),
        ("toc-h2", "#adding-a-document", "Adding a document"),
        ("toc-h2", "#results-heading", "Documents"),
    ];
    assert_eq!(entries.len(), expected.len(), "{toc}");
    for (entry, (class, href, title)) in entries.iter().zip(expected) {
        assert!(
            entry.starts_with(&format!(r#"class="{class}"><a href="{href}">{title}</a>"#)),
            "{entry}"
        );
    }
    // Every entry's target is on the page; the toggle folds this list.
    for (_, href, _) in expected {
        assert!(home.contains(&format!(r#"id="{}""#, &href[1..])), "{href}");
    }
    assert!(toc.contains(r#"class="toc-toggle""#) && toc.contains(r#"aria-controls="toc-list""#));
    assert!(toc.contains(r#"<ol id="toc-list">"#));
    // Outside the indexed part, with no attribute of Pagefind's: one
    // there makes Pagefind read the whole page, table and all, and a new
    // document index the home page again (search_lean).
    let intro = home.find(r#"<section class="home-intro""#).unwrap();
    assert!(home.find(r#"<nav class="toc""#).unwrap() < intro);
    assert!(!home[..intro].contains("data-pagefind-"), "{home}");
    let referenced = &home[home
        .find(r#"id="referenced-heading""#)
        .expect("Referenced by")..];
    assert!(
        referenced.contains(r#"<a href="/a/">Guide</a>"#),
        "{referenced}"
    );
    assert!(!referenced[..referenced.find("</section>").unwrap()].contains("Other"));

    // Without sections: no list, and no room kept for one.
    write(
        site.path(),
        "content/_index.md",
        b"# About\n\nThe catalog.\n",
    );
    build_ok(site.path(), &out);
    let home = read(&out.join("index.html"));
    assert!(
        !home.contains(r#"<nav class="toc""#) && !home.contains("with-toc"),
        "{home}"
    );
    assert!(home.contains(r#"<div class="home-top">"#));
}
