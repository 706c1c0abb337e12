//! Benchmarks run by `cargo xtask bench gpt`; prints one JSON object as the last line.
//!
//! - `speed [steps]`: median training-step time of the baby preset (batch 12, context 64) on
//!   random tokens: forward, backward, global-norm clipping, AdamW.
//! - `generate [tokens]`: tokens/s generating greedily from the small preset shape (6 layers,
//!   6 heads, width 384, context 256) with and without the KV cache.

use std::time::Instant;

use burn::optim::GradientsParams;
use genlab_decoding::{GenerationConfig, generate};
use genlab_tensor::DeviceSpec;
use genlab_transformer::data::{batch_rng, random_batch};
use genlab_transformer::{GptConfig, GptGenerator};

// The same allocator as the genlab binary (see genlab_tensor::alloc).
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

fn main() {
    genlab_tensor::alloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("speed");
    let n: Option<usize> = args.get(1).and_then(|s| s.parse().ok());
    let device = DeviceSpec::from_flag_or_env(None).expect("device spec").device().expect("device");
    let threads = std::env::var("RAYON_NUM_THREADS").ok();
    let mut json = match mode {
        "speed" => speed(n.unwrap_or(30), &device),
        "generate" => generation(n.unwrap_or(500), &device),
        other => panic!("unknown mode {other:?}: speed or generate"),
    };
    json["rayon_threads"] = serde_json::json!(threads);
    json["device"] = serde_json::json!(format!("{device:?}"));
    println!("{json}");
}

fn speed(steps: usize, device: &genlab_tensor::Device) -> serde_json::Value {
    let device = device.clone().autodiff();
    device.seed(0);
    let cfg = GptConfig::baby(65);
    let tokens: Vec<u32> = (0..100_000u32).map(|i| (i * 7 + i / 13) % 65).collect();
    let mut model = cfg.init(&device);
    let mut optim = genlab_train::OptimConfig::default().init(&model);
    let mut times = Vec::new();
    for step in 0..steps + 3 {
        let t0 = Instant::now();
        let (x, y) = random_batch(&tokens, 12, 64, &mut batch_rng(0, step as u64, 0), &device);
        let loss = model.loss(x, y);
        let _loss: f32 = loss.clone().into_scalar();
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        genlab_train::clip_grad_norm(&model, &mut grads, 1.0);
        model = optim.step(1e-3, model, grads);
        if step >= 3 {
            times.push(t0.elapsed().as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    serde_json::json!({ "median_step_ms": median * 1e3, "tokens_per_sec": 12.0 * 64.0 / median })
}

fn generation(tokens: usize, device: &genlab_tensor::Device) -> serde_json::Value {
    device.seed(0);
    let model = GptConfig { dropout: 0.0, ..GptConfig::small(65) }.init(device);
    let config = GenerationConfig {
        max_new_tokens: tokens,
        temperature: 0.0,
        repeat_penalty: 1.0,
        ..GenerationConfig::default()
    };
    let rate = |use_cache: bool| {
        let generator = GptGenerator::new(&model, device, use_cache);
        let t0 = Instant::now();
        let out = generate(&generator, &[0], &config, None).expect("generation");
        assert_eq!(out.tokens.len(), tokens);
        tokens as f64 / t0.elapsed().as_secs_f64()
    };
    let cache = rate(true);
    let no_cache = rate(false);
    serde_json::json!({ "tokens": tokens, "cache_tokens_per_sec": cache, "no_cache_tokens_per_sec": no_cache })
}
