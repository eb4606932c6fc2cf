//! Spec files and the `$ref`s between them: every file a spec reaches is
//! read once (from the content dir only: a `$ref` leaving it, or to a
//! URL, is reported and never followed), every `$ref` checked, and
//! references resolved for the model.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_yaml::Value;

use super::source::{ReadError, SpecFile};
use crate::diagnostics::{closest, Diagnostic, Severity};

/// Files one site's specs reach, at most this many.
const MAX_FILES: usize = 256;
/// `$ref`s followed in a row before giving up (a chain of references to
/// references).
const MAX_HOPS: usize = 32;

#[derive(Default)]
pub struct FileSet {
    pub files: BTreeMap<String, Arc<SpecFile>>,
    /// Files that could not be read or parsed (reported once, when read).
    failed: BTreeSet<String>,
}

/// Why a `$ref` resolves to nothing.
enum RefError {
    LeavesRoot,
    Remote,
    NoFile(String),
    /// The file is there but did not parse (reported on its own).
    Unparsed,
    NoPointer {
        missing: String,
        closest: Option<String>,
    },
}

/// `other.yaml#/components/schemas/X` → (`other.yaml`, `/components/schemas/X`).
fn split(reference: &str) -> (&str, &str) {
    match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    }
}

fn is_remote(file: &str) -> bool {
    file.starts_with("//") || crate::catalog::local_target(file).is_none()
}

/// Every `$ref` string under `value`, in the order written.
pub fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                if k.as_str() == Some("$ref") {
                    if let Some(r) = v.as_str() {
                        out.push(r.to_owned());
                    }
                } else {
                    refs_in(v, out);
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| refs_in(v, out)),
        Value::Tagged(t) => refs_in(&t.value, out),
        _ => {}
    }
}

/// The other files (content paths) the `$ref`s under `value`, written in
/// the file at `from`, point to; none out of the content dir or remote.
fn other_files(from: &str, value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    refs_in(value, &mut refs);
    refs.iter()
        .filter_map(|r| {
            let (target, _) = split(r);
            if target.is_empty() || is_remote(target) {
                return None;
            }
            crate::catalog::join_relative(from, &crate::catalog::percent_decode(target))
        })
        .collect()
}

pub struct Loader<'a> {
    pub content_dir: &'a Path,
    /// Relative to the site root, with a trailing `/` (or empty).
    pub source_prefix: String,
    pub assets: &'a BTreeSet<String>,
    pub refused: &'a BTreeMap<String, crate::safe_fs::Refusal>,
    /// Files parsed by an earlier check, reused when the disk still holds
    /// the same text.
    pub previous: Option<&'a FileSet>,
}

impl Loader<'_> {
    fn read(&self, path: &str) -> Result<Arc<SpecFile>, ReadError> {
        let source_path = format!("{}{path}", self.source_prefix);
        let text = read_text(self.content_dir, path).map_err(ReadError::Io)?;
        if let Some(old) = self.previous.and_then(|p| p.files.get(path)) {
            if old.text == text {
                return Ok(Arc::clone(old));
            }
        }
        SpecFile::parse(path.to_owned(), source_path, text).map(Arc::new)
    }
}

/// A content file's text, read under the loader's rules.
pub fn read_text(content_dir: &Path, path: &str) -> Result<String, String> {
    let canonical_content = content_dir.canonicalize().map_err(|e| e.to_string())?;
    let real = crate::safe_fs::admit_file(&canonical_content, &content_dir.join(path))
        .map_err(|why| why.to_string())?;
    let bytes = crate::safe_fs::read_limited(&real, super::source::MAX_SPEC_BYTES)
        .map_err(|e| e.to_string())?;
    Ok(crate::content::source::decode(&bytes).text)
}

impl FileSet {
    /// Reads `path` and every file its `$ref`s reach. Problems of the files
    /// read (syntax, references) go to `out`. Returns whether `path` itself
    /// was read and parsed.
    pub fn load(&mut self, loader: &Loader<'_>, path: &str, out: &mut Vec<Diagnostic>) -> bool {
        let mut queue = vec![path.to_owned()];
        let mut checked: Vec<String> = Vec::new();
        while let Some(next) = queue.pop() {
            if self.files.contains_key(&next) || self.failed.contains(&next) {
                continue;
            }
            if self.files.len() >= MAX_FILES {
                out.push(Diagnostic::warning(
                    format!("{}{next}", loader.source_prefix),
                    1,
                    "spec-invalid",
                    format!("not read: the specs reach more than {MAX_FILES} files"),
                ));
                self.failed.insert(next);
                continue;
            }
            let source_path = format!("{}{next}", loader.source_prefix);
            match loader.read(&next) {
                Ok(file) => {
                    queue.extend(
                        other_files(&next, &file.value)
                            .into_iter()
                            .filter(|p| loader.assets.contains(p)),
                    );
                    checked.push(next.clone());
                    self.files.insert(next, file);
                }
                Err(ReadError::Syntax(line, column, message, text)) => {
                    out.push(
                        Diagnostic::error(&source_path, line, "spec-syntax", message)
                            .column(Some(column))
                            .help("fix the YAML or JSON; a spec that does not parse is neither checked nor rendered")
                            .source_from(&text),
                    );
                    self.failed.insert(next);
                }
                Err(ReadError::Io(why)) => {
                    out.push(Diagnostic::error(
                        &source_path,
                        1,
                        "io",
                        format!("cannot read the spec: {why}"),
                    ));
                    self.failed.insert(next);
                }
            }
        }
        for path in checked {
            self.check_refs(loader, &path, out);
        }
        self.files.contains_key(path)
    }

    /// `path` and every file its `$ref`s reach, sorted.
    pub fn reached(&self, path: &str) -> Vec<String> {
        let mut seen = BTreeSet::from([path.to_owned()]);
        let mut queue = vec![path.to_owned()];
        while let Some(next) = queue.pop() {
            let Some(file) = self.files.get(&next) else {
                continue;
            };
            for joined in other_files(&next, &file.value) {
                if self.files.contains_key(&joined) && seen.insert(joined.clone()) {
                    queue.push(joined);
                }
            }
        }
        seen.into_iter()
            .filter(|p| self.files.contains_key(p))
            .collect()
    }

    /// A `spec-invalid` for every `$ref` of `path` that resolves to nothing.
    fn check_refs(&self, loader: &Loader<'_>, path: &str, out: &mut Vec<Diagnostic>) {
        let Some(file) = self.files.get(path) else {
            return;
        };
        let mut refs = Vec::new();
        refs_in(&file.value, &mut refs);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in &refs {
            let nth = seen.entry(r.as_str()).or_insert(0);
            let (line, column) = file.ref_position(r, *nth);
            *nth += 1;
            let Err(e) = self.resolve_one(path, r) else {
                continue;
            };
            let (severity, message, help) = match e {
                RefError::Unparsed => continue,
                RefError::LeavesRoot => (
                    Severity::Error,
                    format!("`$ref: {r}` leaves the content directory"),
                    "a spec may refer only to files inside the content directory; copy the file in".to_owned(),
                ),
                RefError::Remote => (
                    Severity::Warning,
                    format!("`$ref: {r}` is a URL, which portolan never fetches"),
                    "refer to a copy inside the content directory to have it checked and rendered".to_owned(),
                ),
                RefError::NoFile(missing) => (
                    Severity::Error,
                    match loader.refused.get(&missing) {
                        Some(why) => format!("`$ref: {r}` points to a file that is not read: {why}"),
                        None => format!("`$ref: {r}` points to `{missing}`, which is not in the content directory"),
                    },
                    "fix the path; it is relative to this spec file".to_owned(),
                ),
                RefError::NoPointer { missing, closest } => (
                    Severity::Error,
                    format!("`$ref: {r}` resolves to nothing: no `{missing}`"),
                    match closest {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "point it at a key the file defines".to_owned(),
                    },
                ),
            };
            out.push(
                Diagnostic::new(&file.source_path, line, severity, "spec-invalid", message)
                    .column(Some(column))
                    .help(help)
                    .source_from(&file.text),
            );
        }
    }

    fn resolve_one<'s>(
        &'s self,
        from: &str,
        reference: &str,
    ) -> Result<(&'s SpecFile, &'s Value), RefError> {
        let (target, fragment) = split(reference);
        let path = if target.is_empty() {
            from.to_owned()
        } else if is_remote(target) {
            return Err(RefError::Remote);
        } else {
            crate::catalog::join_relative(from, &crate::catalog::percent_decode(target))
                .ok_or(RefError::LeavesRoot)?
        };
        let Some(file) = self.files.get(&path) else {
            return Err(if self.failed.contains(&path) {
                RefError::Unparsed
            } else {
                RefError::NoFile(path)
            });
        };
        let value = pointer(&file.value, fragment)?;
        Ok((file, value))
    }

    /// Follows `value` while it is a `$ref` (written in `from`): the value
    /// it resolves to and the file that holds it, with the last reference's
    /// name (`Order` for `#/components/schemas/Order`). None when a
    /// reference resolves to nothing (reported by `load`) or loops.
    pub fn follow<'s>(
        &'s self,
        from: &'s str,
        value: &'s Value,
    ) -> Option<(&'s str, &'s Value, Option<String>)> {
        let mut at = (from, value);
        let mut name = None;
        for _ in 0..MAX_HOPS {
            let Some(reference) = ref_of(at.1) else {
                return Some((at.0, at.1, name));
            };
            let (file, v) = self.resolve_one(at.0, reference).ok()?;
            name = reference.rsplit('/').next().map(str::to_owned);
            at = (file.content_path.as_str(), v);
        }
        None
    }
}

/// The `$ref` of a `{ $ref: ... }` mapping.
pub fn ref_of(value: &Value) -> Option<&str> {
    value.as_mapping()?.get("$ref")?.as_str()
}

/// A JSON pointer (`/components/schemas/Order`, `~1` for `/`) into `value`.
fn pointer<'v>(value: &'v Value, fragment: &str) -> Result<&'v Value, RefError> {
    let fragment = crate::catalog::percent_decode(fragment);
    if fragment.is_empty() {
        return Ok(value);
    }
    let Some(rest) = fragment.strip_prefix('/') else {
        return Err(RefError::NoPointer {
            missing: fragment.clone(),
            closest: None,
        });
    };
    let mut at = value;
    let mut walked = String::new();
    for part in rest.split('/') {
        let key = part.replace("~1", "/").replace("~0", "~");
        let next = match at {
            Value::Mapping(map) => map.get(key.as_str()),
            Value::Sequence(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else {
            let keys: Vec<&str> = at
                .as_mapping()
                .map(|m| m.keys().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let closest = closest(&key, keys.iter().copied())
                .map(|c| format!("#{walked}/{}", c.replace('~', "~0").replace('/', "~1")));
            return Err(RefError::NoPointer {
                missing: format!("#{walked}/{part}"),
                closest,
            });
        };
        walked.push('/');
        walked.push_str(part);
        at = next;
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_walk_maps_and_lists() {
        let v: Value =
            serde_yaml::from_str("a:\n  b/c: [10, {d: 1}]\ncomponents: {schemas: {Order: {}}}\n")
                .unwrap();
        assert!(pointer(&v, "/a/b~1c/1/d").is_ok());
        assert!(pointer(&v, "").is_ok());
        let Err(RefError::NoPointer { missing, closest }) = pointer(&v, "/components/schemas/Ordr")
        else {
            panic!("missing")
        };
        assert_eq!(missing, "#/components/schemas/Ordr");
        assert_eq!(closest.as_deref(), Some("#/components/schemas/Order"));
    }
}
