use super::*;

fn catalog(docs: &[(&str, &str)]) -> Catalog {
    Catalog::from_texts(docs)
}

fn landscape(docs: &[(&str, &str)], toml: &str) -> (Catalog, Landscape) {
    let config = Config::parse(toml).unwrap();
    let catalog = catalog(docs);
    let l = Landscape::build(&catalog, &config);
    (catalog, l)
}

fn ids(l: &Landscape) -> Vec<&str> {
    l.systems.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn spellings_unify_into_one_system() {
    let (_, l) = landscape(
        &[
            ("a.md", "# Zendesk ↔ Order Service\n"),
            (
                "b.md",
                "# Integration: order-service → Kafka `order-events`\n",
            ),
            ("c.md", "# Order service API → Billing\n"),
        ],
        "",
    );
    assert_eq!(
        ids(&l),
        vec!["billing", "kafka-order-events", "order", "zendesk"]
    );
    let order = l.find("order").unwrap();
    assert_eq!(l.systems[order].name, "Order Service");
    assert_eq!(
        l.systems[order].also_called,
        vec!["order-service".to_owned(), "Order service API".to_owned()]
    );
    assert_eq!(l.systems[order].kind, SystemKind::Internal);
    assert_eq!(l.touching(order).count(), 3);
    assert_eq!(l.find("ORDER SERVICE"), Some(order));
}

#[test]
fn aliases_unify_and_declared_fields_win() {
    let toml = "home_system = \"Harborline\"\n[systems.kafka]\nname = \"Kafka\"\naliases = [\"Kafka order-events\", \"order-events topic\"]\nkind = \"internal\"\nowner = \"platform-team\"\ndomain = \"events\"\n";
    let (_, l) = landscape(
        &[
            ("events/a.md", "# Integration: Orders → Kafka `order-events`\n"),
            ("features/b.md", "# Integration Points - Checkout\n\n**SEV Level**: SEV-1\n\n## Integration Architecture\n```\n[Checkout service] ──▶ [order-events topic]\n```\n"),
        ],
        toml,
    );
    let kafka = l.find("kafka").unwrap();
    assert_eq!(l.systems[kafka].name, "Kafka");
    assert_eq!(l.systems[kafka].group, "events");
    assert_eq!(l.inbound(kafka).count(), 2);
    assert_eq!(l.mentions[kafka], vec![0, 1]);
    // Undeclared names are reported once declarations exist.
    let unknown: Vec<_> = l
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Unknown { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(unknown, vec!["Orders", "Checkout service"]);
}

#[test]
fn diagnostics_unknown_ambiguous_unmapped() {
    let toml = "[validation]\nunmapped_documents = \"info\"\n[systems.stripe]\nname = \"Stripe\"\n[systems.adyen]\nname = \"Adyen\"\n[systems.pay]\nname = \"Payments hub\"\naliases = [\"payments\"]\n[systems.pay2]\nname = \"Payments gateway\"\naliases = [\"Payments\"]\n";
    let (_, l) = landscape(
        &[
            ("a.md", "# Stirpe → Adyen\n"),
            ("b.md", "# Payments → Stripe\n"),
            (
                "c.md",
                "---\ntitle: Stripe and Adyen Card Integration\ncontributors: [A]\n---\n",
            ),
            ("d.md", "# Getting started\n\nWelcome.\n"),
        ],
        toml,
    );
    let kinds: Vec<(usize, &FindingKind)> = l.findings.iter().map(|f| (f.doc, &f.kind)).collect();
    assert!(kinds.contains(&(
        0,
        &FindingKind::Unknown {
            name: "Stirpe".into(),
            closest: Some("Stripe".into())
        }
    )));
    assert!(kinds.iter().any(|(d, k)| *d == 1
        && matches!(k, FindingKind::Ambiguous { first, second, .. } if first == "Payments hub" && second == "Payments gateway")));
    assert!(kinds.iter().any(|(d, k)| *d == 2
        && matches!(k, FindingKind::Ambiguous { first, second, .. } if first == "Adyen" && second == "Stripe")));
    assert!(kinds.contains(&(3, &FindingKind::Unmapped)));
    assert_eq!(
        l.findings
            .iter()
            .filter(|f| f.kind == FindingKind::Unmapped)
            .count(),
        1
    );
}

#[test]
fn no_unknown_system_without_declarations() {
    let (_, l) = landscape(&[("a.md", "# A → B\n")], "");
    assert!(l.findings.is_empty());
}

#[test]
fn several_documents_one_edge_and_directions_merge() {
    let (_, l) = landscape(
        &[
            ("a.md", "# Integration: Ledger → NetSuite\n\n**Purpose:** x\n**Protocol:** SFTP\n**Critical Path:** Yes\n"),
            ("b.md", "# Integration: NetSuite → Ledger\n\n**Purpose:** y\n**Protocol:** sftp\n"),
            ("c.md", "# Integration: Ledger → Bank\n"),
        ],
        "",
    );
    assert_eq!(l.integrations.len(), 2);
    let ledger = l.find("ledger").unwrap();
    let netsuite = l.find("netsuite").unwrap();
    let e = l
        .integrations
        .iter()
        .find(|e| [e.from, e.to].contains(&netsuite))
        .unwrap();
    assert!(e.both_ways && e.critical);
    assert_eq!(e.protocols, vec!["SFTP".to_owned()]);
    assert_eq!(e.docs, vec![0, 1]);
    assert_eq!(l.outbound(ledger).count(), 2);
    assert_eq!(l.doc_systems[2].len(), 2);
}

/// `between` finds by binary search exactly what a walk of every
/// integration finds, for every ordered pair (a hub, loops, none).
#[test]
fn between_is_every_integration_from_one_to_the_other() {
    let (_, l) = landscape(
        &[
            ("1.md", "# Hub1 → A1\n"),
            ("2.md", "# B1 → Hub1\n"),
            ("3.md", "# Hub1 ↔ C1\n"),
            ("4.md", "# A1 → B1\n"),
            (
                "5.md",
                "# Hub1 → A1 (again)\n\nsource: Hub1\ndestination: A1\n",
            ),
        ],
        "",
    );
    assert!(l.integrations.len() >= 4);
    for from in 0..l.systems.len() {
        assert_eq!(l.degree(from), l.touching(from).count());
        for to in 0..l.systems.len() {
            let walked: Vec<usize> = (0..l.integrations.len())
                .filter(|&i| l.integrations[i].from == from && l.integrations[i].to == to)
                .collect();
            assert_eq!(
                l.between(from, to).collect::<Vec<_>>(),
                walked,
                "{from}→{to}"
            );
        }
    }
}

#[test]
fn impact_walks_both_directions_with_depth() {
    // a → b → c → d, e ↔ b, f → a
    let (_, l) = landscape(
        &[
            ("1.md", "# A1 → B1\n"),
            ("2.md", "# B1 → C1\n"),
            ("3.md", "# C1 → D1\n"),
            ("4.md", "# E1 ↔ B1\n"),
            ("5.md", "# F1 → A1\n"),
        ],
        "",
    );
    let s = |id: &str| l.find(id).unwrap();
    let names = |r: &[Reach]| -> Vec<(String, usize)> {
        r.iter()
            .map(|r| (l.systems[r.system].id.clone(), r.depth))
            .collect()
    };
    let i = l.impact(s("b1"), 10);
    assert_eq!(i.touching.len(), 3);
    assert_eq!(
        names(&i.downstream),
        vec![("c1".into(), 1), ("e1".into(), 1), ("d1".into(), 2)]
    );
    assert_eq!(
        names(&i.upstream),
        vec![("a1".into(), 1), ("e1".into(), 1), ("f1".into(), 2)]
    );
    let shallow = l.impact(s("b1"), 1);
    assert_eq!(shallow.downstream.len(), 2);
    assert_eq!(shallow.upstream.len(), 2);
    let d = i
        .downstream
        .iter()
        .find(|r| l.systems[r.system].id == "d1")
        .unwrap();
    assert_eq!(d.path.len(), 2);
    assert_eq!(l.systems[l.integrations[d.path[1]].to].id, "d1");
    assert!(l.impact(s("d1"), 5).downstream.is_empty());
}

#[test]
fn mentions_are_whole_words() {
    let (_, l) = landscape(
        &[
            ("a.md", "# Stripe → Ledger\n"),
            ("b.md", "# Notes\n\nRefunds go back through stripe.\n"),
            ("c.md", "# Notes\n\nStripes are not Stripey.\n"),
            ("d.md", "---\ntitle: X\ntags: [ledger]\n---\n"),
        ],
        "",
    );
    let stripe = l.find("stripe").unwrap();
    assert_eq!(l.mentions[stripe], vec![0, 1]);
    assert_eq!(l.mentions[l.find("ledger").unwrap()], vec![0, 3]);
}

/// Every field a later build or page reads, the matcher by its names.
fn assert_same_model(a: &Landscape, b: &Landscape) {
    assert_eq!(a.systems, b.systems);
    assert_eq!(a.integrations, b.integrations);
    assert_eq!(a.doc_systems, b.doc_systems);
    assert_eq!(a.mentions, b.mentions);
    assert_eq!(a.findings, b.findings);
    assert_eq!(a.keys, b.keys);
    assert_eq!(a.by_system, b.by_system);
    assert_eq!(a.paths, b.paths);
    assert_eq!(a.claims, b.claims);
    assert_eq!(a.statuses, b.statuses);
    assert_eq!(a.found, b.found);
    assert_eq!(a.names, b.names);
    assert_eq!(a.matcher.is_some(), b.matcher.is_some());
}

/// A document of the edit sequences below: a title (an integration or
/// not), a status, tags, lines before the title, and closing prose.
#[derive(Clone, Debug)]
struct EditedDoc {
    title: usize,
    status: usize,
    tags: usize,
    shift: usize,
    prose: usize,
}

impl EditedDoc {
    fn text(&self) -> String {
        // CRM and ERP are too short to be looked for in text: only tags
        // and integrations make them mentioned.
        let title = [
            "Orders → Billing",
            "Zendesk ↔ Order Service",
            "Notes",
            "CRM → ERP",
        ];
        let status = ["approved", "draft", "deprecated"];
        let tags = ["[]", "[kafka]", "[billing, notes]", "[crm]"];
        let prose = [
            "",
            "See Zendesk for tickets.",
            "Uses Kafka and Billing.",
            "plain words, Kafkaesque",
        ];
        format!(
            "---\nstatus: {}\ntags: {}\n---\n{}# {}\n\nSome prose.\n\n{}\n",
            status[self.status],
            tags[self.tags],
            "\n".repeat(self.shift),
            title[self.title],
            prose[self.prose]
        )
    }
}

fn edited_doc() -> impl proptest::strategy::Strategy<Value = EditedDoc> {
    use proptest::prelude::*;
    (0..4usize, 0..3usize, 0..4usize, 0..2usize, 0..4usize).prop_map(
        |(title, status, tags, shift, prose)| EditedDoc {
            title,
            status,
            tags,
            shift,
            prose,
        },
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// After each edit of a random sequence, the landscape serve builds
    /// from the last one (updated in place where it can be) is the one a
    /// full build of the same documents gives.
    #[test]
    fn a_landscape_built_from_the_last_one_is_the_full_builds(
        start in proptest::collection::vec(edited_doc(), 5),
        edits in proptest::collection::vec((0..5usize, 0..5usize, 0..4usize), 1..10),
    ) {
        let config = Config::parse(
            "[validation]\nunmapped_documents = \"info\"\n[systems.billing]\nname = \"Billing\"\n",
        )
        .unwrap();
        let paths = ["orders/a.md", "orders/b.md", "misc/c.md", "misc/d.md", "e.md"];
        let mut docs = start;
        let catalog_of = |docs: &[EditedDoc]| {
            let texts: Vec<String> = docs.iter().map(EditedDoc::text).collect();
            let pairs: Vec<(&str, &str)> =
                paths.iter().copied().zip(texts.iter().map(String::as_str)).collect();
            Catalog::from_texts(&pairs)
        };
        let mut last = Landscape::build(&catalog_of(&docs), &config);
        for (i, field, value) in edits {
            // One thing at a time, as an author edits.
            let doc = &mut docs[i];
            match field {
                0 => doc.title = value,
                1 => doc.status = value % 3,
                2 => doc.tags = value,
                3 => doc.shift = value % 2,
                _ => doc.prose = value,
            }
            let catalog = catalog_of(&docs);
            let changed = BTreeSet::from([paths[i].to_owned()]);
            let next = Landscape::build_reusing(
                &catalog,
                &config,
                Some(Previous { landscape: &last, changed: &changed }),
            );
            assert_same_model(&next, &Landscape::build(&catalog, &config));
            last = next;
        }
    }
}

/// The in-place update is taken for prose and tag edits and refused for
/// any edit that can move a system or an integration.
#[test]
fn prose_edits_update_in_place_claim_and_status_edits_do_not() {
    let config = Config::default();
    let base = EditedDoc {
        title: 0,
        status: 0,
        tags: 0,
        shift: 0,
        prose: 0,
    };
    let build = |doc: &EditedDoc| {
        let text = doc.text();
        Catalog::from_texts(&[("a.md", text.as_str()), ("b.md", "# Zendesk → Kafka\n")])
    };
    let before = Landscape::build(&build(&base), &config);
    let changed = BTreeSet::from(["a.md".to_owned()]);
    let updated = |doc: EditedDoc| {
        let catalog = build(&doc);
        let previous = Previous {
            landscape: &before,
            changed: &changed,
        };
        Landscape::updated(&catalog, &config, &Resolver::new(&config), &previous).inspect(|l| {
            assert_same_model(l, &Landscape::build(&catalog, &config));
        })
    };
    let named = updated(EditedDoc {
        prose: 1,
        ..base.clone()
    })
    .expect("a prose edit");
    assert_eq!(named.mentions[named.find("zendesk").unwrap()], vec![0, 1]);
    assert!(updated(EditedDoc {
        tags: 1,
        ..base.clone()
    })
    .is_some());
    assert!(updated(EditedDoc {
        title: 2,
        ..base.clone()
    })
    .is_none());
    assert!(updated(EditedDoc {
        status: 1,
        ..base.clone()
    })
    .is_none());
    // The title, and with it the claim, moved a line down.
    assert!(updated(EditedDoc { shift: 1, ..base }).is_none());
}
