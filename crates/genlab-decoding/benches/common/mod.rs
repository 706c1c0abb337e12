//! Benchmark inputs both sides compute identically (the PyTorch peer in
//! `benches/peers/decoding.py` implements the same formulas with numpy): seeded pseudo-random
//! Gaussian logits over the GPT-2 vocabulary and a 64-token history per row.

#![allow(dead_code)]

use genlab_decoding::GenerationConfig;

/// GPT-2's vocabulary size.
pub const VOCAB: usize = 50_257;
/// Rows generated (the batch-32 case uses all of them, batch 1 cycles through them).
pub const ROWS: usize = 32;
/// History length per row (the penalties' window).
pub const HISTORY: usize = 64;

/// A 32-bit integer hash (murmur3's finaliser after a Weyl step).
pub fn hash(i: u64) -> u32 {
    let mut x = (i.wrapping_mul(0x9E37_79B1).wrapping_add(0x7F4A_7C15)) as u32;
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x = x.wrapping_mul(0xC2B2_AE35);
    x ^= x >> 16;
    x
}

/// `rows x VOCAB` logits, row-major: 2.5 * N(0, 1) by Box-Muller on two hashes per entry.
pub fn logits(rows: usize) -> Vec<f32> {
    (0..(rows * VOCAB) as u64)
        .map(|i| {
            let u1 = (f64::from(hash(2 * i)) + 0.5) / 4_294_967_296.0;
            let u2 = (f64::from(hash(2 * i + 1)) + 0.5) / 4_294_967_296.0;
            (2.5 * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
        })
        .collect()
}

/// `rows` histories of `HISTORY` token ids.
pub fn histories(rows: usize) -> Vec<Vec<u32>> {
    (0..rows as u64)
        .map(|r| {
            (0..HISTORY as u64)
                .map(|j| hash(1_000_000_000 + r * HISTORY as u64 + j) % VOCAB as u32)
                .collect()
        })
        .collect()
}

/// The full chain of the bar: repetition + presence + frequency penalties, top-k 40,
/// top-p 0.95, min-p 0.05, temperature 0.8, then a seeded draw.
pub fn full_chain() -> GenerationConfig {
    GenerationConfig {
        temperature: 0.8,
        top_k: 40,
        top_p: 0.95,
        min_p: 0.05,
        repeat_penalty: 1.1,
        repeat_last_n: 64,
        presence_penalty: 0.3,
        frequency_penalty: 0.2,
        seed: 0,
        ..GenerationConfig::default()
    }
}

/// What the Hugging Face peer runs: temperature, top-k 40, top-p 0.95, then a draw.
pub fn hf_warpers() -> GenerationConfig {
    GenerationConfig {
        temperature: 0.8,
        top_k: 40,
        top_p: 0.95,
        min_p: 0.0,
        repeat_penalty: 1.0,
        seed: 0,
        ..GenerationConfig::default()
    }
}
