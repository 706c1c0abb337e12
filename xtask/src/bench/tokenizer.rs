//! `cargo xtask bench tokenizer`: genlab-tokenizer against Hugging Face `tokenizers` (training)
//! and tiktoken (encoding) on the Shakespeare corpus, vocab 8,192, GPT-2 pattern; then the six
//! published vocabularies, loaded (text and binary) and encoding prose, code and a Unicode mix
//! against the crates.io `tiktoken` crate (`examples/bench_encode.rs`), Python tiktoken and
//! Hugging Face (`benches/peers/tokenizer_encodings.py`), ids checked identical on every side.
//!
//! The genlab side is `crates/genlab-tokenizer/examples/bench.rs`; it exports its ranks as a
//! tiktoken file and its ids, and `benches/peers/tokenizer.py` encodes with those ranks and
//! checks the ids are identical.

use anyhow::{Context, bail};
use serde_json::Value;

use super::common::{BenchCtx, Ratio};

const VOCAB: &str = "8192";

fn num(v: &Value, key: &str) -> anyhow::Result<f64> {
    v[key].as_f64().with_context(|| format!("bench output has no number {key:?}: {v}"))
}

pub fn run(ctx: &BenchCtx) -> anyhow::Result<()> {
    let corpus = ctx.data("text/shakespeare.txt")?;
    let corpus = corpus.to_str().context("corpus path is not UTF-8")?.to_string();
    std::fs::create_dir_all(&ctx.out_dir)
        .with_context(|| format!("creating {}", ctx.out_dir.display()))?;
    let ranks = ctx.out_dir.join("tokenizer-ranks.tiktoken");
    let ids = ctx.out_dir.join("tokenizer-ids.u32");
    let (ranks, ids) = (ranks.to_string_lossy().into_owned(), ids.to_string_lossy().into_owned());
    let g = ctx.cargo_json(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "genlab-tokenizer",
            "--example",
            "bench_tokenizer",
            "--",
            "--corpus",
            &corpus,
            "--vocab",
            VOCAB,
            "--ranks-out",
            &ranks,
            "--ids-out",
            &ids,
        ],
        &[],
    )?;
    let p = if ctx.peers {
        let p = ctx.python_json(
            "tokenizer.py",
            &["--corpus", &corpus, "--vocab", VOCAB, "--ranks", &ranks, "--ids", &ids],
            &[],
        )?;
        if p["ids_identical"].as_bool() != Some(true) {
            bail!("tiktoken and genlab ids differ on the corpus: {p}");
        }
        Some(p)
    } else {
        None
    };
    let peer = |key: &str| p.as_ref().and_then(|p| p[key].as_f64());
    let rows = vec![
        Ratio::new(
            "train to 8192, all cores each (s, vs HF)",
            num(&g, "train_s")?,
            peer("hf_train_s"),
            "s",
            false,
            Some(1.0),
        ),
        Ratio::new(
            "train peak RSS (MiB, vs HF)",
            num(&g, "peak_rss_mib")?,
            peer("hf_peak_rss_mib"),
            "MiB",
            false,
            None,
        ),
        Ratio::new(
            "encode 1 thread (vs tiktoken)",
            num(&g, "encode_mb_s")?,
            peer("tiktoken_encode_mb_s"),
            "MB/s",
            true,
            Some(1.0),
        ),
        Ratio::new(
            "encode batch of lines, all threads (vs tiktoken)",
            num(&g, "batch_lines_mb_s")?,
            peer("tiktoken_batch_lines_mb_s"),
            "MB/s",
            true,
            None,
        ),
        Ratio::new(
            "encode one text in parallel blocks",
            num(&g, "parallel_encode_mb_s")?,
            None,
            "MB/s",
            true,
            None,
        ),
        Ratio::new(
            "100,000 x 'a' (limit 1 s)",
            num(&g, "repeated_a_100k_s")?,
            None,
            "s",
            false,
            None,
        ),
        Ratio::new(
            "1 MB line without spaces (limit 1 s)",
            num(&g, "spaceless_1mb_s")?,
            None,
            "s",
            false,
            None,
        ),
    ];
    // The published vocabularies: rank files from the crates.io `tiktoken` crate (official
    // sha256 checked), loaded as text and in genlab's binary format.
    let vocab = ctx.out_dir.join("vocab");
    let vocab = vocab.to_string_lossy().into_owned();
    let example = |name: &str| {
        ["run", "--release", "--quiet", "-p", "genlab-tokenizer", "--example", name, "--"]
            .map(String::from)
            .to_vec()
    };
    let mut write = crate::util::cargo();
    write.args(example("rank_files")).arg(&vocab);
    crate::util::run_loud(write, &ctx.root)?;
    let mut load_args = example("bench_load");
    load_args.push(vocab.clone());
    let load_args: Vec<&str> = load_args.iter().map(String::as_str).collect();
    let loads = ctx.cargo_json(&load_args, &[])?;
    let mut rows = rows;
    for (name, how) in [("o200k_base", "text"), ("o200k_base", "binary"), ("cl100k_base", "binary")]
    {
        let first = num(&loads[name], &format!("{how}_first_ms"))?;
        rows.push(Ratio::new(
            format!("load {name}, {how}, first in the process (ms)"),
            first,
            None,
            "ms",
            false,
            None,
        ));
    }
    // Encoding the published vocabularies: genlab against the crates.io `tiktoken` crate in
    // one Rust process, then Python tiktoken and Hugging Face on the same texts and ranks.
    let encode_dir = ctx.out_dir.join("encode").to_string_lossy().into_owned();
    let source = ctx.root.join("crates").to_string_lossy().into_owned();
    let mut encode_args = example("bench_encode");
    encode_args.extend(
        ["--vocab", &vocab, "--prose", &corpus, "--source", &source, "--out", &encode_dir]
            .map(String::from),
    );
    let encode_args: Vec<&str> = encode_args.iter().map(String::as_str).collect();
    let encodes = ctx.cargo_json(&encode_args, &[])?;
    let py = if ctx.peers {
        let py = ctx.python_json(
            "tokenizer_encodings.py",
            &["--vocab", &vocab, "--dir", &encode_dir],
            &[],
        )?;
        for (name, kinds) in py["encodings"].as_object().into_iter().flatten() {
            for (kind, row) in kinds.as_object().into_iter().flatten() {
                for side in ["tiktoken_py", "hf"] {
                    // null: that peer cannot express the encoding (tiktoken, deepseek_v3)
                    if row[format!("{side}_identical")].as_bool() == Some(false) {
                        bail!("{side} and genlab ids differ for {name} on {kind}: {row}");
                    }
                }
            }
        }
        Some(py)
    } else {
        None
    };
    for (name, kinds) in encodes.as_object().into_iter().flatten() {
        for kind in ["prose", "code", "unicode"] {
            let row = &kinds[kind];
            let what = |peer: &str| format!("encode {name} {kind}, 1 thread (vs {peer})");
            let ours = num(row, "genlab_mb_s")?;
            rows.push(Ratio::new(
                what("tiktoken crate"),
                ours,
                row["tiktoken_rs_mb_s"].as_f64(),
                "MB/s",
                true,
                Some(1.0),
            ));
            let peer =
                |key: &str| py.as_ref().and_then(|p| p["encodings"][name][kind][key].as_f64());
            if matches!(name.as_str(), "cl100k_base" | "o200k_base") {
                rows.push(Ratio::new(
                    what("Python tiktoken"),
                    ours,
                    peer("tiktoken_py_mb_s"),
                    "MB/s",
                    true,
                    Some(5.0),
                ));
                rows.push(Ratio::new(
                    what("HF tokenizers"),
                    ours,
                    peer("hf_mb_s"),
                    "MB/s",
                    true,
                    None,
                ));
            }
        }
    }
    let o200k = num(&loads["o200k_base"], "binary_first_ms")?;
    if o200k >= 50.0 {
        eprintln!("note: loading o200k_base (binary) took {o200k:.1} ms, over the 50 ms aim");
    }
    let g = serde_json::json!({ "encode": g, "load_ms": loads, "named_encodings": encodes });
    for key in ["repeated_a_100k_s", "spaceless_1mb_s"] {
        if num(&g["encode"], key)? >= 1.0 {
            bail!("{key} took {} s, over the 1 s limit", num(&g["encode"], key)?);
        }
    }
    ctx.report(
        "tokenizer",
        &rows,
        serde_json::json!({ "genlab": g, "peer": p, "peer_named_encodings": py }),
    )
}
