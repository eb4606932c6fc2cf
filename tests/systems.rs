//! The integration landscape from outside: systems read from every shape,
//! unified by aliases, the diagnostics, `portolan systems` and `impact`,
//! the map and the system pages.

mod common;

use std::path::Path;

use serde_json::Value;

fn fixture_text(name: &str) -> Vec<u8> {
    std::fs::read(common::fixture("shapes").join(name)).expect("fixture")
}

fn systems_json(root: &Path) -> Value {
    let out = common::run_in(root, &["systems", "--format", "json"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    common::json(&out)
}

/// Each integration as "from → to" or "from ↔ to", by system name.
fn edges(v: &Value) -> Vec<String> {
    let name = |id: &Value| {
        v["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| &s["id"] == id)
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let mut out: Vec<String> = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let arrow = if e["direction"] == "both" {
                "↔"
            } else {
                "→"
            };
            format!("{} {arrow} {}", name(&e["from"]), name(&e["to"]))
        })
        .collect();
    out.sort();
    out
}

fn system<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no system {id}: {v:#}"))
}

const HOME: &[u8] = b"home_system = \"Shop platform\"\n";

#[test]
fn each_of_the_five_shapes_names_its_systems() {
    let cases: [(&str, &[&str]); 5] = [
        ("000-guide.md", &["Shop platform → Mailchimp"]),
        ("001-pair.md", &["Billing Service → Avalara"]),
        ("002-service.md", &["Shop platform → Shippo"]),
        (
            "003-points.md",
            &[
                "Loyalty service → Braze",
                "Loyalty service ↔ Antavo",
                "Loyalty service ↔ Order service",
            ],
        ),
        (
            "004-source-destination.md",
            &["Inventory Service → Google Merchant Center"],
        ),
    ];
    for (file, expected) in cases {
        let text = fixture_text(file);
        let site = common::site(&[("site.toml", HOME), (&format!("content/{file}"), &text)]);
        let v = systems_json(site.path());
        assert_eq!(edges(&v), *expected, "{file}");
    }
    // Protocol, criticality and kind hints of the integration-points shape.
    let text = fixture_text("003-points.md");
    let site = common::site(&[("content/loyalty.md", &text)]);
    let v = systems_json(site.path());
    let antavo = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == "antavo")
        .unwrap();
    assert_eq!(antavo["protocols"][0], "GraphQL");
    assert_eq!(antavo["critical_path"], true);
    assert_eq!(antavo["status"], "approved");
    assert_eq!(system(&v, "antavo")["kind"], "external");
    assert_eq!(system(&v, "order")["kind"], "internal");
}

#[test]
fn spellings_and_aliases_are_one_system() {
    let docs: &[(&str, &[u8])] = &[
        ("content/a.md", b"# Zendesk \xe2\x86\x94 Order Service\n"),
        (
            "content/b.md",
            b"# Integration: order-service \xe2\x86\x92 Kafka `order-events`\n",
        ),
        (
            "content/c.md",
            b"# Order service API \xe2\x86\x92 Billing\n",
        ),
        (
            "content/d.md",
            b"# Checkout \xe2\x86\x92 order-events topic\n",
        ),
    ];
    let site = common::site(docs);
    let v = systems_json(site.path());
    let order = system(&v, "order");
    assert_eq!(order["inbound"], 1);
    assert_eq!(order["outbound"], 3);
    // Without an alias the topic is two systems...
    assert!(v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "order-events-topic"));
    // ...and one with it, under its declared id and name.
    common::write(
        site.path(),
        "site.toml",
        b"[systems.kafka]\nname = \"Kafka\"\naliases = [\"Kafka order-events\", \"order-events topic\"]\nkind = \"internal\"\nowner = \"platform-team\"\n",
    );
    let v = systems_json(site.path());
    let kafka = system(&v, "kafka");
    assert_eq!(kafka["inbound"], 2);
    assert_eq!(kafka["owner"], "platform-team");
    assert_eq!(kafka["documents"].as_array().unwrap().len(), 2);
    assert!(!v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "order-events-topic"));
    let human = common::stdout(&common::run_in(site.path(), &["systems"]));
    assert!(human.starts_with("ID "), "{human}");
    assert!(
        human.contains("kafka") && human.contains("platform-team"),
        "{human}"
    );
}

fn diagnostics(root: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    let out = common::run_in(root, &args);
    let v = common::json(&out);
    (
        v["diagnostics"].as_array().unwrap().clone(),
        out.status.code().unwrap(),
    )
}

#[test]
fn unknown_ambiguous_and_unmapped_are_reported_where_written() {
    let toml = b"[systems.stripe]\nname = \"Stripe\"\n[systems.adyen]\nname = \"Adyen\"\n[systems.hub]\nname = \"Payments hub\"\naliases = [\"Payments\"]\n[systems.gateway]\nname = \"Payments gateway\"\naliases = [\"payments\"]\n";
    let site = common::site(&[
        ("site.toml", toml),
        ("content/a.md", b"# Stirpe \xe2\x86\x92 Adyen\n"),
        ("content/b.md", b"\n# Payments \xe2\x86\x92 Stripe\n"),
        ("content/c.md", b"# Getting started\n\nWelcome.\n"),
    ]);
    let (all, code) = diagnostics(site.path(), &[]);
    let unknown: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == "unknown-system")
        .collect();
    assert_eq!(unknown.len(), 1, "{all:#?}");
    assert_eq!(unknown[0]["file"], "content/a.md");
    assert_eq!(
        (unknown[0]["line"].as_u64(), unknown[0]["column"].as_u64()),
        (Some(1), Some(3))
    );
    assert!(unknown[0]["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `Stripe`"));
    let ambiguous: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == "ambiguous-system")
        .collect();
    assert_eq!(ambiguous.len(), 1, "{all:#?}");
    assert_eq!(ambiguous[0]["line"], 2);
    assert!(ambiguous[0]["message"]
        .as_str()
        .unwrap()
        .contains("`Payments gateway` or `Payments hub`"));
    assert_eq!(code, 0, "warnings alone do not fail check");
    // Off by default; info when asked, and info never fails --strict.
    assert!(!all.iter().any(|d| d["code"] == "unmapped-document"));
    let mut toml = toml.to_vec();
    toml.splice(
        0..0,
        b"[validation]\nunmapped_documents = \"info\"\n"
            .iter()
            .copied(),
    );
    common::write(site.path(), "site.toml", &toml);
    let (all, _) = diagnostics(site.path(), &[]);
    let unmapped: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == "unmapped-document")
        .collect();
    assert_eq!(unmapped.len(), 1);
    assert_eq!(
        (
            unmapped[0]["file"].as_str(),
            unmapped[0]["severity"].as_str()
        ),
        (Some("content/c.md"), Some("info"))
    );
    // Without declarations nothing is unknown.
    common::write(site.path(), "site.toml", b"");
    let (all, _) = diagnostics(site.path(), &[]);
    assert!(all.is_empty(), "{all:#?}");
    // Under --strict the warnings fail; an info alone would not.
    common::write(
        site.path(),
        "site.toml",
        b"[validation]\nunmapped_documents = \"info\"\n",
    );
    let (all, code) = diagnostics(site.path(), &["--strict"]);
    assert!(all.iter().all(|d| d["severity"] == "info"), "{all:#?}");
    assert_eq!(code, 0);
}

/// a → b → c → d, e ↔ b, f → a; the b → c edge is on the critical path.
fn impact_site() -> tempfile::TempDir {
    common::site(&[
        ("content/1.md", b"# A1 \xe2\x86\x92 B1\n"),
        ("content/2.md", b"# Integration: B1 \xe2\x86\x92 C1\n\n**Purpose:** x\n**Protocol:** gRPC\n**Critical Path:** Yes\n"),
        ("content/3.md", b"# C1 \xe2\x86\x92 D1\n"),
        ("content/4.md", b"# E1 \xe2\x86\x94 B1\n"),
        ("content/5.md", b"# F1 \xe2\x86\x92 A1\n"),
    ])
}

fn reach(v: &Value, key: &str) -> Vec<(String, u64)> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["system"].as_str().unwrap().to_owned(),
                r["depth"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn impact_walks_downstream_and_upstream() {
    let site = impact_site();
    let out = common::run_in(site.path(), &["impact", "B1", "--format", "json"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let v = common::json(&out);
    assert_eq!(v["system"]["id"], "b1");
    assert_eq!(v["integrations"].as_array().unwrap().len(), 3);
    let s = |x: &str, d: u64| (x.to_owned(), d);
    assert_eq!(
        reach(&v, "downstream"),
        vec![s("c1", 1), s("e1", 1), s("d1", 2)]
    );
    assert_eq!(
        reach(&v, "upstream"),
        vec![s("a1", 1), s("e1", 1), s("f1", 2)]
    );
    let c1 = &v["downstream"][0];
    assert_eq!(c1["critical_path"], true);
    assert_eq!(c1["path"][0]["documents"][0], "content/2.md");
    let d1 = &v["downstream"][2];
    assert_eq!(d1["path"].as_array().unwrap().len(), 2);
    assert_eq!(d1["critical_path"], false);
    // --depth 1 stops at the neighbours.
    let v = common::json(&common::run_in(
        site.path(),
        &["impact", "b1", "--depth", "1", "--format", "json"],
    ));
    assert_eq!(reach(&v, "downstream").len(), 2);
    assert_eq!(reach(&v, "upstream").len(), 2);
    // People get the same, as text, critical paths marked.
    let human = common::stdout(&common::run_in(site.path(), &["impact", "b1"]));
    assert!(
        human.contains("Downstream: what breaks if it goes down (3"),
        "{human}"
    );
    assert!(human.contains("C1  [critical path]"), "{human}");
    assert!(human.contains("content/2.md"), "{human}");
    // An unknown system: exit 2 and a did-you-mean.
    let out = common::run_in(site.path(), &["impact", "B2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("no system `B2`"),
        "{}",
        common::stderr(&out)
    );
    assert!(
        common::stderr(&out).contains("did you mean"),
        "{}",
        common::stderr(&out)
    );
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn system_pages_and_map_need_no_mermaid() {
    let toml = b"home_system = \"Shop\"\n[diagrams]\nmmdc = \"no/such/mmdc\"\n[agents.PaymentsAgent]\ndescription = \"x\"\n[systems.stripe]\nname = \"Stripe\"\nkind = \"external\"\nowner = \"payments-team\"\ndomain = \"payments\"\ndescription = \"Card payments.\"\nurl = \"https://docs.stripe.com/\"\n[systems.bad]\nname = \"Bad\"\nurl = \"javascript:alert(1)\"\n";
    let site = common::site(&[
        ("site.toml", toml),
        (
            "content/stripe.md",
            b"---\ntitle: Stripe Card Payments Integration\ntags: [stripe]\nai_agent_relevance: [PaymentsAgent]\n---\n\n# Stripe Card Payments Integration\n\n- **Integration Type**: REST API\n- **Direction**: Bidirectional\n",
        ),
        ("content/ledger.md", b"# Integration: Stripe \xe2\x86\x92 Ledger <b>x</b>\n\n**Purpose:** payouts\n**Protocol:** SFTP\n**Critical Path:** Yes\n"),
        ("content/notes.md", b"# Notes\n\nRefunds go back through Stripe and Bad.\n"),
    ]);
    let out = common::bin()
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let public = site.path().join("public");
    let map = read(&public.join("systems/index.html"));
    assert!(
        map.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\""),
        "{map}"
    );
    assert!(!map.contains("graph LR"), "no mermaid source");
    // Every node and edge of the map is a link.
    let svg = &map[map.find("<svg").unwrap()..map.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<a href=\"/systems/").count(), 3, "{svg}");
    assert_eq!(
        svg.matches("<a href=\"/stripe/\"").count(),
        1,
        "edge → its one document: {svg}"
    );
    assert!(svg.contains("map-edge critical"), "{svg}");
    assert!(!svg.contains("<b>"), "names are escaped");
    // The table lists every system with its counts.
    assert!(map.contains("data-filter-text=\"Stripe stripe"), "{map}");

    let stripe = read(&public.join("systems/stripe/index.html"));
    assert!(stripe.contains("<h1>Stripe</h1>"));
    assert!(stripe.contains("Card payments.") && stripe.contains("payments-team"));
    assert!(stripe.contains("href=\"https://docs.stripe.com/\""));
    assert!(
        stripe.contains("<h3 id=\"inbound\">Inbound <span class=\"count\">1</span>"),
        "{stripe}"
    );
    assert!(
        stripe.contains("<h3 id=\"outbound\">Outbound <span class=\"count\">2</span>"),
        "{stripe}"
    );
    assert!(
        stripe.contains(
            "<td data-label=\"Protocol\">SFTP</td><td data-label=\"Direction\">one way</td>"
        ),
        "{stripe}"
    );
    assert!(stripe.contains("<span class=\"badge critical\">yes</span>"));
    // Documents: the two describing it first, then the one mentioning it.
    let docs = &stripe[stripe.find("id=\"documents\"").unwrap()..];
    let (a, b, c) = (
        docs.find("/ledger/").unwrap(),
        docs.find("/stripe/").unwrap(),
        docs.find("/notes/").unwrap(),
    );
    assert!(a < c && b < c, "{docs}");
    assert!(
        docs.contains("<a href=\"/notes/\">Notes</a> <small>mentions it</small>"),
        "{docs}"
    );
    assert!(stripe.contains("<a class=\"agent\" href=\"/agents/PaymentsAgent/\">PaymentsAgent</a>"));
    // The neighbourhood map: the system, its neighbours, one hop.
    assert!(
        stripe.contains("class=\"map-node external focus\""),
        "{stripe}"
    );
    assert!(stripe.contains("aria-label=\"Stripe and the systems it talks to\""));
    // A declared URL with a script scheme is not a link.
    let bad = read(&public.join("systems/bad/index.html"));
    assert!(!bad.contains("javascript:"), "{bad}");
    // Document pages link to their systems; the catalog gains the facet.
    let doc = read(&public.join("ledger/index.html"));
    assert!(
        doc.contains("<a href=\"/systems/stripe/\">Stripe</a>"),
        "{doc}"
    );
    let home = read(&public.join("index.html"));
    assert!(home.contains("data-facet=\"systems\""), "{home}");
    // The title's markup shows nothing: the system is named by what a
    // reader sees of it.
    assert!(
        home.contains("data-f-systems=\"Ledger x|Stripe\""),
        "{home}"
    );
    assert!(!home.contains("<b>x"), "{home}");
    assert!(
        home.contains("<input type=\"checkbox\" name=\"systems\" value=\"Stripe\">"),
        "{home}"
    );
    // catalog.json and llms.txt carry the landscape.
    let catalog: Value = serde_json::from_str(&read(&public.join("catalog.json"))).unwrap();
    assert_eq!(catalog["systems"].as_array().unwrap().len(), 4);
    assert_eq!(catalog["integrations"].as_array().unwrap().len(), 2);
    let llms = read(&public.join("llms.txt"));
    assert!(llms.contains("\n## System: Stripe\n\nStripe (external, owner payments-team, domain payments), id `stripe`"), "{llms}");
}

/// The filter, the map's links and the phone view in headless Chromium.
#[test]
fn landscape_pages_work_in_chromium() {
    let Some(chromium) = common::chromium() else {
        return;
    };
    if common::mmdc().is_none() {
        return; // puppeteer comes with `npm ci`, as mermaid-cli does
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = common::bin()
        .args(["build", "--root"])
        .arg(common::repo_root())
        .arg("--out")
        .arg(&out)
        .env("PORTOLAN_DIAGRAMS", "off")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let server = common::StaticServer::start(out, "/integrations/", 200, 120);
    let o = std::process::Command::new("node")
        .arg(common::repo_root().join("tests/browser/systems.mjs"))
        .arg(format!("http://127.0.0.1:{}/integrations/", server.port))
        .arg(chromium)
        .output()
        .expect("node runs");
    let text = common::stdout(&o);
    let v: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text} {}", common::stderr(&o)));
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["rows"], 22);
    // Owner or domain "fulfilment": inventory, returns, portal, WMS, carrier.
    assert_eq!(v["fulfilment"], 5, "{v:#}");
    assert_eq!(
        v["paymentsExternal"],
        serde_json::json!(["Adyen", "Stripe"]),
        "{v:#}"
    );
    let links = v["mapLinks"].as_array().unwrap();
    assert_eq!(
        links.len(),
        22 + 24,
        "a link per system and per integration"
    );
    assert!(links
        .iter()
        .all(|l| l.as_str().unwrap().starts_with("/integrations/")));
    assert!(v["smallestText"].as_f64().unwrap() >= 12.0, "{v:#}");
    assert_eq!(v["clicked"]["h1"], "Stripe");
    let phone = &v["phone"];
    assert_eq!(phone["scrollable"], true, "{v:#}");
    assert!(phone["scrollLeft"].as_f64().unwrap() > 0.0, "{v:#}");
    assert_eq!(phone["focusInView"], true, "{v:#}");
    assert_eq!(
        phone["pageOverflow"], false,
        "the page itself never scrolls sideways"
    );
    let desktop = &v["desktopFit"];
    assert_eq!(desktop["isButton"], true, "{v:#}");
    assert_eq!(desktop["shown"], desktop["overflows"], "{v:#}");
    // On the phone: overflowing at first, fitted (pressed, the whole width
    // in the box), then back at actual size, scrolled to its system.
    let fit = v["fit"].as_array().unwrap();
    assert_eq!(fit.len(), 3);
    let state = |s: &Value| serde_json::json!([s["shown"], s["pressed"], s["overflows"]]);
    assert_eq!(
        state(&fit[0]),
        serde_json::json!([true, "false", true]),
        "{v:#}"
    );
    assert_eq!(
        state(&fit[1]),
        serde_json::json!([true, "true", false]),
        "{v:#}"
    );
    let (svg, frame) = (fit[1]["svgWidth"].as_f64(), fit[1]["boxWidth"].as_f64());
    assert!(
        svg.zip(frame).is_some_and(|(s, f)| (s - f).abs() <= 1.0),
        "{v:#}"
    );
    let back = serde_json::json!([
        fit[2]["pressed"],
        fit[2]["overflows"],
        fit[2]["focusInView"]
    ]);
    assert_eq!(back, serde_json::json!(["false", true, true]), "{v:#}");
}
