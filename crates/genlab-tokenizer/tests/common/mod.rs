//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod texts;
pub mod vocab;

use std::sync::OnceLock;

use genlab_tokenizer::{Bpe, Pattern, Trainer};
use proptest::prelude::*;

/// A small mixed-script corpus: English, code, numbers, CJK, emoji, odd whitespace.
pub const CORPUS: &str = "The quick brown fox jumps over the lazy dog. It's 2024, isn't it? \
We'll see; they've said they'd go, and I'm sure you're right.\n\n\
fn main() { let x = 42; println!(\"{x}\"); }\r\n\ttabbed\tline   with   spaces  \n\
数字と漢字のテキスト、日本語の文章です。中文文本也在这里。\n\
Émoji: 😀🎉👍🏽 café naïve coöperate façade — “quotes” and ‘single’…\n\
1234567890 3.14159 1,000,000 0xDEADBEEF\n";

pub const SPECIALS: [&str; 2] = ["<|endoftext|>", "<|im_start|>"];

/// A tokenizer trained on [`CORPUS`] repeated, per pattern, with or without specials.
pub fn trained(pattern: Pattern, specials: bool) -> &'static Bpe {
    static CELLS: [OnceLock<Bpe>; 6] = [const { OnceLock::new() }; 6];
    let slot = match &pattern {
        Pattern::Gpt2 => 0,
        Pattern::Gpt4 => 2,
        _ => 4,
    } + usize::from(specials);
    CELLS[slot].get_or_init(|| {
        let text = CORPUS.repeat(3);
        let mut t = Trainer::new(400).pattern(pattern).min_frequency(2);
        if specials {
            t = t.special_tokens(SPECIALS);
        }
        t.train(&text).expect("trains")
    })
}

/// Strings built from pieces that stress the pre-tokenizers and UTF-8 handling.
pub fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("'s".to_string()),
        Just("'LL".to_string()),
        Just("'ſ".to_string()),
        Just("'Re".to_string()),
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{3000}".to_string()),
        Just("😀".to_string()),
        Just("👍🏽".to_string()),
        Just("e\u{301}".to_string()),
        Just("中文".to_string()),
        // o200k's case classes: titlecase, modifier letter, lone mark, caseless before upper.
        Just("ǅ".to_string()),
        Just("ʰ".to_string()),
        Just("\u{301}".to_string()),
        Just("中A".to_string()),
        Just("/".to_string()),
        Just("٣".to_string()),
        // DeepSeek's steps: kana and its marks and symbols, a zero-width joiner, ASCII
        // punctuation before letters.
        Just("カ・タ\u{3099}゛".to_string()),
        Just("\u{200d}".to_string()),
        Just("(Abc".to_string()),
        Just("<|endoftext|>".to_string()),
        Just("<|im_start|>".to_string()),
        "[a-zA-Z]{1,6}",
        "[0-9]{1,5}",
        "[!-/:-@\\[-`{-~]{1,3}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}
