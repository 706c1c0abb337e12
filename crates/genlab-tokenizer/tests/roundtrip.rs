//! decode(encode(s)) == s for arbitrary Unicode, both patterns, with and without specials;
//! streaming decode equals full decode; the special-token policy.

mod common;

use common::{SPECIALS, trained, tricky_text};
use genlab_tokenizer::{AllowedSpecial, Bpe, CharTokenizer, Pattern, StreamDecoder, Tokenizer};
use proptest::prelude::*;

fn all() -> Vec<&'static Bpe> {
    let mut v = Vec::new();
    for p in [Pattern::Gpt2, Pattern::Gpt4, Pattern::None] {
        v.push(trained(p.clone(), false));
        v.push(trained(p, true));
    }
    v
}

fn check(bpe: &Bpe, text: &str) {
    let ids = bpe.encode(text);
    assert_eq!(bpe.decode(&ids).unwrap(), text);
    assert_eq!(bpe.count(text), ids.len());
    assert_eq!(bpe.encode_parallel(text), ids);
    let with = bpe.encode_with_special(text, &AllowedSpecial::All);
    assert_eq!(bpe.decode(&with).unwrap(), text);
    let mut stream = StreamDecoder::new(bpe);
    let mut streamed: String = with.iter().map(|&id| stream.push(id).unwrap()).collect();
    streamed.push_str(&stream.finish());
    assert_eq!(streamed, text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    #[test]
    fn roundtrip_tricky(text in tricky_text()) {
        for bpe in all() { check(bpe, &text); }
    }

    #[test]
    fn roundtrip_any_unicode(text in any::<String>()) {
        for bpe in all() { check(bpe, &text); }
    }

    #[test]
    fn streaming_any_ids_matches_lossy_decode(ids in prop::collection::vec(0u32..400, 0..64)) {
        let bpe = trained(Pattern::Gpt4, false);
        let mut stream = StreamDecoder::new(bpe);
        let mut out = String::new();
        for &id in &ids { out.push_str(&stream.push(id).unwrap()); }
        out.push_str(&stream.finish());
        prop_assert_eq!(out, bpe.decode(&ids).unwrap());
    }
}

#[test]
fn split_emoji_never_shows_replacement() {
    let bpe = trained(Pattern::Gpt2, false);
    let ids = bpe.encode("ok 🦀🦀 done");
    let mut stream = StreamDecoder::new(bpe);
    for &id in &ids {
        let piece = stream.push(id).unwrap();
        assert!(!piece.contains('\u{FFFD}'), "{piece:?}");
    }
    assert!(stream.pending().is_empty());
}

#[test]
fn special_token_policy() {
    let bpe = trained(Pattern::Gpt4, true);
    let eot = bpe.special_id(SPECIALS[0]).unwrap();
    let im = bpe.special_id(SPECIALS[1]).unwrap();
    let text = "a<|endoftext|>b<|im_start|>c";
    assert!(!bpe.encode(text).iter().any(|&id| id == eot || id == im));
    let all = bpe.encode_with_special(text, &AllowedSpecial::All);
    assert_eq!(all.iter().filter(|&&id| id == eot || id == im).count(), 2);
    let some = bpe.encode_with_special(text, &AllowedSpecial::Some(vec![SPECIALS[1].into()]));
    assert!(some.contains(&im) && !some.contains(&eot));
    assert_eq!(bpe.decode(&some).unwrap(), text);
    assert_eq!(bpe.encode_with_special(text, &AllowedSpecial::None), bpe.encode(text));
}

#[test]
fn unknown_ids_are_errors() {
    let bpe = trained(Pattern::Gpt2, false);
    let err = bpe.decode(&[1, 400]).unwrap_err();
    assert_eq!(err.to_string(), "unknown token id 400 (vocabulary size is 400)");
    assert!(StreamDecoder::new(bpe).push(999).is_err());
}

#[test]
fn batch_encode_matches_single() {
    let bpe = trained(Pattern::Gpt2, false);
    let texts: Vec<String> = common::CORPUS.lines().map(String::from).collect();
    let batch = bpe.encode_batch(&texts);
    for (t, ids) in texts.iter().zip(&batch) {
        assert_eq!(&bpe.encode(t), ids);
    }
}

#[test]
fn char_tokenizer_behind_the_trait() {
    let tokenizers: Vec<Box<dyn Tokenizer>> = vec![
        Box::new(CharTokenizer::train(common::CORPUS)),
        Box::new(trained(Pattern::Gpt4, false).clone()),
    ];
    for t in &tokenizers {
        let ids = t.encode("The fox, 😀").unwrap();
        assert_eq!(t.decode(&ids).unwrap(), "The fox, 😀");
        assert!(ids.iter().all(|&id| (id as usize) < t.vocab_size()));
    }
    let chars = CharTokenizer::train("abc");
    let err = chars.encode("abz").unwrap_err();
    assert_eq!(
        err.to_string(),
        "character 'z' (U+007A) at byte 2 is not in the character vocabulary"
    );
    assert!(chars.decode(&[3]).is_err());
}

/// Each thread keeps a memo of short chunks (`src/memo.rs`); tokenizers that share a thread, a
/// clone, and a copy with other merge rules must each still get their own ids.
#[test]
fn tokenizers_sharing_a_thread_never_read_each_others_memoised_chunks() {
    let text = common::CORPUS.repeat(3);
    // Ids on a thread whose memo has never seen a chunk.
    let fresh = |bpe: &Bpe| {
        let bpe = bpe.clone();
        let text = text.clone();
        std::thread::spawn(move || (bpe.encode(&text), bpe.count(&text))).join().unwrap()
    };
    let tokenizers = all();
    let want: Vec<(Vec<u32>, usize)> = tokenizers.iter().map(|b| fresh(b)).collect();
    for _ in 0..2 {
        for (bpe, (ids, n)) in tokenizers.iter().zip(&want) {
            assert_eq!(&bpe.encode(&text), ids);
            assert_eq!(bpe.count(&text), *n);
        }
    }
    // A vocabulary word the merges never build: whole with ignore_merges, merged without it,
    // right after each other on this thread.
    let word = Bpe::bytes_only(Pattern::Gpt2).unwrap();
    let mut tokens = word.tokens();
    tokens.push(genlab_tokenizer::Token { id: 256, bytes: b" ab".to_vec(), rank: 256 });
    let whole = Bpe::new(Pattern::Gpt2, tokens, Vec::new()).unwrap();
    assert_eq!(whole.encode(" ab ab"), [256, 256]);
    let merged = whole.clone().with_ignore_merges(false);
    assert_eq!(merged.encode(" ab ab"), [32, 97, 98, 32, 97, 98]);
    assert_eq!(whole.encode(" ab ab"), [256, 256]);
}
