//! A small vocabulary per facet, so filters group what authors write in
//! many ways: `REST (CRM v3 batch upsert)` is REST, `both ways` is
//! Bidirectional, `under review` is review. Built-in terms, extended or
//! overridden in site.toml:
//!
//! ```toml
//! [vocabulary.protocol]
//! "Message queue" = ["rabbitmq", "amqp", "sqs"]
//! ```
//!
//! A value names every term one of whose spellings it contains as whole
//! words; a value that names none is kept, without its parenthesised asides.

use std::collections::BTreeMap;

/// The fields that have a vocabulary.
pub const FIELDS: &[&str] = &["protocol", "direction", "status"];

/// Terms and their spellings, in the order they are tried.
const PROTOCOL: &[(&str, &[&str])] = &[
    ("GraphQL", &["graphql"]),
    ("gRPC", &["grpc"]),
    ("SOAP", &["soap"]),
    (
        "Webhook",
        &[
            "webhook",
            "webhooks",
            "web hook",
            "web hooks",
            "event hooks",
        ],
    ),
    (
        "REST",
        &["rest", "restful", "http api", "json api", "rest api"],
    ),
    ("WebSocket", &["websocket", "websockets", "socket.io"]),
    ("Kafka", &["kafka"]),
    ("AMQP", &["amqp", "rabbitmq"]),
    ("SQS", &["sqs"]),
    ("SNS", &["sns"]),
    ("Pub/Sub", &["pub/sub", "pubsub"]),
    ("MQTT", &["mqtt"]),
    ("SFTP", &["sftp"]),
    ("FTP", &["ftp", "ftps"]),
    ("Batch file", &["batch file", "csv", "flat file"]),
    ("Database", &["jdbc", "odbc", "database link", "cdc"]),
    ("SMTP", &["smtp"]),
    (
        "OIDC",
        &["oidc", "openid connect", "oauth", "oauth2", "saml"],
    ),
    ("SDK", &["sdk"]),
];

const DIRECTION: &[(&str, &[&str])] = &[
    (
        "Bidirectional",
        &[
            "bidirectional",
            "bi-directional",
            "both ways",
            "both directions",
            "two-way",
            "two way",
            "↔",
            "<->",
        ],
    ),
    (
        "Unidirectional",
        &["unidirectional", "one-way", "one way", "→", "->"],
    ),
    ("Inbound", &["inbound", "incoming"]),
    ("Outbound", &["outbound", "outgoing"]),
];

const STATUS: &[(&str, &[&str])] = &[
    ("draft", &["draft", "wip", "work in progress"]),
    (
        "review",
        &["review", "under review", "in review", "reviewing"],
    ),
    ("approved", &["approved", "accepted"]),
    ("active", &["active", "live", "production", "in production"]),
    ("deprecated", &["deprecated", "sunset", "retired", "legacy"]),
];

#[derive(Debug, Clone, PartialEq)]
struct Term {
    label: String,
    /// Lower-case spellings, the label's own among them.
    spellings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    fields: BTreeMap<&'static str, Vec<Term>>,
}

impl Vocabulary {
    /// The built-in terms, after the site's own: a site term with a
    /// built-in label adds its spellings to it and moves it first.
    pub fn new(site: &BTreeMap<String, BTreeMap<String, Vec<String>>>) -> Self {
        let mut fields = BTreeMap::new();
        for (field, builtin) in [
            ("protocol", PROTOCOL),
            ("direction", DIRECTION),
            ("status", STATUS),
        ] {
            let mut terms: Vec<Term> = Vec::new();
            for (label, spellings) in site.get(field).into_iter().flatten() {
                let mut spellings: Vec<String> =
                    spellings.iter().map(|s| s.to_lowercase()).collect();
                spellings.push(label.to_lowercase());
                if let Some((_, more)) = builtin.iter().find(|(l, _)| l.eq_ignore_ascii_case(label))
                {
                    spellings.extend(more.iter().map(|s| (*s).to_owned()));
                }
                terms.push(Term {
                    label: label.clone(),
                    spellings,
                });
            }
            // A spelling the site gave one of its terms is that term's alone.
            let claimed: Vec<String> = terms.iter().flat_map(|t| t.spellings.clone()).collect();
            for (label, spellings) in builtin {
                if terms.iter().any(|t| t.label.eq_ignore_ascii_case(label)) {
                    continue;
                }
                let mut spellings: Vec<String> =
                    spellings.iter().map(|s| (*s).to_owned()).collect();
                spellings.push(label.to_lowercase());
                spellings.retain(|s| !claimed.contains(s));
                if spellings.is_empty() {
                    continue;
                }
                terms.push(Term {
                    label: (*label).to_owned(),
                    spellings,
                });
            }
            // Longer spellings first, so `under review` is found as a whole.
            for t in &mut terms {
                t.spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
                t.spellings.dedup();
            }
            fields.insert(field, terms);
        }
        Vocabulary { fields }
    }

    /// The facet values `raw` stands for, in the order it names them.
    /// Single-valued fields (direction, status) give at most one.
    pub fn values(&self, field: &str, raw: &str) -> Vec<String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Vec::new();
        }
        let Some(terms) = self.fields.get(field) else {
            return vec![raw.to_owned()];
        };
        let text = raw.to_lowercase();
        let mut found: Vec<(usize, &str)> = terms
            .iter()
            .filter_map(|t| {
                t.spellings
                    .iter()
                    .filter_map(|s| find_word(&text, s))
                    .min()
                    .map(|at| (at, t.label.as_str()))
            })
            .collect();
        found.sort();
        let mut labels: Vec<String> = Vec::new();
        for (_, label) in found {
            if !labels.iter().any(|l| l == label) {
                labels.push(label.to_owned());
            }
        }
        if field == "direction" {
            // "Outbound (redirects), inbound (event hooks)": both ways.
            let has = |l: &str| labels.iter().any(|x| x == l);
            if has("Inbound") && has("Outbound") && !has("Unidirectional") {
                return vec!["Bidirectional".to_owned()];
            }
        }
        if labels.is_empty() {
            let plain = without_asides(raw);
            labels.push(if plain.is_empty() {
                raw.to_owned()
            } else {
                plain
            });
        }
        if field != "protocol" {
            labels.truncate(1);
        }
        labels
    }
}

/// Where `word` occurs in `text` with no letter or digit on either side.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric();
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// `Kafka (Avro)` → `Kafka`.
fn without_asides(raw: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in raw.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Vocabulary {
        Vocabulary::new(&BTreeMap::new())
    }

    #[test]
    fn what_the_example_catalog_writes_maps_to_a_few_values() {
        let v = builtin();
        let p = |raw| v.values("protocol", raw);
        assert_eq!(p("REST (CRM v3 batch upsert)"), ["REST"]);
        assert_eq!(p("REST"), ["REST"]);
        assert_eq!(p("SFTP, CSV batch file"), ["SFTP", "Batch file"]);
        assert_eq!(p("Kafka (Avro, Confluent Schema Registry)"), ["Kafka"]);
        assert_eq!(p("HTTPS webhooks (JSON, HMAC-signed)"), ["Webhook"]);
        assert_eq!(
            p("REST (Salesforce REST and Bulk API 2.0), Kafka"),
            ["REST", "Kafka"]
        );
        assert_eq!(p("Carrier pigeon (RFC 1149)"), ["Carrier pigeon"]);
        assert!(p("  ").is_empty());
        // Whole words: "restore" is not REST, "interest" neither.
        assert_eq!(p("Restore job"), ["Restore job"]);

        let d = |raw| v.values("direction", raw);
        assert_eq!(d("Bidirectional"), ["Bidirectional"]);
        assert_eq!(d("both ways"), ["Bidirectional"]);
        assert_eq!(
            d("Bidirectional (reads; refunds go back)"),
            ["Bidirectional"]
        );
        assert_eq!(
            d("Outbound (redirects), inbound (event hooks)"),
            ["Bidirectional"]
        );
        assert_eq!(d("Unidirectional"), ["Unidirectional"]);
        assert_eq!(d("outbound only"), ["Outbound"]);

        let s = |raw| v.values("status", raw);
        assert_eq!(s("under review"), ["review"]);
        assert_eq!(s("review"), ["review"]);
        assert_eq!(s("retired"), ["deprecated"]);
        assert_eq!(s("custom state"), ["custom state"]);
    }

    #[test]
    fn a_site_adds_terms_and_spellings() {
        let mut site = BTreeMap::new();
        site.insert(
            "protocol".to_owned(),
            BTreeMap::from([
                (
                    "Message queue".to_owned(),
                    vec!["RabbitMQ".to_owned(), "SQS".to_owned()],
                ),
                ("REST".to_owned(), vec!["crm api".to_owned()]),
            ]),
        );
        let v = Vocabulary::new(&site);
        // The site's term wins over the built-in AMQP and SQS.
        assert_eq!(v.values("protocol", "RabbitMQ queue"), ["Message queue"]);
        assert_eq!(v.values("protocol", "Amazon SQS"), ["Message queue"]);
        assert_eq!(v.values("protocol", "the CRM API"), ["REST"]);
        assert_eq!(
            v.values("protocol", "rest"),
            ["REST"],
            "built-in spellings kept"
        );
        assert_eq!(v.values("protocol", "AMQP 0.9"), ["AMQP"]);
    }
}
