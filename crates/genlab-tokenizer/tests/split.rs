//! The hand-written GPT-2, GPT-4, o200k and Qwen2 splitters agree with fancy-regex running the
//! real patterns.

mod common;

use genlab_tokenizer::{GPT2_PATTERN, GPT4_PATTERN, O200K_PATTERN, Pattern, QWEN2_PATTERN};
use proptest::prelude::*;

fn check(text: &str) {
    for (fast, regex) in [
        (Pattern::Gpt2, Pattern::Custom(GPT2_PATTERN.into())),
        (Pattern::Gpt4, Pattern::Custom(GPT4_PATTERN.into())),
        (Pattern::O200k, Pattern::Custom(O200K_PATTERN.into())),
        (Pattern::Qwen2, Pattern::Custom(QWEN2_PATTERN.into())),
    ] {
        let a = fast.splitter().unwrap().split(text);
        let b = regex.splitter().unwrap().split(text);
        assert_eq!(a, b, "{fast:?} on {text:?}");
        assert_eq!(a.concat(), text);
    }
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
