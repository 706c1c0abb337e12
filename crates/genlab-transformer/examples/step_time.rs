//! Times baby-GPT training steps (forward + backward + AdamW) on random tokens.
//! `cargo run --release -p genlab-transformer --example step_time -- [steps]`

use burn::optim::GradientsParams;
use genlab_tensor::DeviceSpec;
use genlab_transformer::GptConfig;
use genlab_transformer::data::{batch_rng, random_batch};

fn main() {
    let steps: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20);
    let device = DeviceSpec::from_flag_or_env(None).unwrap().device().unwrap().autodiff();
    device.seed(0);
    let cfg = GptConfig::baby(65);
    let tokens: Vec<u32> = (0..100_000u32).map(|i| (i * 7 + i / 13) % 65).collect();
    let mut model = cfg.init(&device);
    let mut optim = genlab_train::OptimConfig::default().init(&model);
    let mut times = Vec::new();
    for step in 0..steps {
        let t0 = std::time::Instant::now();
        let (x, y) = random_batch(&tokens, 12, 64, &mut batch_rng(0, step as u64, 0), &device);
        let loss = model.loss(x, y);
        let _l: f32 = loss.clone().into_scalar();
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        genlab_train::clip_grad_norm(&model, &mut grads, 1.0);
        model = optim.step(1e-3, model, grads);
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("median step {median:.1} ms, {:.0} tokens/s", 12.0 * 64.0 / median * 1e3);
}
