//! The published vocabularies, loaded from their rank files, give the reference's ids.
//!
//! The rank files come from the crates.io `tiktoken` crate (a dev-dependency), written out in
//! tiktoken's text format. For OpenAI's four the text must hash to the sha256 that Python
//! tiktoken checks its downloads against (`tiktoken_ext/openai_public.py`), so the file under
//! test is byte for byte the official one. The reference ids are that crate's; it holds them
//! to Python tiktoken for OpenAI's vocabularies and to Hugging Face `tokenizers` for the
//! others.

mod common;

use std::path::Path;

use common::texts::{source_code, unicode_mix};
use common::vocab::{official_sha256, rank_file, reference};
use genlab_tokenizer::{AllowedSpecial, Bpe, Encoding};
use sha2::{Digest, Sha256};

fn texts() -> Vec<(&'static str, String)> {
    let prose = genlab_data::embedded::shakespeare();
    vec![
        ("shakespeare", prose[..prose.len().min(300_000)].to_string()),
        ("source", source_code(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))),
        ("unicode", unicode_mix(200_000, 7)),
    ]
}

#[test]
fn every_named_encoding_gives_the_reference_ids() {
    let dir = tempfile::tempdir().unwrap();
    let texts = texts();
    for e in Encoding::ALL {
        let file = rank_file(e);
        if let Some(want) = official_sha256(e) {
            let got = format!("{:x}", Sha256::digest(file.as_bytes()));
            assert_eq!(got, want, "{e}: the rank file is not the official one");
        }
        // Loaded as a user would: by the name the file carries.
        let path = dir.path().join(format!("{}.tiktoken", e.name()));
        std::fs::write(&path, &file).unwrap();
        assert_eq!(Encoding::from_file_name(&path), Some(e));
        let bpe = e.load(&path).unwrap();
        let r = reference(e);
        for (kind, text) in &texts {
            let want = r.encode(text);
            let got = bpe.encode(text);
            if got != want {
                let at = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
                let lo = at.saturating_sub(3);
                panic!(
                    "{e} on {kind}: ids differ at {at}: genlab {:?} ({:?}), reference {:?} ({:?})",
                    &got[lo..(at + 3).min(got.len())],
                    bpe.decode(&got[lo..(at + 3).min(got.len())]).unwrap(),
                    &want[lo..(at + 3).min(want.len())],
                    String::from_utf8_lossy(&r.decode(&want[lo..(at + 3).min(want.len())])),
                );
            }
            assert_eq!(bpe.count(text), want.len(), "{e} on {kind}: count");
            assert_eq!(bpe.encode_parallel(text), want, "{e} on {kind}: parallel blocks");
            assert_eq!(bpe.decode_bytes(&got).unwrap(), text.as_bytes(), "{e} on {kind}");
            println!(
                "{e:>12} {kind:>12}: {:>7} bytes -> {:>7} tokens, identical",
                text.len(),
                got.len()
            );
        }
        // The binary format carries the merge table: the same ids, loaded without deriving it.
        let binary = Bpe::from_binary(&bpe.to_binary(), "b.glbpe").unwrap();
        let (_, text) = &texts[2];
        assert_eq!(binary.encode(text), bpe.encode(text), "{e}: binary format");
        // Special tokens, allowed: every one of them, between ordinary text.
        let mut text = String::from("Hi");
        for (special, _) in e.special_tokens() {
            text += &special;
            text += " there\n";
        }
        let with = bpe.encode_with_special(&text, &AllowedSpecial::All);
        assert_eq!(with, r.encode_with_special_tokens(&text), "{e}: special tokens");
        assert_eq!(bpe.encode(&text), r.encode(&text), "{e}: specials as plain text");
    }
}

#[test]
fn a_rank_file_of_another_vocabulary_is_refused_naming_both_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r50k_base.tiktoken");
    std::fs::write(&path, rank_file(Encoding::R50kBase)).unwrap();
    let err = Encoding::Cl100kBase.load(&path).unwrap_err().to_string();
    // r50k_base's ranks run into the ids cl100k_base's special tokens need, or are too few.
    assert!(err.contains("50256 ranks") && err.contains("cl100k_base has 100256"), "{err}");
    let bpe: Bpe = Encoding::R50kBase.load(&path).unwrap();
    assert_eq!(bpe.vocab_size(), 50_257);
    assert_eq!(bpe.special_id("<|endoftext|>"), Some(50_256));
}

mod random {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::common::tricky_text;

    /// cl100k_base and o200k_base, loaded once from the reference's rank files.
    fn loaded(e: Encoding) -> &'static Bpe {
        static CELLS: [OnceLock<Bpe>; 2] = [const { OnceLock::new() }; 2];
        let slot = usize::from(e == Encoding::O200kBase);
        CELLS[slot].get_or_init(|| e.from_tiktoken(&rank_file(e), "ranks").unwrap())
    }

    /// Pieces that the two patterns treat differently, on top of the shared tricky ones.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            tricky_text(),
            "[A-Z][a-z]{1,5}[A-Z][a-z]{1,5}",
            "[a-z]{1,4}'(s|S|t|ll|VE|re|m|d)",
            "[.?!]{1,3}[\r\n/]{1,3}",
            "[ \t\r\n\u{a0}\u{3000}]{1,6}",
            "[0-9\u{660}-\u{669}\u{b2}\u{2160}]{1,7}",
            "\\PC{1,8}",
            Just("ǅǈǋ".to_string()),
            Just("\u{301}\u{308}".to_string()),
            Just("👨\u{200d}👩\u{200d}👧".to_string()),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn random_text_gives_the_reference_ids(s in text()) {
            for e in [Encoding::Cl100kBase, Encoding::O200kBase] {
                prop_assert_eq!(loaded(e).encode(&s), reference(e).encode(&s), "{} on {:?}", e, s);
            }
        }
    }
}
