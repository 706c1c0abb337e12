//! Writes the tokenizers behind the golden tests (`benches/peers/tokenizer_golden.py` runs this,
//! then has tiktoken and Hugging Face `tokenizers` encode `tests/fixtures/golden_text.txt`).
//!
//! `cargo run --release -p genlab-tokenizer --example golden_export -- --corpus FILE --out DIR`

use std::path::PathBuf;

use genlab_tokenizer::{Pattern, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let corpus = arg("--corpus").ok_or("--corpus FILE is required")?;
    let out = PathBuf::from(arg("--out").ok_or("--out DIR is required")?);
    let text = std::fs::read_to_string(&corpus)?;
    // A small slice keeps the fixtures small; cut at a character boundary.
    let mut end = text.len().min(200_000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    for (name, pattern) in [("gpt2", Pattern::Gpt2), ("gpt4", Pattern::Gpt4)] {
        let bpe = Trainer::new(400)
            .pattern(pattern)
            .special_tokens(["<|endoftext|>"])
            .train(&text[..end])?;
        bpe.save_tiktoken(out.join(format!("golden_{name}.tiktoken")))?;
        bpe.save_hf(out.join(format!("golden_{name}.tokenizer.json")))?;
        println!(
            "{name}: {} ids, special <|endoftext|> = {:?}",
            bpe.vocab_size(),
            bpe.special_id("<|endoftext|>")
        );
    }
    Ok(())
}
