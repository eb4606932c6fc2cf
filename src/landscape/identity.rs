//! Which system a name means: declared ids, names and aliases, and a
//! normalisation so "Order Service", "order-service" and "Order service API"
//! are one system.

use std::collections::HashMap;

use crate::config::Config;

/// Words that say what kind of thing a system is, not which one: dropped
/// from the end of a name before comparing.
const GENERIC_SUFFIXES: &[&str] = &[
    "service",
    "services",
    "svc",
    "api",
    "apis",
    "system",
    "app",
    "application",
    "integration",
];

/// The key two names of one system share: lowercase words of letters and
/// digits joined by `-`, a leading "the" and trailing generic words dropped
/// (at least one word is kept). Empty when the name has no letter or digit.
pub fn normalize(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    while words.len() > 1 && words.last().is_some_and(|w| GENERIC_SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join("-")
}

/// What a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A declared system, by index into the declared list.
    Declared(usize),
    /// Names two declared systems (the first two, by index).
    Ambiguous(usize, usize),
    /// No declared system: an inferred one keyed by the normalised name.
    Inferred(String),
}

/// Declared systems and the keys that reach them.
pub struct Resolver {
    /// Declared ids in site.toml order (sorted, as a BTreeMap gives them).
    pub declared: Vec<String>,
    names: Vec<String>,
    keys: HashMap<String, Vec<usize>>,
    /// Every id, name and alias as written, for "did you mean".
    spellings: Vec<(String, usize)>,
    /// Names and aliases only: ids are slugs, and an id such as `payments`
    /// is a word any title may use.
    written: Vec<(String, usize)>,
}

impl Resolver {
    pub fn new(config: &Config) -> Resolver {
        let mut keys: HashMap<String, Vec<usize>> = HashMap::new();
        let mut spellings = Vec::new();
        let mut written = Vec::new();
        let declared: Vec<String> = config.systems.keys().cloned().collect();
        for (i, (id, decl)) in config.systems.iter().enumerate() {
            let names = std::iter::once(id.as_str())
                .chain(decl.name.as_deref())
                .chain(decl.aliases.iter().map(String::as_str));
            for name in names {
                let key = normalize(name);
                if key.is_empty() {
                    continue;
                }
                let entry = keys.entry(key).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
                spellings.push((name.to_owned(), i));
            }
            let written_names = decl.name.iter().chain(&decl.aliases);
            written.extend(written_names.map(|n| (n.clone(), i)));
        }
        let names = config
            .systems
            .iter()
            .map(|(id, d)| d.name.clone().unwrap_or_else(|| id.clone()))
            .collect();
        Resolver {
            declared,
            names,
            keys,
            spellings,
            written,
        }
    }

    /// A declared system's display name: its `name`, else its id.
    pub fn display_name(&self, i: usize) -> String {
        self.names[i].clone()
    }

    pub fn has_declared(&self) -> bool {
        !self.declared.is_empty()
    }

    /// What `name` means; None when it has no letter or digit.
    pub fn resolve(&self, name: &str) -> Option<Resolution> {
        let key = normalize(name);
        if key.is_empty() {
            return None;
        }
        Some(match self.keys.get(&key).map(Vec::as_slice) {
            Some([one]) => Resolution::Declared(*one),
            Some([a, b, ..]) => Resolution::Ambiguous(*a, *b),
            _ => Resolution::Inferred(key),
        })
    }

    /// Declared systems whose name or an alias (not id) appears in `text` as whole
    /// words (case-insensitive), for titles such as "Stripe Card Payments
    /// Integration" that name one system among other words.
    pub fn named_in(&self, text: &str) -> Vec<usize> {
        let haystack = format!("-{}-", normalize_words(text));
        let mut found: Vec<usize> = Vec::new();
        for (spelling, i) in &self.written {
            let needle = normalize_words(spelling);
            if needle.is_empty() {
                continue;
            }
            if haystack.contains(&format!("-{needle}-")) && !found.contains(i) {
                found.push(*i);
            }
        }
        found.sort_unstable();
        found
    }

    /// The declared spelling closest to `name`, for a did-you-mean.
    pub fn closest(&self, name: &str) -> Option<&str> {
        crate::diagnostics::closest(name, self.spellings.iter().map(|(s, _)| s.as_str())).or_else(
            || {
                // A typo inside a longer name ("Stirpe payments"): compare keys.
                let key = normalize(name);
                self.spellings
                    .iter()
                    .map(|(s, _)| (strsim::osa_distance(&key, &normalize(s)), s.as_str()))
                    .filter(|(d, _)| *d <= 2)
                    .min()
                    .map(|(_, s)| s)
            },
        )
    }
}

/// Lowercase words joined by `-`, nothing dropped.
fn normalize_words(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_system_share_a_key() {
        for name in [
            "Order Service",
            "order-service",
            "Order service API",
            "order_service",
            "The Order Service",
            "ORDER SERVICE",
        ] {
            assert_eq!(normalize(name), "order", "{name}");
        }
        assert_eq!(normalize("Kafka `order-events`"), "kafka-order-events");
        assert_eq!(normalize("Service"), "service");
        assert_eq!(normalize("API"), "api");
        assert_eq!(normalize("--"), "");
        assert_eq!(normalize("Zürich Bank"), "zürich-bank");
    }

    fn config(toml: &str) -> Config {
        Config::parse(toml).unwrap()
    }

    #[test]
    fn aliases_and_ambiguity() {
        let c = config(
            "[systems.stripe]\nname = \"Stripe\"\naliases = [\"Stripe API\", \"stripe-payments\"]\n\
             [systems.kafka]\nname = \"Kafka\"\naliases = [\"order-events topic\", \"Events\"]\n\
             [systems.events-hub]\nname = \"Events hub\"\naliases = [\"events\"]\n",
        );
        let r = Resolver::new(&c);
        let stripe = r.declared.iter().position(|d| d == "stripe").unwrap();
        assert_eq!(r.resolve("STRIPE api"), Some(Resolution::Declared(stripe)));
        assert_eq!(
            r.resolve("Stripe Payments"),
            Some(Resolution::Declared(stripe))
        );
        assert!(matches!(
            r.resolve("The order-events Topic"),
            Some(Resolution::Declared(_))
        ));
        assert!(matches!(
            r.resolve("events"),
            Some(Resolution::Ambiguous(..))
        ));
        assert_eq!(
            r.resolve("Order Service"),
            Some(Resolution::Inferred("order".into()))
        );
        assert_eq!(r.named_in("Stripe Card Payments Integration"), vec![stripe]);
        assert!(r.named_in("Stripey things").is_empty());
        assert_eq!(r.closest("Stirpe"), Some("Stripe"));
    }
}
