//! Accessibility, measured by axe-core in real headless Chromium: every kind
//! of page of the example catalog, in light and in dark mode, has zero
//! violations; and the reader's theme choice is applied before first paint.

mod common;

use common::*;

/// One page of each kind: the home, a document of each of the five shapes,
/// a folder front page and a generated folder page, a tag, an agent, the
/// systems map and one system, the search page with results, the 404 page.
const PAGES: &[&str] = &[
    "",
    "payments/stripe-payments/",
    "crm/salesforce-storefront/",
    "messaging/twilio-sms/",
    "features/checkout-integration-points/",
    "batch/netsuite-settlement-export/",
    "payments/",
    "crm/",
    "tags/",
    "tags/payments/",
    "agents/",
    "agents/CustomerSupportAgent/",
    "systems/",
    "systems/stripe/",
    "search/?q=refund",
    "404.html",
];

#[test]
fn axe_finds_nothing_in_light_or_dark_and_the_theme_choice_sticks() {
    let Some(chromium) = browser_with("@axe-core/puppeteer") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&repo_root(), &out);
    let server = StaticServer::start(out, "/integrations/", 3000, 600);
    let base = format!("http://127.0.0.1:{}/integrations/", server.port);
    let mut args = vec![base.as_str(), chromium.to_str().unwrap()];
    args.extend(PAGES);
    let v = browser_script("axe.mjs", &args);

    let pages = v["pages"].as_array().unwrap();
    // Every page in both schemes, plus the open search dialog in both.
    assert_eq!(pages.len(), 2 * (PAGES.len() + 1), "{v:#}");
    let mut failures = Vec::new();
    for p in pages {
        assert!(p["passes"].as_u64().unwrap() > 5, "axe ran: {p:#}");
        if !p["violations"].as_array().unwrap().is_empty() {
            failures.push(p.clone());
        }
    }
    assert!(failures.is_empty(), "{:#}", serde_json::json!(failures));
    // Dark mode is dark: the page background, per scheme.
    for p in pages.iter().filter(|p| p["background"].is_string()) {
        let expected = if p["scheme"] == "dark" {
            "rgb(15, 20, 27)"
        } else {
            "rgb(255, 255, 255)"
        };
        assert_eq!(p["background"], expected, "{p:#}");
    }
    let status: Vec<u64> = pages
        .iter()
        .map(|p| p["status"].as_u64().unwrap())
        .collect();
    assert!(status.iter().all(|s| *s == 200), "{status:?}");

    let t = &v["theme"];
    assert_eq!(t["shown"], true, "{t:#}");
    assert_eq!(t["autoLight"], "rgb(255, 255, 255)", "{t:#}");
    assert_eq!(t["chosenDark"], "rgb(15, 20, 27)", "{t:#}");
    assert_eq!(
        t["reloadedWithoutScript"], "rgb(15, 20, 27)",
        "the head script alone applies the stored choice: {t:#}"
    );
    assert_eq!(t["attribute"], "dark");
    assert_eq!(t["selectShows"], "dark");
    assert_eq!(t["autoFollowsSystem"], "rgb(15, 20, 27)", "{t:#}");
    assert_eq!(
        t["stored"],
        serde_json::Value::Null,
        "auto forgets the choice"
    );
}

/// A row wide enough to overflow any column: long identifiers do not wrap.
const WIDE_TABLE: &str = "| Source field | Source type | Target field | Target type | Transformation | Notes |\n\
|---|---|---|---|---|---|\n\
| `order.total_amount_in_minor_units` | integer | `payment_intent.amount_received` | integer | `multiply_by_one_hundred` | `idempotency_key_required_here` |\n\
| `customer.billing_address_postal_code` | string | `billing_details.address.postal_code` | string | `uppercase_and_trim` | `validated_against_country_rules` |\n";
const NARROW_TABLE: &str = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n";

#[test]
fn a_wide_table_scrolls_in_its_box_with_a_shadow_only_where_more_of_it_is() {
    let Some(chromium) = browser_with("puppeteer") else {
        return;
    };
    let quoted = |table: &str| {
        let lines: Vec<String> = table.lines().map(|l| format!("> {l}")).collect();
        format!("> [!NOTE]\n> A table in a note:\n>\n{}\n", lines.join("\n"))
    };
    let doc = format!(
        "# Tables\n\nA wide table:\n\n{WIDE_TABLE}\nA narrow one:\n\n{NARROW_TABLE}\n{}\n{}",
        quoted(WIDE_TABLE),
        quoted(NARROW_TABLE)
    );
    let site = site(&[("content/tables.md", doc.as_bytes())]);
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let server = StaticServer::start(out, "/", 200, 180);
    let page = format!("http://127.0.0.1:{}/tables/", server.port);
    let v = browser_script("wide-tables.mjs", &[&page, chromium.to_str().unwrap()]);

    let views = v["views"].as_array().unwrap();
    assert_eq!(views.len(), 4, "{v:#}");
    // A shadow is at least this much darker than the box (0-255), an edge
    // without one at most `FLAT`: the narrow tables' edges, which no
    // shadow ever reaches, measure the noise.
    const SHADOW: f64 = 4.0;
    const FLAT: f64 = 1.0;
    let shade = |t: &serde_json::Value, when: &str, edge: &str| t[when][edge].as_f64().unwrap();
    for view in views {
        assert_eq!(
            view["pageOverflow"], false,
            "the table scrolls, not the page: {view:#}"
        );
        let tables = view["tables"].as_array().unwrap();
        assert_eq!(tables.len(), 4, "{view:#}");
        for (i, t) in tables.iter().enumerate() {
            let wide = i % 2 == 0;
            assert_eq!(t["inCallout"], i >= 2, "{view:#}");
            assert_eq!(
                t["focusable"], true,
                "a scrolling box takes the keyboard: {view:#}"
            );
            assert_eq!(t["overflows"], wide, "table {i}: {view:#}");
            if wide {
                // More to the right at the start, more to the left at the end.
                assert!(shade(t, "start", "right") >= SHADOW, "table {i}: {view:#}");
                assert!(shade(t, "start", "left") <= FLAT, "table {i}: {view:#}");
                assert!(shade(t, "end", "left") >= SHADOW, "table {i}: {view:#}");
                assert!(shade(t, "end", "right") <= FLAT, "table {i}: {view:#}");
            } else {
                for when in ["start", "end"] {
                    for edge in ["left", "right"] {
                        assert!(shade(t, when, edge) <= FLAT, "table {i}: {view:#}");
                    }
                }
            }
        }
        // The covers are the colour the box sits on (a note's inside one),
        // or they would show as patches at its ends.
        for t in tables {
            assert_eq!(t["cover"], t["around"], "{view:#}");
        }
        assert_ne!(tables[0]["cover"], tables[2]["cover"], "{view:#}");
    }
}

/// Hugo tabs (`content::hugo_blocks`) become tabs in the browser: roles
/// and names as the ARIA tabs pattern has them, one panel shown, a choice
/// made in every group of that name and kept for the next page, arrow
/// keys, and a link into a hidden tab showing it.
#[test]
fn hugo_tabs_are_tabs_whose_choice_holds_across_groups_and_pages() {
    let Some(chromium) = browser_with("puppeteer") else {
        return;
    };
    let doc = "# Install the agent\n\n## Tab 1\n\nA heading whose id a tab's might take.\n\n\
{{< tabs Linux Windows >}}\n\n{{% codetab %}}\nRun `install.sh`.\n{{% /codetab %}}\n\n\
{{% codetab %}}\nRun `install.ps1`.\n{{% /codetab %}}\n\n{{< /tabs >}}\n\n\
## Start it\n\n\
{{< tabs \"Linux\" \"Windows\" \"macOS\" >}}\n\n{{% codetab %}}\n`systemctl start agent`\n{{% /codetab %}}\n\n\
{{% codetab %}}\n`Start-Service agent`\n{{% /codetab %}}\n\n\
{{% codetab %}}\n### Launch agent\n\n`launchctl load agent.plist`\n{{% /codetab %}}\n\n{{< /tabs >}}\n";
    let site = site(&[("content/install.md", doc.as_bytes())]);
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let server = StaticServer::start(out, "/", 200, 180);
    let page = format!("http://127.0.0.1:{}/install/", server.port);
    let v = browser_script("tabs.mjs", &[&page, chromium.to_str().unwrap()]);

    let selected = |state: &serde_json::Value| -> Vec<Vec<String>> {
        state
            .as_array()
            .unwrap()
            .iter()
            .map(|group| {
                let tabs = group["tabs"].as_array().unwrap();
                let shown = group["shown"].as_array().unwrap();
                assert_eq!(tabs.len(), shown.len(), "{group:#}");
                // The selected tab is the one focusable tab and its panel
                // the one shown.
                tabs.iter()
                    .zip(shown)
                    .filter(|(t, _)| t["selected"] == "true")
                    .map(|(t, s)| {
                        assert_eq!(s, true, "{group:#}");
                        assert_eq!(t["tabIndex"], 0, "{group:#}");
                        t["name"].as_str().unwrap().to_owned()
                    })
                    .collect()
            })
            .collect()
    };
    let loaded = &v["loaded"];
    assert_eq!(loaded.as_array().unwrap().len(), 2, "{v:#}");
    for group in loaded.as_array().unwrap() {
        assert_eq!(group["tabbed"], true, "{group:#}");
        assert_eq!(
            group["labelsShown"], false,
            "the tabs name the panels: {group:#}"
        );
        let names: Vec<&str> = (group["tabs"].as_array().unwrap().iter())
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let labelled: Vec<&str> = (group["labelledBy"].as_array().unwrap().iter())
            .map(|l| l.as_str().unwrap_or("none"))
            .collect();
        assert_eq!(names, labelled, "each panel is named by its tab: {group:#}");
        let shown = group["shown"].as_array().unwrap();
        assert_eq!(shown.iter().filter(|s| **s == true).count(), 1, "{group:#}");
    }
    assert_eq!(selected(loaded), [["Linux"], ["Linux"]]);
    // Windows chosen in the first group is chosen in the second too.
    assert_eq!(selected(&v["clicked"]), [["Windows"], ["Windows"]]);
    assert_eq!(v["stored"], "Windows");
    // Right from the last tab wraps to the first; End goes to the last.
    assert_eq!(v["right"]["focused"], "Linux", "{v:#}");
    assert_eq!(selected(&v["right"]["state"]), [["Linux"], ["Linux"]]);
    assert_eq!(v["end"], "Windows");
    assert_eq!(selected(&v["reloaded"]), [["Windows"], ["Windows"]]);
    // The heading in the macOS tab, hidden while Windows is chosen.
    assert_eq!(v["hiddenHeading"], "launch-agent", "{v:#}");
    assert_eq!(
        v["linked"],
        serde_json::json!({"visible": true, "panelHidden": false}),
        "{v:#}"
    );
    // A malformed fragment stops no script (the page's errors are empty,
    // `browser_script`), and no id is given twice.
    assert_eq!(v["badHash"], 2, "{v:#}");
    assert_eq!(v["duplicateIds"], serde_json::json!([]), "{v:#}");
}
