//! Training: the minbpe toy, determinism, limits and errors. When pairs run out (min frequency)
//! the vocabulary is smaller than asked and the special tokens follow the last merge.

mod common;

use genlab_tokenizer::{Pattern, TokenizerError, Trainer};

#[test]
fn toy_three_merges() {
    let bpe =
        Trainer::new(256 + 3).pattern(Pattern::None).min_frequency(1).train("aaabdaaabac").unwrap();
    assert_eq!(bpe.encode("aaabdaaabac"), [258, 100, 258, 97, 99]);
    assert_eq!(bpe.token_bytes(256), Some(b"aa".as_slice()));
    assert_eq!(bpe.token_bytes(258), Some(b"aaab".as_slice()));
    assert_eq!(bpe.decode(&[258, 100, 258, 97, 99]).unwrap(), "aaabdaaabac");
}

#[test]
fn same_vocab_on_any_thread_count() {
    let text = common::CORPUS.repeat(2000); // ~750 KB: several parallel blocks
    let train = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| Trainer::new(600).pattern(Pattern::Gpt4).train(&text).unwrap())
    };
    let one = train(1);
    let four = train(4);
    assert!(one.vocab_size() > 500, "{}", one.vocab_size());
    assert_eq!(one.tokens(), four.tokens());
    assert_eq!(one.to_json(), train(1).to_json());
}

#[test]
fn min_frequency_stops_early() {
    let bpe =
        Trainer::new(1000).pattern(Pattern::Gpt2).min_frequency(3).train("ab ab ab cd cd").unwrap();
    // Only "ab" occurs 3 times; " ab" twice, " cd" twice: one merge passes the threshold.
    assert_eq!(bpe.vocab_size(), 257);
    assert_eq!(bpe.token_bytes(256), Some(b"ab".as_slice()));
}

#[test]
fn specials_take_the_last_ids() {
    let bpe = Trainer::new(300)
        .pattern(Pattern::Gpt2)
        .special_tokens(common::SPECIALS)
        .train(&common::CORPUS.repeat(3))
        .unwrap();
    assert_eq!(bpe.vocab_size(), 300);
    assert_eq!(bpe.special_id("<|endoftext|>"), Some(298));
    assert_eq!(bpe.special_id("<|im_start|>"), Some(299));
}

#[test]
fn files_and_iterators_train_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, common::CORPUS).unwrap();
    std::fs::write(&b, "more text, more text, and more\n").unwrap();
    let t = Trainer::new(320).pattern(Pattern::Gpt4);
    let from_files = t.train_files(&[&a, &b]).unwrap();
    let from_iter = t.train_iter([common::CORPUS, "more text, more text, and more\n"]).unwrap();
    assert_eq!(from_files.tokens(), from_iter.tokens());
    let missing = t.train_files(&[dir.path().join("nope.txt")]).unwrap_err();
    assert!(matches!(missing, TokenizerError::Io { .. }), "{missing}");
}

#[test]
fn bad_configuration_is_an_error() {
    let err = Trainer::new(100).train("abc").unwrap_err();
    assert!(err.to_string().contains("vocab size 100 is below the 256 byte tokens"), "{err}");
    let err = Trainer::new(300).pattern(Pattern::Custom("(".into())).train("abc").unwrap_err();
    assert!(matches!(err, TokenizerError::Pattern { .. }), "{err}");
    let err = Trainer::new(300).special_tokens(["<a>", "<a>"]).train("abc").unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}
