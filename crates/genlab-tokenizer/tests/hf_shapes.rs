//! Hugging Face tokenizer.json files in many shapes, each saved and encoded by the real
//! `tokenizers` library (`benches/peers/tokenizer_shapes.py`): the ones genlab reads give the
//! library's ids exactly (`ignore_merges` both ways; a word that only ignore_merges = true
//! takes whole); the others are refused with an error naming the component.

use genlab_tokenizer::{AllowedSpecial, Bpe};
use serde_json::Value;

fn fixtures() -> std::path::PathBuf {
    // The crate's folder at run time (cargo does not rebuild a test when only the checkout moved).
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/hf_shapes")
}

/// What the refusal of each unsupported variant must name.
fn names(variant: &str) -> &'static str {
    match variant {
        "nfc-normalizer" => "normalizer NFC",
        "lowercase-normalizer" => "normalizer Lowercase",
        "metaspace-pre-tokenizer" => "Metaspace",
        "byte-fallback" => "byte_fallback",
        "prefix-space" => "add_prefix_space",
        "template-post-processor" => "post_processor TemplateProcessing",
        "end-of-word-suffix" => "end_of_word_suffix",
        "lstrip-added-token" => "lstrip",
        "unreachable-word-ignore-merges-false" => "ignore_merges = false",
        other => panic!("no expectation for {other}: add one"),
    }
}

#[test]
fn every_shape_reads_exactly_or_is_refused_by_name() {
    let ids: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("ids.json")).unwrap())
            .unwrap();
    let (mut read, mut refused) = (0, 0);
    for (name, case) in ids.as_object().unwrap() {
        let loaded = Bpe::load_hf(fixtures().join(format!("{name}.json")));
        let variant = name.split_once('-').unwrap().1;
        if case["genlab_reads"].as_bool().unwrap() {
            let bpe = loaded.unwrap_or_else(|e| panic!("{name}: {e}"));
            let text = case["text"].as_str().unwrap();
            let want: Vec<u32> = case["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect();
            assert_eq!(bpe.encode_with_special(text, &AllowedSpecial::All), want, "{name}");
            // Written back out, the file reads in again with the same behaviour.
            let again = Bpe::from_hf_json(&bpe.to_hf_json().unwrap(), "again").unwrap();
            assert_eq!(again.encode_with_special(text, &AllowedSpecial::All), want, "{name} again");
            read += 1;
        } else {
            let err = loaded.err().unwrap_or_else(|| panic!("{name} was read, not refused"));
            let err = err.to_string();
            assert!(err.contains(names(variant)), "{name}: {err}");
            refused += 1;
        }
    }
    assert!(read >= 10 && refused >= 18, "{read} read, {refused} refused");
}

/// The flag survives genlab's own format too.
#[test]
fn ignore_merges_false_survives_the_native_format() {
    let bpe = Bpe::load_hf(fixtures().join("gpt2-ignore-merges-false.json")).unwrap();
    assert!(!bpe.ignore_merges());
    let back = Bpe::from_json(&bpe.to_json(), "native").unwrap();
    assert!(!back.ignore_merges());
    let text = "the quick brown fox";
    assert_eq!(back.encode(text), bpe.encode(text));
}
