//! Content hashes for caches: stable across runs, platforms and Rust
//! versions (std's hashers promise none of that), 128 bits so thousands of
//! entries never collide in practice.

fn fnv1a(bytes: &[u8], offset: u64) -> u64 {
    bytes.iter().fold(offset, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A 32-character hex digest of the parts, separated so that ("ab", "c")
/// and ("a", "bc") differ.
pub fn digest(parts: &[&str]) -> String {
    let mut joined = Vec::new();
    for part in parts {
        joined.extend_from_slice(&(part.len() as u64).to_le_bytes());
        joined.extend_from_slice(part.as_bytes());
    }
    format!(
        "{:016x}{:016x}",
        fnv1a(&joined, 0xcbf2_9ce4_8422_2325),
        fnv1a(&joined, 0x6c62_272e_07bb_0142)
    )
}

/// A 32-character hex digest of one byte string (a file's content).
pub fn digest_bytes(bytes: &[u8]) -> String {
    format!(
        "{:016x}{:016x}",
        fnv1a(bytes, 0xcbf2_9ce4_8422_2325),
        fnv1a(bytes, 0x6c62_272e_07bb_0142)
    )
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn digests_are_stable_and_separated() {
        assert_eq!(digest(&["a"]), digest(&["a"]));
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&[""]).len(), 32);
    }
}
