//! Search in real headless Chromium against built sites served on
//! 127.0.0.1: body words, facets, no match, and escaping.

mod common;

use std::path::Path;

use common::*;

fn built(root: &Path, out: &Path) {
    build_ok(root, out);
    assert!(out.join("pagefind/pagefind.js").is_file(), "index written");
}

/// The example catalog built into `out` without diagrams, its cache in
/// `cache`, with `env` set too.
fn built_example(out: &Path, cache: &Path, env: &[(&str, &str)]) {
    let o = bin()
        .args(["build", "--root"])
        .arg(repo_root())
        .arg("--out")
        .arg(out)
        .env("PORTOLAN_DIAGRAMS", "off")
        .env("PORTOLAN_CACHE_DIR", cache)
        .envs(env.iter().copied())
        .output()
        .expect("portolan runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Pagefind is given each page without what it would ignore anyway (the
/// sidebar, the contents, the metadata card, the footers: `search_lean`).
/// Its index of the example catalog, every shape and spec page, is the
/// same bytes as from the whole pages, in one bucket and in several.
#[test]
fn what_pagefind_is_spared_changes_nothing_it_writes() {
    let tmp = tempfile::tempdir().unwrap();
    for buckets in ["100000", "3"] {
        let index = |whole: &str| {
            let out = tmp.path().join(format!("site-{buckets}-{whole}"));
            let cache = tmp.path().join(format!("cache-{buckets}-{whole}"));
            let env = [
                ("PORTOLAN_TEST_SEARCH_WHOLE_PAGES", whole),
                ("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", buckets),
            ];
            built_example(&out, &cache, &env);
            search_index(&out)
        };
        let what = format!("with and without the cut, {buckets} pages a bucket");
        assert_same_files(&index("0"), &index("1"), &what);
    }
}

fn run_browser(out: &Path, mode: &str) -> serde_json::Value {
    run_browser_logged(out, mode).0
}

/// As `run_browser`, with the path of every request the server answered.
fn run_browser_logged(out: &Path, mode: &str) -> (serde_json::Value, Vec<String>) {
    run_browser_holding(out, mode, None)
}

/// As `run_browser_logged`, the server holding the requests `hold` names.
fn run_browser_holding(
    out: &Path,
    mode: &str,
    hold: Option<Hold>,
) -> (serde_json::Value, Vec<String>) {
    let chromium = chromium().expect("checked by the caller");
    let server = StaticServer::holding(
        out.to_path_buf(),
        "/integrations/",
        BROWSER_REQUESTS,
        120,
        hold,
    );
    let o = std::process::Command::new("node")
        .arg(repo_root().join("tests/browser/search.mjs"))
        .arg(format!("http://127.0.0.1:{}/integrations/", server.port))
        .arg(chromium)
        .arg(mode)
        .output()
        .expect("node runs");
    let text = stdout(&o);
    let v =
        serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text} {}", stderr(&o)));
    let requests = server.requests.lock().expect("request log").clone();
    (v, requests)
}

/// Requests the test server answers for one run of search.mjs: a bound
/// well above what a run makes (about 1,600 with eight buckets; 1,500
/// was once the bound, and the last requests were refused).
const BROWSER_REQUESTS: usize = 5_000;

/// 60 documents: every one tagged `shared`, the first 20 `hot` (and
/// saying "alpha"), and two each of t00 to t29: 32 values. Built; the
/// site (kept alive by the caller) and its output.
fn many_values_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let site = site(&[(
        "site.toml",
        b"title = \"Many\"\nbase_url = \"https://example.test/integrations\"\n",
    )]);
    for i in 0..60 {
        let (hot, alpha) = if i < 20 {
            (", hot", " alpha")
        } else {
            ("", "")
        };
        write(
            site.path(),
            &format!("content/doc-{i:02}.md"),
            format!(
                "---\ntitle: Document {i:02}\ntags: [shared{hot}, t{:02}]\n---\n\n# Document {i:02}\n\nSome text{alpha}.\n",
                i % 30
            )
            .as_bytes(),
        );
    }
    let out = site.path().join("out");
    built(site.path(), &out);
    (site, out)
}

/// A facet with many values (systems, on a large catalog) lists its 20
/// most frequent ones and every chosen one, by name; "All N values" lists
/// the rest, as the catalog home does.
#[test]
fn a_facet_with_many_values_lists_the_most_frequent_first() {
    if chromium().is_none() || mmdc().is_none() {
        assert!(!in_ci(), "CI has puppeteer and Chromium (.ci/run)");
        return; // puppeteer and Chromium come with .ci/run
    }
    let (_site, out) = many_values_site();
    let v = run_browser(&out, "many-values");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    // The most frequent, ties by name: shared (60), hot (20), then the
    // first 18 of the two-document tags; listed by name.
    let mut top = vec!["hot".to_owned(), "shared".to_owned()];
    top.extend((0..18).map(|n| format!("t{n:02}")));
    assert_eq!(v["top"]["values"], serde_json::json!(top), "{v:#}");
    assert_eq!(v["top"]["button"], "All 32 values", "{v:#}");
    // All of them, by name, and the keyboard goes to the facet's finder.
    let mut all = vec!["hot".to_owned(), "shared".to_owned()];
    all.extend((0..30).map(|n| format!("t{n:02}")));
    assert_eq!(v["all"]["values"], serde_json::json!(all), "{v:#}");
    assert_eq!(v["all"]["button"], serde_json::Value::Null, "{v:#}");
    assert_eq!(v["all"]["focused"], "finder", "{v:#}");
    assert_eq!(v["all"]["shown"], serde_json::json!(all), "{v:#}");
    // The finder leaves the values holding what is typed; ticking one
    // from the keyboard redraws the facets, and the keyboard, the typed
    // text and what it leaves stay.
    let t2: Vec<String> = (20..30).map(|n| format!("t{n}")).collect();
    assert_eq!(v["found"]["shown"], serde_json::json!(t2), "{v:#}");
    assert_eq!(v["found"]["find"], "t2", "{v:#}");
    assert_eq!(v["ticked"]["checked"], serde_json::json!(["t21"]), "{v:#}");
    assert_eq!(v["ticked"]["focused"], "t21", "{v:#}");
    assert_eq!(v["ticked"]["find"], "t2", "{v:#}");
    assert_eq!(v["ticked"]["shown"], serde_json::json!(t2), "{v:#}");
    // The same values, so the facet was not drawn again: its rows stayed
    // and their counts changed in place (two documents have t21, both
    // `shared`, neither t25).
    assert_eq!(v["ticked"]["kept"], true, "{v:#}");
    assert_eq!(v["ticked"]["counts"]["shared"], "2", "{v:#}");
    assert_eq!(v["ticked"]["counts"]["t25"], "0", "{v:#}");
    assert_eq!(v["found"]["counts"]["t25"], "2", "{v:#}");
    // Chosen by a link, t25 is listed and ticked with the 20 most
    // frequent, though no "alpha" document has it.
    let mut chosen = top.clone();
    chosen.push("t25".to_owned());
    assert_eq!(v["chosen"]["values"], serde_json::json!(chosen), "{v:#}");
    assert_eq!(v["chosen"]["checked"], serde_json::json!(["t25"]), "{v:#}");
}

/// On a wide screen the facets are open and need the filter index, but the
/// results do not wait for it: the server holds every filter file until
/// the page has shown its results, and the facets come when it is let go,
/// the results left as they were.
#[test]
fn wide_results_do_not_wait_for_the_filter_index() {
    if chromium().is_none() || mmdc().is_none() {
        assert!(!in_ci(), "CI has puppeteer and Chromium (.ci/run)");
        return; // puppeteer and Chromium come with .ci/run
    }
    let (_site, out) = many_values_site();
    let filter_files = std::fs::read_dir(out.join("pagefind/filter"))
        .expect("filter index written")
        .count();
    assert!(
        (1..6).contains(&filter_files),
        "{filter_files} filter files: held, six or more would stall the page"
    );
    let release = "/integrations/__release";
    let hold = Hold {
        suffix: ".pf_filter",
        release,
    };
    let (v, requests) = run_browser_holding(&out, "results-first", Some(hold));
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    // Shown while every filter file was held: the 20 "alpha" documents
    // (the first 10 of them), and the facets still loading.
    let before = &v["before"];
    assert_eq!(before["results"], 10, "{v:#}");
    assert!(
        before["status"]
            .as_str()
            .unwrap()
            .starts_with("20 documents"),
        "{v:#}"
    );
    assert_eq!(before["facets"], "Loading filters…", "{v:#}");
    let at = requests
        .iter()
        .position(|p| p == release)
        .expect("released");
    let held = requests[..at]
        .iter()
        .filter(|p| p.ends_with(".pf_filter"))
        .count();
    assert_eq!(
        held, filter_files,
        "asked for before the release: {requests:#?}"
    );
    // Then the facets, counted for the query, and the same results.
    let after = &v["after"];
    assert_eq!(after["counts"]["hot"], "20", "{v:#}");
    assert_eq!(after["counts"]["shared"], "20", "{v:#}");
    assert_eq!(after["counts"]["t00"], "1", "{v:#}");
    assert_eq!(after["results"], 10, "{v:#}");
    assert_eq!(
        after["kept"], true,
        "the results were not drawn again: {v:#}"
    );
}

/// The facets need Pagefind's filter index, which lists every page under
/// every facet value: on a large catalog more bytes than the query's own
/// chunks. On a narrow screen, where the facets are folded away, a query
/// fetches none of it; unfolding them fetches it and shows their counts.
/// Wide, they are open and come with the first query.
#[test]
fn folded_facets_fetch_their_index_only_when_unfolded() {
    if chromium().is_none() || mmdc().is_none() {
        assert!(!in_ci(), "CI has puppeteer and Chromium (.ci/run)");
        return; // puppeteer and Chromium come with .ci/run
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    built(&repo_root(), &out);
    let filter_files = std::fs::read_dir(out.join("pagefind/filter"))
        .expect("filter index written")
        .count();
    assert!(filter_files > 1, "the example has several facets");
    let (v, requests) = run_browser_logged(&out, "facets-on-demand");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    // The requests after marker `from` (or from the start), up to `to`.
    let at = |marker: &str| {
        requests
            .iter()
            .position(|p| p == marker)
            .expect("marker requested")
    };
    let step = |from: Option<&str>, to: Option<&str>| -> Vec<&String> {
        let start = from.map_or(0, |m| at(m) + 1);
        let end = to.map_or(requests.len(), at);
        requests[start..end].iter().collect()
    };
    let (unfold, wide) = ("/integrations/__unfold", "/integrations/__wide");
    let folded = step(None, Some(unfold));
    let unfolded = step(Some(unfold), Some(wide));
    let wide = step(Some(wide), None);
    let count = |part: &[&String], ext: &str| part.iter().filter(|p| p.ends_with(ext)).count();

    // Folded: the query ran (its index chunk, its results' fragments) and
    // no filter file was fetched.
    assert!(v["folded"]["results"].as_u64().unwrap() > 0, "{v:#}");
    assert_eq!(v["folded"]["facets"], 0, "{v:#}");
    assert!(count(&folded, ".pf_index") > 0, "{folded:#?}");
    assert!(count(&folded, ".pf_fragment") > 0, "{folded:#?}");
    assert_eq!(count(&folded, ".pf_filter"), 0, "{folded:#?}");
    // Unfolded: every filter file, once, and facets with their counts.
    assert_eq!(
        count(&unfolded, ".pf_filter"),
        filter_files,
        "{unfolded:#?}"
    );
    let counts = |at: &serde_json::Value| -> Vec<u64> {
        at["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().parse().expect("a number"))
            .collect()
    };
    let shown = counts(&v["unfolded"]);
    assert!(shown.len() > 5 && shown.iter().any(|n| *n > 0), "{v:#}");
    assert_eq!(v["unfolded"]["results"], v["folded"]["results"], "{v:#}");
    // Wide: the same facets and counts with the first query.
    assert_eq!(count(&wide, ".pf_filter"), filter_files, "{wide:#?}");
    assert_eq!(counts(&v["wide"]), shown, "{v:#}");

    // Without its filter index (a partial upload, a bad cache), the page
    // still answers: results without facets, and no script error.
    for file in std::fs::read_dir(out.join("pagefind/filter")).unwrap() {
        std::fs::remove_file(file.unwrap().path()).unwrap();
    }
    let v = run_browser(&out, "no-filter-index");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    assert!(v["unfolded"]["results"].as_u64().unwrap() > 0, "{v:#}");
    assert_eq!(v["unfolded"]["facets"], 0, "{v:#}");
    assert!(
        v["unfolded"]["status"]
            .as_str()
            .unwrap()
            .contains("for “integration”"),
        "{v:#}"
    );
    assert_eq!(v["wide"]["results"], v["unfolded"]["results"], "{v:#}");
    assert_eq!(v["wide"]["facets"], 0, "{v:#}");
    // Pagefind answers `filters()` with none when their files fail: the
    // box says so, rather than standing empty.
    assert_eq!(
        v["wide"]["filters"], "The filters could not be loaded.",
        "{v:#}"
    );
}

#[test]
fn search_finds_body_words_narrows_by_facet_and_says_no_match() {
    if chromium().is_none() || mmdc().is_none() {
        return; // puppeteer and Chromium come with .ci/run
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    built(&repo_root(), &out);
    let v = run_browser(&out, "catalog");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");

    // A word in the body of one document finds that document first, deep
    // linked to the section that matched, with the word highlighted. (The
    // returns document follows: it connects the system "Logiport WMS".)
    let body = &v["bodyWord"];
    assert_eq!(
        body["titles"][0], "Integration: Warehouse WMS → Inventory Service",
        "{v:#}"
    );
    let href = body["hrefs"][0].as_str().unwrap();
    assert!(
        href.starts_with("/integrations/events/warehouse-inventory-webhooks/#"),
        "{href}"
    );
    assert!(body["marks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().contains("Logiport")));
    assert!(
        body["tags"].as_array().unwrap().is_empty(),
        "this document has no tags"
    );

    // The home document is indexed on the home page, its own.
    let home = &v["homeWord"];
    assert_eq!(
        home["titles"],
        serde_json::json!(["About this catalog"]),
        "{v:#}"
    );
    let href = home["hrefs"][0].as_str().unwrap();
    assert!(
        href == "/integrations/" || href.starts_with("/integrations/#"),
        "{href}"
    );

    let broad = v["broad"]["titles"].as_array().unwrap().len();
    let filtered = v["filtered"]["titles"].as_array().unwrap();
    assert!(broad > filtered.len() && !filtered.is_empty(), "{v:#}");
    assert!(
        filtered.iter().all(|t| {
            let t = t.as_str().unwrap();
            t.contains("Stripe") || t.contains("Adyen")
        }),
        "{v:#}"
    );
    assert!(v["broad"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "tag=payments"));
    assert!(
        v["clicked"]["after"].as_u64() < v["clicked"]["before"].as_u64(),
        "{v:#}"
    );
    assert!(v["clicked"]["url"]
        .as_str()
        .unwrap()
        .contains("f.tags=payments"));

    let none = &v["none"];
    assert!(none["titles"].as_array().unwrap().is_empty());
    assert!(
        none["status"]
            .as_str()
            .unwrap()
            .starts_with("No document matches"),
        "{v:#}"
    );
    assert_eq!(v["slashFocus"], "search-dialog-input");

    assert_eq!(
        v["sameSite"]["kept"], "/integrations/payments/stripe-payments/#refunds",
        "{v:#}"
    );
    let refused = v["sameSite"]["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 13, "{v:#}");
    assert!(refused.iter().all(|u| u == "#"), "{v:#}");

    // The agent name breaks only between its words (each part on one
    // line), and at 1280 px it does need two lines.
    for (where_, b) in v["breaks"].as_object().unwrap() {
        assert_eq!(
            b["text"], "POSIntegrationSpecialistAgent",
            "{where_}: {v:#}"
        );
        assert_eq!(b["wbr"], 3, "{where_}: {v:#}");
        let lines = b["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 4, "{where_}: {v:#}");
        assert!(lines.iter().all(|n| n == 1), "{where_}: {v:#}");
        // Two lines (about 46 px): otherwise there was no break to test.
        assert!(b["height"].as_u64().unwrap() > 30, "{where_}: {v:#}");
    }

    // On a phone the first result is on the first screen: the filters
    // are folded above it, and unfold from their summary.
    let phone = &v["phone"];
    let folded = &phone["folded"];
    assert_eq!(folded["open"], false, "{v:#}");
    assert_eq!(folded["summary"], "Filters", "{v:#}");
    assert_eq!(folded["summaryShown"], true, "{v:#}");
    assert_eq!(folded["facetShown"], false, "{v:#}");
    assert!(folded["firstResultTop"].as_i64().unwrap() < 844, "{v:#}");
    assert_eq!(phone["unfolded"]["open"], true, "{v:#}");
    assert_eq!(phone["unfolded"]["facetShown"], true, "{v:#}");
    // A link that chose a filter shows it.
    assert_eq!(phone["chosen"]["open"], true, "{v:#}");
    assert_eq!(phone["chosen"]["summary"], "Filters (1 chosen)", "{v:#}");
    // Wide, nothing is folded and there is no summary to click.
    assert_eq!(phone["wide"]["open"], true, "{v:#}");
    assert_eq!(phone["wide"]["summaryShown"], false, "{v:#}");
    assert_eq!(phone["wide"]["facetShown"], true, "{v:#}");

    // A spec's operation is its own deep-linked result on the spec's page
    // (the document's copy of the spec is not indexed twice).
    let op = &v["operation"];
    assert_eq!(
        op["titles"],
        serde_json::json!(["Stripe API (Harborline subset)"]),
        "{v:#}"
    );
    assert_eq!(
        op["hrefs"][0], "/integrations/specs/stripe.openapi/#op-postpaymentintentsintentcancel",
        "{v:#}"
    );
}

#[test]
fn html_in_frontmatter_is_escaped_in_results() {
    if chromium().is_none() || mmdc().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    built(&fixture("hostile"), &out);
    let v = run_browser(&out, "hostile");
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    let hostile = &v["hostile"];
    let titles: Vec<&str> = hostile["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"<script>alert(1)</script>"),
        "shown as text: {titles:?}"
    );
    assert_eq!(hostile["scripts"], 0, "no element was injected: {v:#}");
}

/// A large catalog is indexed in several Pagefind bundles merged in the
/// browser (`mergeIndex`): the same queries find the same documents, with
/// the same facets, as from one bundle.
/// What a query fetches beyond the wasm is the metadata and a chunk of the
/// word index per bucket: the command line cuts chunks at 5,000 word
/// locations (Pagefind's 20,000 made even a rare word's chunk 50 kB) and
/// writes no sort keys, which no search view uses and every query would
/// load. The example catalog's words fill one default chunk.
#[test]
fn queries_fetch_small_chunks_and_no_sort_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // The command line's own setting wins over the reader's.
    let env = [("PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE", "20000")];
    built_example(&out, &tmp.path().join("cache"), &env);
    let chunks = std::fs::read_dir(out.join("pagefind/index"))
        .unwrap()
        .count();
    assert!(chunks >= 3, "{chunks} word index chunk(s)");
    let page = std::fs::read_to_string(out.join("payments/stripe-payments/index.html")).unwrap();
    assert!(page.contains("data-pagefind-body") && !page.contains("data-pagefind-sort"));
}

#[test]
fn an_index_in_several_buckets_answers_like_one() {
    if chromium().is_none() || mmdc().is_none() {
        return; // puppeteer and Chromium come with .ci/run
    }
    let tmp = tempfile::tempdir().unwrap();
    let build = |name: &str, pages_per_bucket: &str| {
        let out = tmp.path().join(name);
        let env = [("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", pages_per_bucket)];
        built_example(&out, &tmp.path().join(format!("cache-{name}")), &env);
        out
    };
    let one = build("one", "100000");
    let many = build("many", "2");
    let listed = |out: &Path| -> Vec<String> {
        serde_json::from_slice(&std::fs::read(out.join("pagefind/buckets.json")).unwrap()).unwrap()
    };
    assert!(listed(&one).is_empty());
    let buckets = listed(&many);
    assert!(buckets.len() >= 3, "{buckets:?}");
    for dir in &buckets {
        let dir = many.join("pagefind").join(dir);
        assert!(
            dir.join("pagefind-entry.json").is_file(),
            "{}",
            dir.display()
        );
        // Merged bundles load the first one's script and wasm.
        assert!(!dir.join("pagefind.js").exists() && !dir.join("wasm.en.pagefind").exists());
    }
    let (a, b) = (run_browser(&one, "catalog"), run_browser(&many, "catalog"));
    assert_eq!(b["errors"], serde_json::json!([]), "{b:#}");
    let sorted = |v: &serde_json::Value| {
        let mut all: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_owned())
            .collect();
        all.sort();
        all
    };
    // What one bundle finds, the merged buckets find, no more: a bucket
    // without the word would match it by its longest word the query
    // starts with ("log" for "Logiport"), so only buckets that hold the
    // word are searched (`searchBuckets`). Each bucket ranks by its own
    // word statistics, so the order may differ; what is found may not.
    assert_eq!(
        a["bodyWord"]["status"], b["bodyWord"]["status"],
        "{:#} {b:#}",
        a["bodyWord"]
    );
    assert_eq!(a["bodyWord"]["status"], "2 documents for “Logiport”.");
    assert_eq!(
        sorted(&a["bodyWord"]["titles"]),
        sorted(&b["bodyWord"]["titles"])
    );
    assert_eq!(
        sorted(&a["bodyWord"]["hrefs"]),
        sorted(&b["bodyWord"]["hrefs"])
    );
    // Typed after "integration", "integration Logiport" finds what it
    // finds on a fresh page, and what one bundle finds.
    assert_eq!(
        a["fresh"]["status"],
        "2 documents for “integration Logiport”."
    );
    for (v, what) in [(&a, "one bundle"), (&b, "buckets")] {
        assert_eq!(v["typed"]["status"], a["fresh"]["status"], "{what}: {v:#}");
        assert_eq!(v["fresh"]["status"], a["fresh"]["status"], "{what}: {v:#}");
        assert_eq!(
            sorted(&v["typed"]["titles"]),
            sorted(&a["fresh"]["titles"]),
            "{what}"
        );
    }
    // A broad query matches more documents than the first page shows:
    // which ten come first depends on each bundle's word statistics, so
    // the two are compared by how many match; a narrow one by what.
    assert_eq!(a["broad"]["status"], b["broad"]["status"], "{b:#}");
    assert_eq!(
        sorted(&a["filtered"]["titles"]),
        sorted(&b["filtered"]["titles"]),
        "filtered"
    );
    // An operation of a spec, found alone and at its anchor in both.
    assert_eq!(a["operation"]["hrefs"], b["operation"]["hrefs"], "{b:#}");
    assert!(a["operation"]["hrefs"][0]
        .as_str()
        .is_some_and(|h| h.contains("#op-")));
    assert_eq!(sorted(&a["broad"]["facets"]), sorted(&b["broad"]["facets"]));
    assert!(!sorted(&b["broad"]["titles"]).is_empty());
    assert_eq!(b["none"]["titles"], serde_json::json!([]));
}
