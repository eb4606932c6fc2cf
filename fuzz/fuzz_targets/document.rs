//! Any bytes as a document: parse, link, validate and render must neither
//! panic nor hang. Seeds: the corpora's markdown (fuzz/seed.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = portolan::pipeline_for_bytes(data);
});
