//! Content hashes for caches and the build marker: stable across runs,
//! platforms and Rust versions (std's hashers promise none of that), 128
//! bits so thousands of entries never collide in practice, and
//! cryptographic, so content cannot be made to collide with another page's
//! cache entry.
//!
//! BLAKE3 (the `blake3` crate), cut to 128 bits. Every page a build writes
//! is hashed (the build marker, the search buckets' keys): SHA-256 with the
//! CPU's SHA instructions ran at 1.5 GB/s here and was 10% of a cached
//! build's CPU; BLAKE3 runs at 5 GB/s on the same pages.

fn hex128(hash: blake3::Hash) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(32);
    for byte in &hash.as_bytes()[..16] {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A 32-character hex digest of the parts, separated so that ("ab", "c")
/// and ("a", "bc") differ.
pub fn digest(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex128(hasher.finalize())
}

/// A 32-character hex digest of one byte string (a file's content).
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex128(blake3::hash(bytes))
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn digests_are_stable_and_separated() {
        assert_eq!(digest(&["a"]), digest(&["a"]));
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&[""]).len(), 32);
        // BLAKE3 of the empty string, cut to 128 bits.
        assert_eq!(super::digest_bytes(b""), "af1349b9f5f9a1a6a0404dea36dcc949");
    }
}
