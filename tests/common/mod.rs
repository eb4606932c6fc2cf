//! Helpers shared by the integration tests: run the real binary, find the
//! corpora, make throw-away sites.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portolan"));
    // Stale checks compare against this date, so results never drift.
    cmd.env("PORTOLAN_TODAY", "2026-11-21");
    cmd.env_remove("NO_COLOR");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("portolan runs")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// True under CI, where a missing tool or data set must fail the test
/// instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `../shared/corpora/<name>` beside the repository, or None (after saying
/// so) when it is absent outside CI.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let path = repo_root().join("../shared/corpora").join(name);
    if path.is_dir() {
        return Some(path);
    }
    assert!(!in_ci(), "corpus {} is missing under CI", path.display());
    eprintln!("SKIPPED: corpus {} not found", path.display());
    None
}

/// A temporary site with the given files (path relative to the root).
pub fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        write(dir.path(), path, content);
    }
    dir
}

pub fn write(root: &Path, path: &str, content: &[u8]) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("has parent")).expect("mkdir");
    std::fs::write(full, content).expect("write");
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}
