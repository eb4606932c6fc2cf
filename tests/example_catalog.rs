//! The example catalog in content/ is what newcomers see first; it must keep
//! covering every shape and feature the issue lists.

mod common;

use std::collections::BTreeSet;

use portolan::catalog::EdgeKind;
use portolan::content::Shape;
use portolan::{check, CheckOptions};

/// Without diagrams: these tests read the catalog, and rendering them
/// would keep a cache in the source tree (tests/diagrams.rs renders them).
fn options() -> CheckOptions {
    CheckOptions {
        skip_diagrams: true,
        ..CheckOptions::default()
    }
}

#[test]
fn covers_all_five_shapes_and_the_features_they_use() {
    let result = check(&common::repo_root(), options()).expect("check runs");
    let catalog = &result.catalog;
    assert!(catalog.docs.len() >= 12);

    let shapes: BTreeSet<Shape> = catalog.docs.iter().map(|d| d.shape).collect();
    for shape in [
        Shape::FullIntegration,
        Shape::SystemPair,
        Shape::ServiceSpec,
        Shape::IntegrationPoints,
        Shape::SourceDestination,
    ] {
        assert!(shapes.contains(&shape), "no document of shape {shape:?}");
    }

    let blocks = || catalog.docs.iter().flat_map(|d| d.code_blocks.iter());
    assert!(blocks().filter(|b| b.lang == "mermaid").count() >= 3);
    let languages: BTreeSet<&str> = blocks()
        .map(|b| b.lang.as_str())
        .filter(|l| !l.is_empty() && *l != "mermaid")
        .collect();
    assert!(languages.len() >= 5, "{languages:?}");
    assert!(
        blocks().any(|b| b.lang.is_empty()),
        "an ASCII diagram fence"
    );

    let kinds: BTreeSet<EdgeKind> = catalog.edges.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.len(),
        3,
        "related, related_files and body links: {kinds:?}"
    );
    // Every integration document (folder front pages are overviews).
    let is_front = |d: &&portolan::content::Doc| {
        d.content_path == "_index.md" || d.content_path.ends_with("/_index.md")
    };
    assert!(
        catalog.docs.iter().any(|d| is_front(&d)),
        "a folder front page"
    );
    assert!(catalog
        .docs
        .iter()
        .filter(|d| !is_front(d))
        .all(|d| !d.agent_notes.is_empty()));

    // The inverse relation: Stripe is referenced by documents it never names.
    let stripe = catalog.by_path["payments/stripe-payments.md"];
    let referrers: Vec<&str> = catalog
        .referenced_by(stripe)
        .into_iter()
        .map(|i| catalog.docs[i].content_path.as_str())
        .collect();
    assert!(
        referrers.contains(&"crm/zendesk-order-service.md"),
        "{referrers:?}"
    );

    // `# {name}` headings are filled from the frontmatter.
    let twilio = &catalog.docs[catalog.by_path["messaging/twilio-sms.md"]];
    assert_eq!(twilio.headings[0].text, "Twilio SMS Notifications");
    assert_eq!(twilio.kind(), "Integration");

    let agents = catalog.agents(&result.config);
    assert!(agents["POSIntegrationSpecialistAgent"].len() >= 2);
    assert!(catalog.tags().contains_key("payments"));
}

#[test]
fn every_document_is_on_one_connected_map() {
    let result = check(&common::repo_root(), options()).expect("check runs");
    let landscape = &result.landscape;
    for (i, doc) in result.catalog.docs.iter().enumerate() {
        if doc.content_path == "_index.md" || doc.content_path.ends_with("/_index.md") {
            continue; // the catalog's or a folder's overview, not an integration
        }
        assert!(
            !landscape.doc_systems[i].is_empty(),
            "{} is not on the map",
            doc.source_path
        );
    }
    // Declared systems with owners; nothing only the documents name.
    assert!(landscape
        .systems
        .iter()
        .all(|s| s.declared && s.owner.is_some()));
    assert!(!result
        .diagnostics
        .iter()
        .any(|d| d.code.ends_with("-system")));
    // One landscape: every system reachable from the hub.
    let hub = landscape.find("Harborline platform").expect("hub");
    assert!(landscape.systems[hub].home);
    let mut seen = vec![false; landscape.systems.len()];
    let mut stack = vec![hub];
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        for (_, e) in landscape.touching(s) {
            stack.push(if e.from == s { e.to } else { e.from });
        }
    }
    let cut_off: Vec<&str> = landscape
        .systems
        .iter()
        .zip(&seen)
        .filter(|(_, &seen)| !seen)
        .map(|(s, _)| s.name.as_str())
        .collect();
    assert!(cut_off.is_empty(), "not connected to the hub: {cut_off:?}");
    // Two documents name one system differently; an alias unifies them.
    let kafka = landscape.find("kafka").unwrap();
    assert!(landscape.systems[kafka].aliases.len() >= 2);
    let describing: BTreeSet<usize> = landscape
        .touching(kafka)
        .flat_map(|(_, e)| e.docs.clone())
        .collect();
    assert!(describing.len() >= 2, "{describing:?}");
    let wms = landscape.find("Warehouse WMS").unwrap();
    assert_eq!(landscape.systems[wms].name, "Logiport WMS");
}
