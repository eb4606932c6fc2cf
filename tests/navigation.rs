//! Finding one's way: folder pages, breadcrumbs, previous/next and the
//! sidebar (one `sidebar.json`, not a copy per page), built and then used
//! in real headless Chromium.

mod common;

use std::path::Path;

use common::*;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn folders_get_pages_breadcrumbs_and_a_reading_order() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&repo_root(), &out);

    // A folder with a front page (`payments/_index.md`): its body on top,
    // then the folder's documents.
    let payments = read(&out.join("payments/index.html"));
    let body = payments.find("PCI scope stays").expect("front page body");
    let listing = payments.find("class=\"folder-listing\"").expect("listing");
    assert!(body < listing);
    for doc in [
        "Adyen POS Terminals Integration",
        "Stripe Card Payments Integration",
    ] {
        assert!(payments[listing..].contains(doc), "{doc}");
    }
    // A folder without one: a generated page listing it.
    let crm = read(&out.join("crm/index.html"));
    assert!(crm.contains("<h1>CRM</h1>"), "humanised folder name");
    assert!(crm.contains("HubSpot Marketing Contacts"));
    assert!(crm.contains(r#"<li aria-current="page">CRM</li>"#));

    // Breadcrumbs and the pager on a document page.
    let stripe = read(&out.join("payments/stripe-payments/index.html"));
    assert!(stripe.contains(
        r#"<ol><li><a href="/integrations/">Catalog</a></li><li><a href="/integrations/payments/">Payments</a></li><li aria-current="page">Stripe Card Payments Integration</li></ol>"#
    ), "breadcrumbs");
    assert!(stripe.contains(r#"rel="prev" href="/integrations/payments/adyen-pos-terminals/""#));
    assert!(!stripe.contains(r#"rel="next""#), "last in its folder");
    let adyen = read(&out.join("payments/adyen-pos-terminals/index.html"));
    assert!(
        adyen.contains(r#"rel="prev" href="/integrations/payments/""#),
        "front page first"
    );

    // The sidebar is one file; a page carries only its no-script link.
    let sidebar: serde_json::Value =
        serde_json::from_str(&read(&out.join("sidebar.json"))).unwrap();
    let folders = sidebar["folders"].as_array().unwrap();
    let titles: Vec<&str> = folders.iter().map(|f| f["t"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&"Payments") && titles.contains(&"CRM"),
        "{titles:?}"
    );
    let total: usize = folders
        .iter()
        .map(|f| f["d"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        total + 1,
        14,
        "every document once, the front page as its folder"
    );
    assert!(
        !stripe.contains("HubSpot Marketing Contacts"),
        "no tree in the page"
    );

    // Folder pages are in the sitemap, and a file in the way is not published.
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("/integrations/crm/</loc>"));
}

#[test]
fn a_content_file_never_takes_a_folder_page() {
    let site = site(&[
        ("content/crm/a.md", b"# A\n\n[page](index.html)\n"),
        ("content/crm/index.html", b"<p>not ours</p>"),
        ("site.toml", b"[security]\nhtml_attachments = true\n"),
    ]);
    let out = site.path().join("out");
    let o = bin()
        .args(["build", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out)
        .env("PORTOLAN_DIAGRAMS", "off")
        .output()
        .unwrap();
    assert!(stderr(&o).contains("route-conflict"), "{}", stderr(&o));
    // The folder page is generated (if the build goes ahead) or nothing is.
    if let Ok(page) = std::fs::read_to_string(out.join("crm/index.html")) {
        assert!(!page.contains("not ours"), "{page}");
    }
}

/// The content root's `_index.md` (as in Hugo and Zola) introduces the
/// home page, at `/`, not at a page of its own; a second front page there
/// keeps its own page, and check says so.
#[test]
fn the_top_front_page_introduces_the_home_page() {
    let site = site(&[
        (
            "content/_index.md",
            b"---\ntitle: Welcome\n---\n\nThe quokka desk: see [Alpha](pay/a.md).\n\n<script>alert(1)</script>\n",
        ),
        ("content/README.md", b"# Read me\n\nFor writers.\n"),
        ("content/pay/a.md", b"---\ntitle: Alpha\n---\n\n[Home](../_index.md)\n"),
        ("site.toml", b"base_url = \"https://x.example/docs/\"\n[diagrams]\nenabled = false\n"),
    ]);
    let o = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let found: Vec<(&str, &str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("content/README.md", "route-conflict", "warning")],
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("already introduces the home page"));

    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_default();
    let home = read("index.html");
    assert!(home.contains("The quokka desk"), "{home}");
    assert!(
        home.contains(r#"<a href="/docs/pay/a/">Alpha</a>"#),
        "{home}"
    );
    assert!(
        !home.contains("<script>alert"),
        "the intro is sanitized as any document"
    );
    assert!(
        home.contains(r#"id="doc-table""#),
        "the catalog stays below it"
    );
    assert!(!out.join("_index").exists());
    assert!(read("index.html.md").contains("The quokka desk"));
    assert!(read("README/index.html").contains("For writers."));
    assert!(read("pay/a/index.html").contains(r#"<a href="/docs/">Home</a>"#));
    // One sitemap entry for `/`, and the sidebar does not list the home
    // document under the catalog it is.
    assert_eq!(
        read("sitemap.xml")
            .matches("<loc>https://x.example/docs/</loc>")
            .count(),
        1
    );
    assert!(read("llms.txt").contains("(https://x.example/docs/index.html.md)"));
    assert!(!read("sidebar.json").contains("Welcome"));
}

#[test]
fn the_sidebar_and_phone_menus_work_in_chromium() {
    let Some(chromium) = browser_with("puppeteer") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&repo_root(), &out);
    let server = StaticServer::start(out, "/integrations/", 200, 120);
    let base = format!("http://127.0.0.1:{}/integrations/", server.port);
    let v = browser_script("navigation.mjs", &[&base, chromium.to_str().unwrap()]);

    let d = &v["desktop"];
    assert_eq!(d["current"], "Stripe Card Payments Integration", "{v:#}");
    assert_eq!(d["currentHref"], "/integrations/payments/stripe-payments/");
    assert_eq!(d["openGroups"], serde_json::json!(["Payments"]), "{v:#}");
    assert!(d["closedGroups"].as_array().unwrap().len() >= 5, "{v:#}");
    assert_eq!(d["linksInClosed"], 0, "closed groups are built when opened");
    assert_eq!(d["toggleShown"], false);
    assert_eq!(d["treeShown"], true);
    assert_eq!(d["prev"], "/integrations/payments/adyen-pos-terminals/");
    let opened: Vec<&str> = v["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(opened.contains(&"HubSpot Marketing Contacts"), "{opened:?}");

    assert_eq!(v["folder"]["title"], "CRM");
    assert_eq!(v["folder"]["listed"].as_array().unwrap().len(), 3, "{v:#}");
    assert_eq!(v["folder"]["current"], "Overview", "{v:#}");

    let before = &v["phoneBefore"];
    assert_eq!(before["menuShown"], true, "{v:#}");
    assert_eq!(before["treeShown"], false, "{v:#}");
    assert_eq!(before["tocShown"], false, "{v:#}");
    assert_eq!(before["overflow"], false, "{v:#}");
    assert!(before["bodyTop"].as_f64().unwrap() < 844.0, "{v:#}");
    let after = &v["phoneAfter"];
    assert_eq!(after["treeShown"], true, "{v:#}");
    assert_eq!(after["tocShown"], true, "{v:#}");
    assert_eq!(after["menuExpanded"], "true");

    // The search dialog.
    assert_eq!(v["dialogFocus"], "search-dialog-input", "{v:#}");
    let refund = v["refund"].as_array().unwrap();
    assert!(refund.len() >= 2, "{v:#}");
    assert_eq!(v["tabInside"], true, "focus stays in the dialog");
    assert_eq!(v["closed"], true);
    assert_eq!(v["focusedAfter"], v["focusedBefore"], "focus returns");
    let second = refund[1]["href"].as_str().unwrap();
    assert_eq!(v["selected"], second, "{v:#}");
    assert_eq!(v["navigatedTo"], second, "Enter opens the selected result");
    let by_id = v["byId"].as_array().unwrap();
    assert_eq!(by_id[0]["title"], "Twilio SMS Notifications", "{v:#}");
    // Excerpts are prose: no box drawing, no mermaid arrows.
    for r in v["webhook"].as_array().unwrap() {
        let excerpt = r["excerpt"].as_str().unwrap();
        assert!(
            !excerpt.contains("-->")
                && !excerpt
                    .chars()
                    .any(|c| ('\u{2500}'..='\u{259F}').contains(&c)),
            "{excerpt}"
        );
    }
}
