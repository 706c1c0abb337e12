//! `cargo xtask bench decoding`: one decoding step (logits processors + sampling) per row of a
//! GPT-2-sized vocabulary, batch 1 and 32. genlab: `crates/genlab-decoding/examples/bench.rs`
//! (full chain: repetition + presence + frequency penalties, top-k 40, top-p 0.95, min-p 0.05,
//! temperature, seeded draw). Peer: `benches/peers/decoding.py`, PyTorch CPU running Hugging
//! Face's warpers on the same logits (checked by checksum), at 1 and 2 threads. Bar: genlab's
//! full chain at least 2x faster per row than the peer's temperature + top-k + top-p + draw.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::common::{BenchCtx, Ratio};

/// Minimum speed-up over the peer (µs per row, peer / genlab).
const BAR: f64 = 2.0;

fn field(v: &Value, key: &str) -> Result<f64> {
    v.get(key).and_then(Value::as_f64).with_context(|| format!("bench output lacks `{key}`: {v}"))
}

fn row(what: String, genlab: f64, peer: Option<f64>, bar: Option<f64>) -> Ratio {
    Ratio::new(what, genlab, peer, "us/row", false, bar)
}

pub fn run(ctx: &BenchCtx) -> Result<()> {
    if let Some(device) = &ctx.device {
        eprintln!("decoding runs on the CPU only; ignoring --device {device}");
    }
    let genlab = ctx.cargo_json(
        &["run", "--release", "--quiet", "-p", "genlab-decoding", "--example", "bench_decoding"],
        &[],
    )?;
    let mut peers = Vec::new();
    if ctx.peers {
        for threads in ["1", "2"] {
            let peer = ctx.python_json(
                "decoding.py",
                &["--threads", threads],
                &[("OMP_NUM_THREADS", threads), ("MKL_NUM_THREADS", threads)],
            )?;
            let (a, b) = (field(&genlab, "logits_checksum")?, field(&peer, "logits_checksum")?);
            if (a - b).abs() > 1e-2 * a.abs().max(1.0) {
                bail!("the peer timed other logits (checksum {b} vs genlab {a})");
            }
            peers.push((threads, peer));
        }
    }
    let mut rows = Vec::new();
    for batch in ["1", "32"] {
        let full = field(&genlab, &format!("full_batch{batch}_us_per_row"))?;
        if peers.is_empty() {
            rows.push(row(format!("full chain, batch {batch}"), full, None, Some(BAR)));
            let warp = field(&genlab, &format!("warpers_batch{batch}_us_per_row"))?;
            rows.push(row(format!("temp+top-k+top-p, batch {batch}"), warp, None, None));
        }
        for (threads, peer) in &peers {
            let warpers = field(peer, &format!("warpers_batch{batch}_us_per_row"))?;
            let peer_full = field(peer, &format!("full_batch{batch}_us_per_row"))?;
            let bar = (*threads == "1").then_some(BAR);
            rows.push(row(
                format!("full chain 1t vs HF warpers, batch {batch}, torch {threads}t"),
                full,
                Some(warpers),
                bar,
            ));
            rows.push(row(
                format!("full chain 1t vs HF full chain, batch {batch}, torch {threads}t"),
                full,
                Some(peer_full),
                None,
            ));
        }
    }
    let peer_raw: Vec<Value> = peers.into_iter().map(|(_, p)| p).collect();
    ctx.report("decoding", &rows, json!({ "genlab": genlab, "peers": peer_raw }))
}
