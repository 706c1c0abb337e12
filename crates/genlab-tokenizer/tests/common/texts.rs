//! The three kinds of text the published vocabularies are checked and benchmarked on: English
//! prose (from the caller), Rust source, and a seeded Unicode mix. Shared by
//! `tests/encodings.rs` and `examples/bench_encode.rs`.

use std::path::Path;

use rand::{Rng, SeedableRng};

/// A seeded mix of everything the split patterns treat differently: cased words
/// (`CamelCase`, `ǅ`), contractions, digit runs, whitespace runs with CR/LF, tabs and NBSP,
/// punctuation runs ending in `/` or newlines, CJK, Arabic, Devanagari, combining marks,
/// emoji with skin tones and ZWJ, and random code points.
pub fn unicode_mix(bytes: usize, seed: u64) -> String {
    const PIECES: &[&str] = &[
        "the",
        "The",
        "THE",
        "CamelCase",
        "iPhone",
        "HTTPServer",
        "ǅemal",
        "ǈ",
        "don't",
        "DON'T",
        "we'll",
        "it's",
        "'S",
        "they'VE",
        "123",
        "4567890",
        "٣٤٥",
        "²",
        "Ⅻ",
        " ",
        "  ",
        "   ",
        "\t",
        "\n",
        "\r\n",
        "\n\n",
        " \n ",
        "\u{a0}",
        "\u{3000}",
        "...",
        "?!",
        "://",
        "./",
        ".\n/",
        "/",
        "—",
        "“quoted”",
        "(x)",
        "{}",
        "->",
        "数字と漢字",
        "中文文本",
        "日本語",
        "مرحبا",
        "नमस्ते",
        "e\u{301}",
        "a\u{308}\u{301}",
        "\u{301}",
        "😀",
        "👍🏽",
        "👨‍👩‍👧",
        "🦀",
        "ﬁ",
        "ß",
        "İ",
        "ſ",
        "'ſ",
        "x²",
        "v1.2.3",
        "fn main() {",
        "<|endoftext|>",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::with_capacity(bytes + 16);
    while s.len() < bytes {
        if rng.random_bool(0.1) {
            // Any assigned-looking scalar value from the BMP and the emoji planes.
            let c = loop {
                let v = if rng.random_bool(0.8) {
                    rng.random_range(0x20..0x3000)
                } else {
                    rng.random_range(0x1F300..0x1FAFF)
                };
                if let Some(c) = char::from_u32(v) {
                    break c;
                }
            };
            s.push(c);
        } else {
            s.push_str(PIECES[rng.random_range(0..PIECES.len())]);
        }
    }
    s
}

/// The `.rs` files under `dir`, recursively, in path order, concatenated: code, comments, long
/// whitespace runs.
pub fn source_code(dir: &Path) -> String {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}
