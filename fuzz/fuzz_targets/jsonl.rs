//! JSONL records: any text parses or is refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = genlab_data::jsonl::parse_jsonl::<serde_json::Value>(text);
});
