//! The hand-written GPT-2, GPT-4, o200k, Qwen2, Tekken and DeepSeek V3 splitters agree with
//! fancy-regex running the real patterns.

mod common;

use genlab_tokenizer::{
    DEEPSEEK_V3_SPLITS, GPT2_PATTERN, GPT4_PATTERN, O200K_PATTERN, Pattern, QWEN2_PATTERN,
    TEKKEN_PATTERN,
};
use proptest::prelude::*;

fn check(text: &str) {
    for fast in [
        Pattern::Gpt2,
        Pattern::Gpt4,
        Pattern::O200k,
        Pattern::Qwen2,
        Pattern::Tekken,
        Pattern::DeepseekV3,
    ] {
        let a = fast.splitter().unwrap().split(text);
        let b = fast.regex_splitter().unwrap().split(text);
        assert_eq!(a, b, "{fast:?} on {text:?}");
        assert_eq!(a.concat(), text);
    }
}

/// The reference splitters run the very patterns the published tokenizers write out.
#[test]
fn reference_splitters_run_the_published_patterns() {
    for (p, re) in [
        (Pattern::Gpt2, GPT2_PATTERN),
        (Pattern::Gpt4, GPT4_PATTERN),
        (Pattern::O200k, O200K_PATTERN),
        (Pattern::Qwen2, QWEN2_PATTERN),
        (Pattern::Tekken, TEKKEN_PATTERN),
    ] {
        assert_eq!(p.splits(), [re]);
        assert_eq!(Pattern::parse(re), p);
    }
    assert_eq!(Pattern::DeepseekV3.splits(), DEEPSEEK_V3_SPLITS);
    let text = "x 12345 中文abc";
    assert_eq!(
        Pattern::Custom(O200K_PATTERN.into()).splitter().unwrap().split(text),
        Pattern::O200k.regex_splitter().unwrap().split(text)
    );
}

#[test]
fn known_splits() {
    let gpt2 = Pattern::Gpt2.splitter().unwrap();
    assert_eq!(
        gpt2.split("I'm here  now\n\nok"),
        ["I", "'m", " here", " ", " now", "\n", "\n", "ok"]
    );
    let gpt4 = Pattern::Gpt4.splitter().unwrap();
    assert_eq!(
        gpt4.split("Hello 12345 (world)!\n\n x"),
        ["Hello", " ", "123", "45", " (", "world", ")!\n\n", " x"]
    );
    let o200k = Pattern::O200k.splitter().unwrap();
    assert_eq!(
        o200k.split("CamelCase don't SHOUT'S 12345!\n/x\n\n"),
        ["Camel", "Case", " don't", " SHOUT'S", " ", "123", "45", "!\n/", "x", "\n\n"]
    );
    // Qwen2: GPT-4's splits, one digit per number chunk.
    let qwen2 = Pattern::Qwen2.splitter().unwrap();
    assert_eq!(qwen2.split("x 2024"), ["x", " ", "2", "0", "2", "4"]);
    // Tekken: o200k's case splits, no contractions, one digit per number chunk.
    let tekken = Pattern::Tekken.splitter().unwrap();
    assert_eq!(tekken.split("CamelCase don't 42"), ["Camel", "Case", " don", "'t", " ", "4", "2"]);
    // DeepSeek V3: digits in threes, then CJK runs, then the rest, each step within the last.
    let deepseek = Pattern::DeepseekV3.splitter().unwrap();
    assert_eq!(deepseek.split("abc中文12345 x"), ["abc", "中文", "123", "45", " x"]);
    for t in [common::CORPUS, "", " ", "a", "'", "''s", " 'll", "\r\n\r\n  \n", "x  \t y"] {
        check(t);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn tricky_text_splits_like_the_regex(text in common::tricky_text()) {
        check(&text);
    }

    #[test]
    fn arbitrary_unicode_splits_like_the_regex(text in any::<String>()) {
        check(&text);
    }
}
