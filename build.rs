//! Names this build of portolan by what decides how it behaves: its
//! sources and theme, the manifest and lockfile (every dependency's
//! version), the compiler, the target, the profile and features.
//!
//! A build replayed from the cache (src/site/replay.rs) must have been made
//! by the same program. CI installs portolan afresh on every run, so the
//! executable's time says nothing; hashing the executable itself would
//! read a hundred megabytes on every build.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for dir in ["src", "themes"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    for file in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={file}");
        files.push(PathBuf::from(file));
    }
    files.sort();
    let mut hasher = blake3::Hasher::new();
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for file in &files {
        part(file.to_string_lossy().as_bytes());
        part(&std::fs::read(file).unwrap_or_default());
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    part(&version);
    let mut settings: Vec<(String, String)> = std::env::vars()
        .filter(|(name, _)| {
            name.starts_with("CARGO_FEATURE_")
                || name.starts_with("CARGO_CFG_")
                || [
                    "TARGET",
                    "PROFILE",
                    "OPT_LEVEL",
                    "DEBUG",
                    "CARGO_ENCODED_RUSTFLAGS",
                ]
                .contains(&name.as_str())
        })
        .collect();
    settings.sort();
    for (name, value) in settings {
        part(name.as_bytes());
        part(value.as_bytes());
    }
    let id = hasher.finalize().to_hex();
    println!("cargo:rustc-env=PORTOLAN_BUILD_ID={}", &id[..32]);
}
