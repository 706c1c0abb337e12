//! Run manifests (run.json): any text parses or is refused, and the sections of one that
//! parses read back or are refused.
#![no_main]
use genlab_train::RunManifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = std::path::Path::new("run");
    if let Ok(m) = RunManifest::parse(text, &dir.join("run.json")) {
        let _ = m.expect(dir, "gpt", &["gpt"]);
        let _ = m.model::<std::collections::BTreeMap<String, serde_json::Value>>(dir);
    }
});
