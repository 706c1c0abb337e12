//! Benchmarks run by `cargo xtask bench rnn`; prints one JSON object as the last line.
//!
//! - `speed [steps] [lstm|gru]`: median training-step time of the baby char-RNN (batch 12,
//!   context 64) on random tokens: forward, backward, global-norm clipping, AdamW, as
//!   `bench_gpt speed` times the baby GPT.
//! - `cell [steps]`: forward + backward of the baby LSTM shape (embedding 128, 2 layers of
//!   232, head) three ways: genlab's model (`CharRnn`, fused layers), the same stack built
//!   from `burn::nn::Lstm`, and genlab's model with the time loop composed from burn ops
//!   (`genlab_tensor::fused::lstm_sequence_composed`).
//! - `generate [tokens]`: tokens/s sampling greedily from the baby LSTM (hidden state as
//!   the cache).
//! - `matmul [iters]`: microseconds of the matmul shapes one LSTM step runs (forward, and the
//!   two of its backward), against one matmul over every step's inputs.

use std::time::Instant;

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor};
use genlab_decoding::{GenerationConfig, generate};
use genlab_tensor::{DeviceSpec, fused};
use genlab_transformer::data::{batch_rng, random_batch};
use genlab_transformer::pretrain::next_token_loss;
use genlab_transformer::rnn::{Cell, CharRnn, RnnConfig, RnnGenerator};

// The same allocator as the genlab binary (see genlab_tensor::alloc).
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

fn main() {
    genlab_tensor::alloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("speed");
    let n: Option<usize> = args.get(1).and_then(|s| s.parse().ok());
    let cell = Cell::parse(args.get(2).map(String::as_str).unwrap_or("lstm")).expect("cell");
    let device = DeviceSpec::from_flag_or_env(None).expect("device spec").device().expect("device");
    let threads = std::env::var("RAYON_NUM_THREADS").ok();
    let mut json = match mode {
        "speed" => speed(n.unwrap_or(30), cell, &device),
        "cell" => cells(n.unwrap_or(10), &device),
        "generate" => generation(n.unwrap_or(500), &device),
        "matmul" => matmuls(n.unwrap_or(200), &device),
        other => panic!("unknown mode {other:?}: speed, cell or generate"),
    };
    json["rayon_threads"] = serde_json::json!(threads);
    json["device"] = serde_json::json!(format!("{device:?}"));
    println!("{json}");
}

fn tokens() -> Vec<u32> {
    (0..100_000u32).map(|i| (i * 7 + i / 13) % 65).collect()
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn speed(steps: usize, cell: Cell, device: &Device) -> serde_json::Value {
    let device = device.clone().autodiff();
    device.seed(0);
    let cfg = RnnConfig::baby(cell, 65);
    let tokens = tokens();
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
    let median = median(times);
    serde_json::json!({
        "cell": cell.name(), "num_params": cfg.num_params(),
        "median_step_ms": median * 1e3, "tokens_per_sec": 12.0 * 64.0 / median,
    })
}

/// The baby LSTM stack built from `burn::nn::Lstm` (for the comparison only).
#[derive(Module, Debug)]
struct BurnLstmLm {
    wte: Embedding,
    layers: Vec<burn::nn::Lstm>,
    head: Linear,
}

impl BurnLstmLm {
    fn new(cfg: &RnnConfig, device: &Device) -> Self {
        let d_in = |l: usize| if l == 0 { cfg.n_embd } else { cfg.n_hidden };
        Self {
            wte: EmbeddingConfig::new(cfg.vocab_size, cfg.n_embd).init(device),
            layers: (0..cfg.n_layer)
                .map(|l| burn::nn::LstmConfig::new(d_in(l), cfg.n_hidden, true).init(device))
                .collect(),
            head: LinearConfig::new(cfg.n_hidden, cfg.vocab_size).init(device),
        }
    }

    fn loss(&self, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
        let mut x = self.wte.forward(idx); // [b, t, e]
        for layer in &self.layers {
            x = layer.forward(x, None).0; // [b, t, h]
        }
        next_token_loss(self.head.forward(x), targets) // logits [b, t, v]
    }
}

/// genlab's model with the time loop composed from burn ops
/// (`fused::lstm_sequence_composed`) instead of the fused kernel: what the kernel buys.
fn composed_loss(model: &CharRnn, idx: Tensor<2, Int>, targets: Tensor<2, Int>) -> Tensor<1> {
    let [b, t] = idx.dims();
    let mut x = model.wte.forward(idx.swap_dims(0, 1)); // [t, b, e], time first
    for layer in &model.lstm {
        let (d, h) = (x.dims()[2], layer.d_hidden());
        let xp = layer.project(x.reshape([t * b, d])).reshape([t, b, 4 * h]);
        let hc0 = Tensor::zeros([b, 2 * h], &xp.device());
        x = fused::lstm_sequence_composed(xp, layer.w_hh.val(), hc0).narrow(2, 0, h); // [t, b, h]
    }
    next_token_loss(model.lm_head.forward(x.swap_dims(0, 1)), targets) // logits [b, t, v]
}

fn time_loss(
    steps: usize,
    device: &Device,
    loss: &dyn Fn(Tensor<2, Int>, Tensor<2, Int>) -> Tensor<1>,
) -> f64 {
    let tokens = tokens();
    let mut times = Vec::new();
    for step in 0..steps + 2 {
        let t0 = Instant::now();
        let (x, y) = random_batch(&tokens, 12, 64, &mut batch_rng(0, step as u64, 0), device);
        let l = loss(x, y);
        let _: f32 = l.clone().into_scalar();
        let _grads = l.backward();
        if step >= 2 {
            times.push(t0.elapsed().as_secs_f64());
        }
    }
    median(times)
}

fn cells(steps: usize, device: &Device) -> serde_json::Value {
    let device = device.clone().autodiff();
    device.seed(0);
    let cfg = RnnConfig::baby(Cell::Lstm, 65);
    let genlab = cfg.init(&device);
    let burn = BurnLstmLm::new(&cfg, &device);
    let ours = time_loss(steps, &device, &|x, y| genlab.loss(x, y));
    let theirs = time_loss(steps, &device, &|x, y| burn.loss(x, y));
    let composed = time_loss(steps, &device, &|x, y| composed_loss(&genlab, x, y));
    serde_json::json!({
        "genlab_fwd_bwd_ms": ours * 1e3,
        "burn_lstm_fwd_bwd_ms": theirs * 1e3,
        "genlab_composed_fwd_bwd_ms": composed * 1e3,
        "burn_over_genlab": theirs / ours,
        "composed_over_genlab": composed / ours,
    })
}

fn generation(tokens: usize, device: &Device) -> serde_json::Value {
    device.seed(0);
    let model = RnnConfig::baby(Cell::Lstm, 65).init(device);
    let config = GenerationConfig {
        max_new_tokens: tokens,
        temperature: 0.0,
        repeat_penalty: 1.0,
        ..GenerationConfig::default()
    };
    let generator = RnnGenerator::new(&model, device);
    let t0 = Instant::now();
    let out = generate(&generator, &[0], &config, None).expect("generation");
    assert_eq!(out.tokens.len(), tokens);
    serde_json::json!({ "tokens": tokens, "tokens_per_sec": tokens as f64 / t0.elapsed().as_secs_f64() })
}

fn matmuls(iters: usize, device: &Device) -> serde_json::Value {
    use burn::tensor::Distribution;
    let t = |shape: [usize; 2]| Tensor::<2>::random(shape, Distribution::Default, device);
    let time = |a: Tensor<2>, b: Tensor<2>| {
        let t0 = Instant::now();
        for _ in 0..iters {
            let _ = a.clone().matmul(b.clone()).into_data();
        }
        t0.elapsed().as_secs_f64() / iters as f64 * 1e6
    };
    serde_json::json!({
        "h_w_12x232x928_us": time(t([12, 232]), t([232, 928])),
        "wt_ht_928x232x12_us": time(t([928, 232]), t([232, 12])),
        "dw_232x12x928_us": time(t([232, 12]), t([12, 928])),
        "dwt_928x12x232_us": time(t([928, 12]), t([12, 232])),
        "dh_12x928x232_us": time(t([12, 928]), t([928, 232])),
        "big_768x232x928_us": time(t([768, 232]), t([232, 928])),
    })
}
