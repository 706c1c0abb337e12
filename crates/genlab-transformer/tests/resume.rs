//! A run stopped at a checkpoint and resumed gives the same loss curve as an uninterrupted
//! run with the same seed (batches and dropout depend only on seed and step).

use genlab_train::{RunDir, RunSpec};
use genlab_transformer::data::TokenSplits;
use genlab_transformer::{GptConfig, PosEncoding, TrainConfig, pretrain};

fn losses(run: &RunDir) -> Vec<(u64, f64)> {
    std::fs::read_to_string(run.file("metrics.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Some((v["step"].as_u64()?, v.get("loss").or(v.get("val_loss"))?.as_f64()?))
        })
        .collect()
}

#[test]
fn resumed_run_matches_uninterrupted_run() {
    let device = genlab_tensor::testing::cpu();
    let model = GptConfig {
        vocab_size: 13,
        block_size: 8,
        n_layer: 2,
        n_head: 2,
        n_embd: 16,
        dropout: 0.1, // dropout too must replay exactly
        bias: false,
        pos_encoding: PosEncoding::Rotary,
        tie_weights: true,
    };
    let cfg = TrainConfig {
        batch_size: 4,
        max_steps: 8,
        lr_decay_steps: Some(8),
        warmup_steps: 2,
        eval_interval: 4,
        eval_iters: 2,
        checkpoint_interval: 4,
        ..TrainConfig::default()
    };
    let ids: Vec<u32> = (0..600u32).map(|i| (i * i + 3 * i) % 13).collect();
    let data = TokenSplits::split(ids, 0.8);
    let mut no_samples = |_: &genlab_transformer::Gpt, _: u64| None;

    let dir = tempfile::tempdir().unwrap();
    let straight = RunDir::create(dir.path().join("straight")).unwrap();
    pretrain(&model, &cfg, &data, &RunSpec::new(&straight, false), &device, &mut no_samples)
        .unwrap();

    let resumed = RunDir::create(dir.path().join("resumed")).unwrap();
    let first_half = TrainConfig { max_steps: 4, ..cfg.clone() };
    pretrain(&model, &first_half, &data, &RunSpec::new(&resumed, false), &device, &mut no_samples)
        .unwrap();
    pretrain(&model, &cfg, &data, &RunSpec::new(&resumed, true), &device, &mut no_samples).unwrap();

    let (a, b) = (losses(&straight), losses(&resumed));
    assert_eq!(a.len(), 8 + 2);
    assert_eq!(a, b, "the resumed run's losses must equal the uninterrupted run's");
}

#[test]
fn bad_settings_and_too_little_data_are_errors() {
    let device = genlab_tensor::testing::cpu();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path()).unwrap();
    let model = GptConfig::baby(10);
    let data = TokenSplits::split((0..50).collect(), 0.9);
    let mut none = |_: &genlab_transformer::Gpt, _: u64| None;
    let err = pretrain(
        &model,
        &TrainConfig::default(),
        &data,
        &RunSpec::new(&run, false),
        &device,
        &mut none,
    )
    .unwrap_err();
    assert!(err.to_string().contains("needs more than block_size"), "{err}");
    let bad = TrainConfig { lr: -1.0, ..TrainConfig::default() };
    let err =
        pretrain(&model, &bad, &data, &RunSpec::new(&run, false), &device, &mut none).unwrap_err();
    assert!(err.to_string().contains("lr"), "{err}");
    let bad_model = GptConfig { n_head: 3, ..GptConfig::baby(10) };
    let err = pretrain(
        &bad_model,
        &TrainConfig::default(),
        &data,
        &RunSpec::new(&run, false),
        &device,
        &mut none,
    )
    .unwrap_err();
    assert!(err.to_string().contains("a multiple of n_head (3)"), "{err}");
}
