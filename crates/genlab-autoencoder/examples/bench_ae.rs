//! Benchmarks run by `cargo xtask bench ae`; prints one JSON object as the last line.
//!
//! - `vae MNIST_DIR [epochs] [seed]`: trains the 784-400-20 VAE preset (PyTorch's example: Adam 1e-3,
//!   batch 128) on `train-*`, reports each epoch's training time and the test negative ELBO.

use genlab_autoencoder::eval::{evaluate, importance_weighted_nll};
use genlab_autoencoder::vae::VaeConfig;
use genlab_autoencoder::{ImageData, ModelConfig, TrainConfig, TrainData, fit};
use genlab_tensor::DeviceSpec;
use genlab_train::RunSpec;

// The same allocator as the genlab binary (see genlab_tensor::alloc).
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

fn mnist(dir: &str, split: &str) -> ImageData {
    let images = genlab_data::read_mnist_images(format!("{dir}/{split}-images-idx3-ubyte.gz"))
        .expect("MNIST images");
    let labels = genlab_data::read_mnist_labels(format!("{dir}/{split}-labels-idx1-ubyte.gz"), 9)
        .expect("MNIST labels");
    ImageData::from_image_set(&images, Some(labels.labels))
}

fn main() {
    genlab_tensor::alloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let device = DeviceSpec::from_flag_or_env(None).expect("device spec").device().expect("device");
    let json = match args.first().map(String::as_str) {
        Some("vae") => {
            let dir = args.get(1).expect("vae MNIST_DIR [epochs] [seed]");
            let epochs = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            vae(dir, epochs, seed, &device)
        }
        other => panic!("unknown mode {other:?}: vae"),
    };
    println!("{json}");
}

fn vae(dir: &str, epochs: u64, seed: u64, device: &genlab_tensor::Device) -> serde_json::Value {
    let (train, test) = (mnist(dir, "train"), mnist(dir, "t10k"));
    let cfg = TrainConfig { epochs, seed, ..TrainConfig::default() };
    let model_cfg = ModelConfig::Vae(VaeConfig::mnist());
    let data = TrainData::Items { train: &train, val: None };
    let (model, report, _) =
        fit(&model_cfg, &cfg, data, &RunSpec::memory(), device, &mut |_, _| {}).expect("train");
    let r = evaluate(&model, &test, 500, 7, device);
    let iw = importance_weighted_nll(&model, &test, 100, 100, 7, device).expect("vae");
    serde_json::json!({
        "train_images": train.len(), "seed": seed,
        "epoch_seconds": report.epochs.iter().map(|e| e.seconds).collect::<Vec<_>>(),
        "median_epoch_seconds": report.median_epoch_seconds(),
        "test_neg_elbo": r.loss, "test_neg_elbo_mu": r.neg_elbo_at_mean,
        "test_recon": r.recon, "test_kl": r.kl, "test_iw_nll_k100": iw,
        "rayon_threads": std::env::var("RAYON_NUM_THREADS").ok(),
    })
}
