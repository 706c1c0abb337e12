//! Decoding bench for `cargo xtask bench decoding`: median microseconds per row of one
//! decoding step (chain + sample) on GPT-2-sized rows, batch 1 and batch 32. Prints a table to
//! stderr and ONE JSON object as the last line of stdout.
//!
//! `cargo run --release -p genlab-decoding --example bench_decoding [-- --reps N]`

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use genlab_decoding::{GenerationConfig, Sampler};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median µs per row over `reps` timed calls of `batch` rows each.
fn measure(config: &GenerationConfig, batch: usize, reps: usize) -> f64 {
    let logits = common::logits(common::ROWS);
    let histories = common::histories(common::ROWS);
    let refs: Vec<&[u32]> = histories.iter().map(Vec::as_slice).collect();
    let mut sampler = Sampler::from_config(config).expect("valid bench config");
    let mut out = Vec::with_capacity(common::ROWS);
    let mut times = Vec::with_capacity(reps);
    for rep in 0..reps + reps / 10 {
        out.clear();
        let start = Instant::now();
        if batch == 1 {
            let r = rep % common::ROWS;
            let row = &logits[r * common::VOCAB..(r + 1) * common::VOCAB];
            out.push(sampler.sample(row, refs[r]).expect("sample"));
        } else {
            sampler.sample_batch(&logits, common::VOCAB, &refs, &mut out).expect("sample");
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / batch as f64;
        std::hint::black_box(&out);
        if rep >= reps / 10 {
            times.push(us); // the first 10% warm up
        }
    }
    median(times)
}

fn main() {
    let mut reps = 2000;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--reps") {
        reps = args.get(i + 1).and_then(|s| s.parse().ok()).expect("--reps N");
    }
    let full1 = measure(&common::full_chain(), 1, reps);
    let full32 = measure(&common::full_chain(), common::ROWS, reps / 16);
    let warp1 = measure(&common::hf_warpers(), 1, reps);
    let warp32 = measure(&common::hf_warpers(), common::ROWS, reps / 16);
    eprintln!("genlab-decoding, V = {}, median us per row", common::VOCAB);
    eprintln!("  full chain  batch 1: {full1:8.1}   batch 32: {full32:8.1}");
    eprintln!("  hf warpers  batch 1: {warp1:8.1}   batch 32: {warp32:8.1}");
    // Lets the caller check that the peer timed the same logits.
    let checksum: f64 = common::logits(common::ROWS).iter().map(|&x| f64::from(x)).sum();
    println!(
        "{{\"vocab\":{},\"logits_checksum\":{checksum:.4},\"full_batch1_us_per_row\":{full1:.3},\
\"full_batch32_us_per_row\":{full32:.3},\"warpers_batch1_us_per_row\":{warp1:.3},\
\"warpers_batch32_us_per_row\":{warp32:.3}}}",
        common::VOCAB
    );
}
