//! The Rust side of `cargo xtask bench tokenizer`'s encode rows: genlab against the crates.io
//! `tiktoken` crate (the fastest Rust BPE we know of, a dev-dependency) on the published
//! vocabularies, one thread each, same ranks and same text, the two sides timed in turn.
//!
//! Three kinds of text: English prose (the last megabyte of `--prose`, the part a GPT trained
//! on its first 90 % never sees), this repository's Rust sources (`--source DIR`), and a 200 KB
//! seeded Unicode mix. The ids of the two sides must be identical.
//!
//! With `--out DIR` it also writes what the Python peers need: the texts, genlab's ids per
//! encoding and text (little-endian u32), each vocabulary as a Hugging Face `tokenizer.json`,
//! and `manifest.json` naming the patterns and special tokens. Prints one JSON object as the
//! last line of stdout.
//!
//! ```sh
//! cargo run --release -p genlab-tokenizer --example rank_files -- vocab/
//! cargo run --release -p genlab-tokenizer --example bench_encode -- --vocab vocab/ \
//!     --prose ../shared/data/text/shakespeare.txt --source crates/ [--reps 7] [--out DIR] \
//!     [--encodings cl100k_base,o200k_base] [--kinds prose,code,unicode]
//! ```

#[path = "../tests/common/texts.rs"]
mod texts;

use std::path::{Path, PathBuf};
use std::time::Instant;

use genlab_tokenizer::{Bpe, Encoding};
use serde_json::{Value, json};

/// Seconds of one call of `f`, on a thread of its own. Both sides keep per-thread memos of
/// the pieces they have seen, so timing the same text again on one thread would measure a
/// memo that already holds it; a fresh thread starts each run cold, as on new text.
fn time<T>(f: impl FnOnce() -> T + Send) -> f64 {
    std::thread::scope(|s| {
        s.spawn(|| {
            let t = Instant::now();
            let out = f();
            let dt = t.elapsed().as_secs_f64();
            drop(out);
            dt
        })
        .join()
        .expect("the timed run panicked")
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The last `bytes` of `text`, starting at a line.
fn tail(text: &str, bytes: usize) -> &str {
    let mut from = text.len().saturating_sub(bytes);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let from = text[from..].find('\n').map_or(from, |i| from + i + 1);
    &text[from..]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let vocab = PathBuf::from(arg("--vocab").ok_or("--vocab DIR (rank files) is required")?);
    let prose = std::fs::read_to_string(arg("--prose").ok_or("--prose FILE is required")?)?;
    let source = texts::source_code(Path::new(&arg("--source").ok_or("--source DIR")?));
    let reps: usize = arg("--reps").map_or(Ok(7), |v| v.parse())?;
    if reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    let out = arg("--out").map(PathBuf::from);
    let names: Vec<Encoding> = match arg("--encodings") {
        Some(list) => list.split(',').map(str::parse).collect::<Result<_, _>>()?,
        None => Encoding::ALL.to_vec(),
    };
    let mut texts = vec![
        ("prose", tail(&prose, 1_000_000).to_string()),
        ("code", source),
        ("unicode", texts::unicode_mix(200_000, 7)),
    ];
    if let Some(kinds) = arg("--kinds") {
        texts.retain(|(kind, _)| kinds.split(',').any(|k| k == *kind));
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)?;
        for (kind, text) in &texts {
            std::fs::write(dir.join(format!("{kind}.txt")), text)?;
        }
    }
    let mut report = serde_json::Map::new();
    let mut manifest = serde_json::Map::new();
    for e in names {
        let path = vocab.join(format!("{}.tiktoken", e.name()));
        let bpe: Bpe = e.load(&path)?;
        let peer = tiktoken::get_encoding(e.name()).ok_or_else(|| format!("tiktoken lacks {e}"))?;
        let mut rows = serde_json::Map::new();
        for (kind, text) in &texts {
            let mb = text.len() as f64 / 1e6;
            let ids = bpe.encode(text);
            if peer.encode(text) != ids {
                return Err(format!("{e} on {kind}: genlab and tiktoken ids differ").into());
            }
            let (mut ours, mut theirs, mut counts) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..reps {
                ours.push(time(|| bpe.encode(text)));
                theirs.push(time(|| peer.encode(text)));
                counts.push(time(|| bpe.count(text)));
            }
            let (ours, theirs, counts) = (median(ours), median(theirs), median(counts));
            rows.insert(
                kind.to_string(),
                json!({
                    "bytes": text.len(),
                    "tokens": ids.len(),
                    "genlab_mb_s": mb / ours,
                    "genlab_count_mb_s": mb / counts,
                    "tiktoken_rs_mb_s": mb / theirs,
                    "ratio": theirs / ours,
                }),
            );
            eprintln!(
                "{e:>12} {kind:>8}: {:>8} tokens, genlab {:6.1} MB/s, tiktoken crate {:6.1} MB/s ({:.2}x)",
                ids.len(),
                mb / ours,
                mb / theirs,
                theirs / ours
            );
            if let Some(dir) = &out {
                let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
                std::fs::write(dir.join(format!("{}.{kind}.u32", e.name())), bytes)?;
            }
        }
        if let Some(dir) = &out {
            let hf = dir.join(format!("{}.tokenizer.json", e.name()));
            bpe.save_hf(&hf)?;
            manifest.insert(
                e.name().to_string(),
                json!({
                    "ranks": path,
                    "tokenizer_json": hf,
                    "splits": e.pattern().splits(),
                    "special_tokens": e.special_tokens().into_iter().map(|(s, id)| (s, json!(id))).collect::<serde_json::Map<String, Value>>(),
                }),
            );
        }
        report.insert(e.name().to_string(), Value::Object(rows));
    }
    if let Some(dir) = &out {
        std::fs::write(dir.join("manifest.json"), Value::Object(manifest).to_string())?;
    }
    println!("{}", Value::Object(report));
    Ok(())
}
