//! Checkpoints move between devices: a GPT run trained through the shared trainer, resumed
//! from its checkpoint alternately on flex and on the device under test, follows the run
//! that stays on flex, and its final weights load on both.

use genlab_tensor::burn;
use genlab_train::checkpoint::Checkpoint;
use genlab_train::{RunDir, RunSpec};
use genlab_transformer::data::TokenSplits;
use genlab_transformer::{Gpt, TrainConfig, pretrain};

use super::steps::tiny_gpt;
use super::{cpu, gpu, int_tensor, params, values};

/// `(step, loss)` of every training and evaluation line of a run's metrics.jsonl.
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
fn a_run_resumed_across_devices_follows_the_flex_run() {
    let data = TokenSplits::split((0..800u32).map(|i| (i * i + 7 * i) % 32).collect(), 0.8);
    let cfg = |steps: u64| TrainConfig {
        batch_size: 4,
        max_steps: steps,
        lr_decay_steps: Some(12),
        warmup_steps: 2,
        eval_interval: 3,
        eval_iters: 1,
        checkpoint_interval: 3,
        ..TrainConfig::default()
    };
    let mut no_samples = |_: &Gpt, _: u64| None;
    let dir = tempfile::tempdir().unwrap();
    let mut train = |run: &RunDir, steps: u64, resume: bool, device: &burn::tensor::Device| {
        // Initialisation and any dropout draw from the process-wide generator of flex.
        let _rng = genlab_tensor::testing::serial();
        let spec = RunSpec::new(run, resume);
        pretrain(&tiny_gpt(), &cfg(steps), &data, &spec, device, &mut no_samples).unwrap();
    };

    let flex = RunDir::create(dir.path().join("flex")).unwrap();
    train(&flex, 12, false, &cpu());
    // Flex starts (so both runs have the same initial weights), the GPU resumes from flex's
    // checkpoint, flex resumes from the GPU's, and the GPU finishes. Every stop is at an
    // evaluation, so both runs log the same steps.
    let moved = RunDir::create(dir.path().join("moved")).unwrap();
    train(&moved, 3, false, &cpu());
    train(&moved, 6, true, &gpu());
    train(&moved, 9, true, &cpu());
    train(&moved, 12, true, &gpu());

    let (want, got) = (losses(&flex), losses(&moved));
    assert_eq!(
        want.iter().map(|l| l.0).collect::<Vec<_>>(),
        got.iter().map(|l| l.0).collect::<Vec<_>>()
    );
    for ((step, a), (_, b)) in want.iter().zip(&got) {
        assert!((a - b).abs() <= 1e-3 * a.abs(), "step {step}: loss {b} after moving, {a} on flex");
    }

    // The last checkpoint, written on the GPU, loads on both devices to the same weights and
    // the same logits.
    let ckpt = Checkpoint::load(moved.file("checkpoint.bin")).unwrap();
    assert_eq!(ckpt.state.step, 12);
    // The fresh models' initialisation draws from the process-wide generators, which the
    // seeded tests beside this one hold while they draw.
    let (on_cpu, on_gpu) = {
        let _rng = genlab_tensor::testing::serial();
        (tiny_gpt().init(&cpu()), tiny_gpt().init(&gpu()))
    };
    let on_cpu = ckpt.load_model(on_cpu).unwrap();
    let on_gpu = ckpt.load_model(on_gpu).unwrap();
    assert_eq!(params(&on_cpu), params(&on_gpu));
    let x: Vec<i64> = (0..16).map(|i| (i * 5 % 32) as i64).collect();
    let a = values(on_cpu.forward(int_tensor(x.clone(), [1, 16], &cpu())));
    let b = values(on_gpu.forward(int_tensor(x, [1, 16], &gpu())));
    let worst = a.iter().zip(&b).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-3, "the same weights give logits {worst} apart on the two devices");
}
