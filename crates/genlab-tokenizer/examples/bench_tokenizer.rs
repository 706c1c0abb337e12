//! The genlab side of `cargo xtask bench tokenizer`: train to `--vocab` ids with the GPT-2
//! pattern (what Hugging Face's ByteLevel pre-tokenizer uses), export the ranks for tiktoken,
//! encode the corpus on one thread and in parallel blocks, time two pathological inputs, and
//! print one JSON object as the last line of stdout.
//!
//! `cargo run --release -p genlab-tokenizer --example bench_tokenizer -- --corpus PATH --vocab 8192
//!  [--threads N] [--ranks-out FILE] [--ids-out FILE]`

use std::time::Instant;

use genlab_tokenizer::{Bpe, Pattern, Trainer};

/// Peak resident memory of this process so far, in MiB (`VmHWM`).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

/// Best wall time of `reps` runs of `f`, with its last result.
fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.unwrap_or_else(f))
}

/// 1 MB of seeded pseudo-random lowercase letters: one chunk, no spaces.
fn spaceless_line(len: usize) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (b'a' + (x % 26) as u8) as char
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let corpus_path = arg("--corpus").ok_or("--corpus PATH is required")?;
    let vocab: usize = arg("--vocab").map_or(Ok(8192), |v| v.parse())?;
    if let Some(n) = arg("--threads") {
        rayon::ThreadPoolBuilder::new().num_threads(n.parse()?).build_global()?;
    }
    let threads = rayon::current_num_threads();
    let corpus = std::fs::read_to_string(&corpus_path)?;
    let mb = corpus.len() as f64 / 1e6;
    let rss_before = peak_rss_mib();

    let t = Instant::now();
    let bpe = Trainer::new(vocab).pattern(Pattern::Gpt2).min_frequency(2).train(&corpus)?;
    let train_s = t.elapsed().as_secs_f64();
    let train_rss = peak_rss_mib();

    let ranks_path = arg("--ranks-out")
        .map_or_else(|| std::env::temp_dir().join("genlab-bench.tiktoken"), Into::into);
    bpe.save_tiktoken(&ranks_path)?;
    // Encode with the tokenizer read back from the exported file: what tiktoken gets.
    let bpe = Bpe::load_tiktoken(&ranks_path, Pattern::Gpt2, Vec::new())?;

    let (encode_s, ids) = best_of(3, || bpe.encode(&corpus));
    let (parallel_s, par_ids) = best_of(3, || bpe.encode_parallel(&corpus));
    if par_ids != ids {
        return Err("parallel encode gave different ids".into());
    }
    let lines: Vec<&str> = corpus.split_inclusive('\n').collect();
    let (batch_lines_s, _) = best_of(3, || bpe.encode_batch(&lines));
    if let Some(p) = arg("--ids-out") {
        let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
        std::fs::write(p, bytes)?;
    }
    let repeated = "a".repeat(100_000);
    let (repeated_s, rep_ids) = best_of(1, || bpe.encode(&repeated));
    let spaceless = spaceless_line(1_000_000);
    let (spaceless_s, sp_ids) = best_of(1, || bpe.encode(&spaceless));

    let report = serde_json::json!({
        "corpus": corpus_path,
        "corpus_mb": mb,
        "threads": threads,
        "vocab": bpe.vocab_size(),
        "train_s": train_s,
        "peak_rss_mib": train_rss,
        "rss_before_train_mib": rss_before,
        "tokens": ids.len(),
        "bytes_per_token": corpus.len() as f64 / ids.len() as f64,
        "encode_s": encode_s,
        "encode_mb_s": mb / encode_s,
        "parallel_encode_s": parallel_s,
        "parallel_encode_mb_s": mb / parallel_s,
        "batch_lines_mb_s": mb / batch_lines_s,
        "repeated_a_100k_s": repeated_s,
        "repeated_a_100k_tokens": rep_ids.len(),
        "spaceless_1mb_s": spaceless_s,
        "spaceless_1mb_tokens": sp_ids.len(),
        "ranks": ranks_path,
    });
    println!("{report}");
    Ok(())
}
