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
