//! Content hashes for caches and the build marker: stable across runs,
//! platforms and Rust versions (std's hashers promise none of that), 128
//! bits so thousands of entries never collide in practice.
//!
//! SHA-256 (the `sha2` crate, already in the tree through rmcp), cut to 128
//! bits: with the CPU's SHA instructions it runs at gigabytes a second,
//! where the byte-at-a-time FNV-1a it replaced spent seconds of every
//! cached build hashing the pages it wrote.

use sha2::{Digest as _, Sha256};

fn hex128(hasher: Sha256) -> String {
    use std::fmt::Write as _;
    let sum = hasher.finalize();
    let mut out = String::with_capacity(32);
    for byte in &sum[..16] {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A 32-character hex digest of the parts, separated so that ("ab", "c")
/// and ("a", "bc") differ.
pub fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex128(hasher)
}

/// A 32-character hex digest of one byte string (a file's content).
pub fn digest_bytes(bytes: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hex128(hasher)
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn digests_are_stable_and_separated() {
        assert_eq!(digest(&["a"]), digest(&["a"]));
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&[""]).len(), 32);
        // SHA-256 of the empty string, cut to 128 bits.
        assert_eq!(super::digest_bytes(b""), "e3b0c44298fc1c149afbf4c8996fb924");
    }
}
