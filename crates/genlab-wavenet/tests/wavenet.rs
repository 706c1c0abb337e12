//! The model's promises: causality, the convolution's exactness, the queue generator against
//! the naive path, repeatable sampling, learning, exact resume and named refusals.

use burn::tensor::{Int, Tensor, TensorData};
use genlab_tensor::testing::{cpu, serial};
use genlab_train::RunSpec;
use genlab_wavenet::data::{AudioSet, Clip};
use genlab_wavenet::generate::{generate, generate_naive, naive_logits, sampling, write_audio};
use genlab_wavenet::layer::reference_conv;
use genlab_wavenet::{FastWaveNet, TrainConfig, WaveNetConfig, fit, load, mulaw};

fn tiny(speakers: usize) -> WaveNetConfig {
    WaveNetConfig::preset("tiny").unwrap().with_speakers(speakers)
}

fn ids(x: &[u8], device: &burn::tensor::Device) -> Tensor<2, Int> {
    let v: Vec<i64> = x.iter().map(|&c| c as i64).collect();
    Tensor::from_data(TensorData::new(v, [1, x.len()]), device)
}

fn random_classes(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 56) as u8
        })
        .collect()
}

#[test]
fn changing_sample_t_never_changes_an_output_before_t() {
    let _lock = serial();
    let device = cpu();
    device.seed(3);
    let cfg = WaveNetConfig::new(3, 2, 8, 8, 8, 8);
    let model = cfg.init(&device);
    let x = random_classes(40, 1);
    let base = model.forward(ids(&x, &device), None).into_data().try_to_vec::<f32>().unwrap();
    for t in [0, 7, 20, 39] {
        let mut y = x.clone();
        y[t] = y[t].wrapping_add(77);
        let out = model.forward(ids(&y, &device), None).into_data().try_to_vec::<f32>().unwrap();
        // Outputs at positions < t (which predict samples <= t) are unchanged; position t's is not.
        assert_eq!(&out[..t * 256], &base[..t * 256], "input {t} leaked backwards");
        assert_ne!(&out[t * 256..(t + 1) * 256], &base[t * 256..(t + 1) * 256]);
    }
}

#[test]
fn conv_matches_a_reference_conv1d() {
    let _lock = serial();
    let device = cpu();
    device.seed(5);
    let cfg = WaveNetConfig::new(4, 1, 6, 5, 7, 7);
    let model = cfg.init(&device);
    let x = Tensor::<3>::random([2, 30, 6], burn::tensor::Distribution::Default, &device);
    for layer in &model.layers {
        let past = genlab_wavenet::layer::shift(x.clone(), layer.dilation);
        let ours = layer.conv.forward(Tensor::cat(vec![past, x.clone()], 2));
        let reference = reference_conv(layer, x.clone());
        let diff = (ours - reference).abs().max().into_scalar::<f32>();
        assert!(diff < 1e-5, "dilation {}: {diff}", layer.dilation);
    }
}

#[test]
fn queue_generator_matches_the_naive_path() {
    let _lock = serial();
    let device = cpu();
    for speakers in [0, 3] {
        device.seed(11);
        let cfg = WaveNetConfig::new(4, 2, 8, 6, 10, 12).with_speakers(speakers);
        let model = cfg.init(&device);
        let net = FastWaveNet::from_model(&model, &cfg);
        let speaker = (speakers > 0).then_some(2);
        let mut fast = net.start(speaker);
        // Longer than the receptive field (31), so the queues wrap.
        let x = random_classes(80, 9);
        for t in 0..x.len() {
            let ours = fast.step(x[t]).to_vec();
            let naive = naive_logits(&model, &cfg, &x[..=t], speaker, &device);
            let diff = ours.iter().zip(&naive).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(diff < 1e-4, "speakers {speakers}, t {t}: {diff}");
        }
        let settings = sampling(1.0, 0, 1.0, 4);
        let a = generate(&net, 60, speaker, &settings, &mut |_| {}).unwrap();
        let b = generate_naive(&model, &cfg, 60, speaker, &settings, &device).unwrap();
        assert_eq!(a, b, "same seed, same samples on both paths");
    }
}

#[test]
fn same_seed_gives_the_same_wav_bytes_and_the_wav_reads_back() {
    let _lock = serial();
    let device = cpu();
    device.seed(2);
    let cfg = tiny(0);
    let net = FastWaveNet::from_model(&cfg.init(&device), &cfg);
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for (i, seed) in [7, 7, 8].into_iter().enumerate() {
        let classes =
            generate(&net, 2000, None, &sampling(1.0, 0, 1.0, seed), &mut |_| {}).unwrap();
        let path = dir.path().join(format!("{i}.wav"));
        let png = write_audio(&path, &classes, 16_000, "sample").unwrap();
        assert!(png.is_file());
        let back = genlab_data::wav::read_wav(&path).unwrap();
        assert_eq!(back.sample_rate, 16_000);
        for (got, &c) in back.samples.iter().zip(&classes) {
            // 16-bit rounding (x 32767 on writing, / 32768 on reading) only.
            assert!((got - mulaw::decode(c)).abs() <= 2.0 / 32767.0);
            assert_eq!(mulaw::encode(*got), c, "the WAV holds the generated classes");
        }
        bytes.push(std::fs::read(&path).unwrap());
    }
    assert_eq!(bytes[0], bytes[1]);
    assert_ne!(bytes[0], bytes[2]);
}

/// A short periodic clip, like a sustained vowel: a WaveNet learns it quickly.
fn vowel(seconds: f64) -> AudioSet {
    let n = (16_000.0 * seconds) as usize;
    let samples: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / 16_000.0;
            let f = 2.0 * std::f32::consts::PI * 200.0 * t;
            0.4 * f.sin() + 0.2 * (2.0 * f).sin() + 0.1 * (3.0 * f).sin()
        })
        .collect();
    AudioSet {
        sample_rate: 16_000,
        clips: vec![Clip { name: "vowel".into(), classes: mulaw::encode_all(&samples) }],
    }
}

fn quick(steps: u64) -> TrainConfig {
    TrainConfig {
        steps,
        batch_size: 4,
        window: 256,
        lr: 1e-2,
        min_lr: 1e-3,
        warmup: 10,
        eval_every: 0,
        sample_seconds: 0.0,
        checkpoint_every: 0,
        ..TrainConfig::default()
    }
}

#[test]
fn overfits_one_short_clip() {
    let _lock = serial();
    let device = cpu();
    let cfg = WaveNetConfig::new(5, 1, 16, 16, 32, 32);
    let clip = vowel(0.5);
    let (_, report, _) =
        fit(&cfg, &quick(300), &clip, Some(&clip), &RunSpec::memory(), &device).unwrap();
    // Uniform guessing is ln 256 = 5.55 nats; the clip repeats every 80 samples.
    let val = report.val.unwrap();
    assert!(report.final_loss < 1.0, "final loss {}", report.final_loss);
    assert!(val.bits_per_sample < 1.5, "{val:?}");
}

#[test]
fn resume_continues_exactly_and_load_reads_the_run() {
    let _lock = serial();
    let device = cpu();
    let cfg = tiny(1);
    let clip = vowel(0.3);
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // A constant rate, so a run of 3 steps continued to 6 follows the 6-step run exactly.
    let run = |path: &std::path::Path, steps, resume| {
        let run_dir = genlab_train::RunDir::create(path).unwrap();
        let c = TrainConfig { min_lr: 1e-2, warmup: 0, checkpoint_every: 3, ..quick(steps) };
        fit(&cfg, &c, &clip, None, &RunSpec::new(&run_dir, resume), &device).unwrap().0
    };
    let whole = run(&a, 6, false);
    let _ = run(&b, 3, false);
    let resumed = run(&b, 6, true);
    let weights =
        |m: &genlab_wavenet::WaveNet| m.out2.weight.val().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(weights(&whole), weights(&resumed));
    let loaded = load(&a, &device).unwrap();
    assert_eq!(loaded.config, cfg);
    assert_eq!(weights(&loaded.model), weights(&whole));
}
