//! Golden tests against the real peers: tokenizers exported by genlab, encoded by tiktoken and
//! Hugging Face `tokenizers` (fixtures made by `benches/peers/tokenizer_golden.py`).

use std::path::PathBuf;

use genlab_tokenizer::{AllowedSpecial, Bpe, Pattern};

fn fixture(name: &str) -> PathBuf {
    // The runtime variable names this checkout even when the binary was built from another
    // clone sharing the target directory (cargo reuses it: the fingerprint ignores the path).
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures")
    .join(name)
}

fn expected(key: &str) -> Vec<u32> {
    let src = std::fs::read_to_string(fixture("golden_ids.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&src).unwrap();
    serde_json::from_value(v[key].clone()).unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn text() -> String {
    let text = std::fs::read_to_string(fixture("golden_text.txt")).unwrap();
    assert!(text.contains('\r') && text.contains("<|endoftext|>") && text.contains('🦀'));
    text
}

#[test]
fn tiktoken_gives_the_same_ids() {
    let text = text();
    for (name, pattern) in [("gpt2", Pattern::Gpt2), ("gpt4", Pattern::Gpt4)] {
        let specials = vec![("<|endoftext|>".to_string(), 399)];
        let path = fixture(&format!("golden_{name}.tiktoken"));
        let bpe = Bpe::load_tiktoken(&path, pattern, specials).unwrap();
        assert_eq!(bpe.encode(&text), expected(&format!("tiktoken_{name}_ordinary")), "{name}");
        let with = bpe.encode_with_special(&text, &AllowedSpecial::All);
        assert_eq!(with, expected(&format!("tiktoken_{name}_special")), "{name}");
    }
}

#[test]
fn hugging_face_gives_the_same_ids() {
    let text = text();
    for name in ["gpt2", "gpt4"] {
        let bpe = Bpe::load_hf(fixture(&format!("golden_{name}.tokenizer.json"))).unwrap();
        let ids = bpe.encode_with_special(&text, &AllowedSpecial::All);
        assert_eq!(ids, expected(&format!("hf_{name}")), "{name}");
        assert_eq!(bpe.decode(&ids).unwrap(), text);
    }
}
