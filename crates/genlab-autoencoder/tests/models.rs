//! Shapes, learning, determinism, resume and error handling of every autoencoder, on tiny data
//! made here.

use burn::tensor::Tensor;
use genlab_autoencoder::Score;
use genlab_autoencoder::anomaly::{DetectOptions, detect};
use genlab_autoencoder::autoencoder::AutoencoderConfig;
use genlab_autoencoder::conv_autoencoder::ConvAutoencoderConfig;
use genlab_autoencoder::conv_vae::ConvVaeConfig;
use genlab_autoencoder::denoise::denoise_photo;
use genlab_autoencoder::denoiser::DenoiserConfig;
use genlab_autoencoder::eval::{evaluate, importance_weighted_nll};
use genlab_autoencoder::latent::{self, Path};
use genlab_autoencoder::vae::VaeConfig;
use genlab_autoencoder::{
    ImageData, ModelConfig, Photo, ReconLoss, TrainConfig, TrainData, TrainError, fit,
};
use genlab_tensor::testing::{cpu as dev, serial};
use genlab_train::{RunDir, RunSpec};

/// `n` 8×8 images of a bright horizontal bar at a row that depends on the index (or a
/// vertical bar when `vertical`), softly blurred.
fn bars(n: usize, vertical: bool) -> ImageData {
    bars_at(n, vertical, 0.0)
}

/// Soft bars on 8x8, horizontal or vertical, at row (or column) `line + offset`.
fn bars_at(n: usize, vertical: bool, offset: f32) -> ImageData {
    let mut values = Vec::with_capacity(n * 64);
    for i in 0..n {
        let line = ((i * 5 + i / 7) % 8) as f32 + offset;
        for y in 0..8 {
            for x in 0..8 {
                let d = if vertical { x } else { y } as f32 - line;
                values.push(0.05 + 0.9 * (-(d * d)).exp());
            }
        }
    }
    ImageData::new([1, 8, 8], values, None)
}

fn ae_cfg() -> ModelConfig {
    ModelConfig::Ae(AutoencoderConfig {
        shape: [1, 8, 8],
        hidden: vec![32],
        latent: 4,
        latent_activation: Default::default(),
        loss: ReconLoss::Bce,
        batch_norm: false,
        dropout: 0.0,
    })
}

fn vae_cfg() -> ModelConfig {
    ModelConfig::Vae(VaeConfig {
        shape: [1, 8, 8],
        hidden: vec![32],
        latent: 2,
        loss: ReconLoss::Bce,
        sigma: 1.0,
    })
}

fn quick(epochs: u64) -> TrainConfig {
    TrainConfig { epochs, batch_size: 16, lr: 3e-3, ..TrainConfig::default() }
}

#[test]
fn every_model_has_the_documented_shapes() {
    let _rng = serial();
    let d = dev();
    let ae = ModelConfig::Ae(AutoencoderConfig::mnist16()).init(&d);
    let x = Tensor::<4>::zeros([3, 1, 28, 28], &d);
    assert_eq!(ae.encode(x.clone()).unwrap().dims(), [3, 16]); // the seed's 16 numbers
    assert_eq!(ae.reconstruct(x.clone()).dims(), [3, 1, 28, 28]);
    let conv = ModelConfig::ConvAe(ConvAutoencoderConfig::mnist16()).init(&d);
    assert_eq!(conv.encode(x.clone()).unwrap().dims(), [3, 16]);
    assert_eq!(conv.reconstruct(x.clone()).dims(), [3, 1, 28, 28]);
    let vae = ModelConfig::Vae(VaeConfig::mnist()).init(&d);
    let q = vae.posterior(x.clone()).unwrap();
    assert_eq!((q.mu.dims(), q.logvar.dims()), ([3, 20], [3, 20]));
    let mut faces = ConvVaeConfig::faces();
    faces.channels = vec![8, 8, 8, 8];
    let fv = ModelConfig::ConvVae(faces).init(&d);
    let f = Tensor::<4>::zeros([2, 3, 64, 64], &d);
    assert_eq!(fv.encode(f.clone()).unwrap().dims(), [2, 32]);
    assert_eq!(fv.reconstruct(f).dims(), [2, 3, 64, 64]);
    // The denoiser takes any size; odd sides are padded and cropped back.
    let mut dcfg = DenoiserConfig::rgb();
    dcfg.features = 4;
    let dae = ModelConfig::Dae(dcfg).init(&d);
    assert_eq!(dae.reconstruct(Tensor::zeros([2, 3, 10, 14], &d)).dims(), [2, 3, 10, 14]);
    let photo = Photo::new(3, 11, 7, vec![0.5; 3 * 11 * 7]);
    let out = denoise_photo(&dae, &photo, &d);
    assert_eq!((out.height, out.width, out.values.len()), (11, 7, 3 * 11 * 7));
    assert!(dae.encode(Tensor::zeros([1, 3, 4, 4], &d)).is_none());
}

#[test]
fn bad_configs_and_data_are_named_errors() {
    let _rng = serial();
    let mut c = ConvAutoencoderConfig::mnist16();
    c.channels = vec![8, 8, 8]; // 28 is not a multiple of 8
    assert!(ModelConfig::ConvAe(c).validate().unwrap_err().to_string().contains("multiple of 8"));
    let wrong = ImageData::new([1, 4, 4], vec![0.0; 32], None);
    let err = fit(
        &ae_cfg(),
        &quick(1),
        TrainData::Items { train: &wrong, val: None },
        &RunSpec::memory(),
        &dev(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Data(ref m) if m.contains("[1, 8, 8]")), "{err}");
    let bad_lr = TrainConfig { lr: -1.0, ..quick(1) };
    let data = bars(16, false);
    let err = fit(
        &ae_cfg(),
        &bad_lr,
        TrainData::Items { train: &data, val: None },
        &RunSpec::memory(),
        &dev(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("`lr` = -1"), "{err}");
}

#[test]
fn a_nan_in_the_data_stops_training_with_a_message() {
    let _rng = serial();
    let mut data = bars(32, false);
    data.values[100] = f32::NAN;
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path()).unwrap();
    let err = fit(
        &ae_cfg(),
        &quick(2),
        TrainData::Items { train: &data, val: None },
        &RunSpec::new(&run, false),
        &dev(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Diverged { .. }), "{err}");
    assert!(err.to_string().contains("last good checkpoint"));
}

#[test]
fn the_autoencoder_learns_and_the_same_seed_repeats() {
    let _rng = serial();
    let data = bars(64, false);
    let run = |seed| {
        let cfg = TrainConfig { seed, ..quick(100) };
        fit(
            &ae_cfg(),
            &cfg,
            TrainData::Items { train: &data, val: None },
            &RunSpec::memory(),
            &dev(),
            &mut |_, _| {},
        )
        .unwrap()
    };
    let (model, report, _) = run(5);
    let first = report.epochs[0].train_loss;
    let last = report.epochs.last().unwrap().train_loss;
    // BCE has a floor (the entropy of the soft targets): measure the reconstruction instead.
    let x = data.batch(&(0..64).collect::<Vec<_>>(), &dev());
    let err: f32 = (model.reconstruct(x.clone()) - x).abs().mean().into_scalar();
    assert!(last < first && err < 0.05, "loss {first} -> {last}, mean abs error {err}");
    let (_, again, _) = run(5);
    assert_eq!(last, again.epochs.last().unwrap().train_loss);
    let (_, other, _) = run(6);
    assert_ne!(last, other.epochs.last().unwrap().train_loss);
}

#[test]
fn resume_continues_exactly() {
    let _rng = serial();
    let data = bars(48, false);
    let d = dev();
    let full_dir = tempfile::tempdir().unwrap();
    let full = RunDir::create(full_dir.path()).unwrap();
    let items = TrainData::Items { train: &data, val: Some(&data) };
    let (_, all, _) =
        fit(&vae_cfg(), &quick(4), items, &RunSpec::new(&full, false), &d, &mut |_, _| {}).unwrap();
    let part_dir = tempfile::tempdir().unwrap();
    let part = RunDir::create(part_dir.path()).unwrap();
    fit(&vae_cfg(), &quick(2), items, &RunSpec::new(&part, false), &d, &mut |_, _| {}).unwrap();
    let (_, rest, _) =
        fit(&vae_cfg(), &quick(4), items, &RunSpec::new(&part, true), &d, &mut |_, _| {}).unwrap();
    assert_eq!(rest.epochs.len(), 2);
    for (a, b) in all.epochs[2..].iter().zip(&rest.epochs) {
        assert_eq!((a.epoch, a.train_loss, a.val_loss), (b.epoch, b.train_loss, b.val_loss));
    }
}

#[test]
fn early_stopping_ends_patience_epochs_after_the_best_and_resumes_there() {
    let _rng = serial();
    let d = dev();
    let train = bars(48, false);
    // Inverted bars: learning the training images (mostly dark) soon makes these worse.
    let inverted: Vec<f32> = train.values.iter().map(|v| 1.0 - v).collect();
    let val = ImageData::new(train.shape, inverted, None);
    let items = TrainData::Items { train: &train, val: Some(&val) };
    let cfg = |epochs| TrainConfig { patience: Some(2), ..quick(epochs) };
    let full_dir = tempfile::tempdir().unwrap();
    let full = RunDir::create(full_dir.path()).unwrap();
    let (_, all, _) =
        fit(&ae_cfg(), &cfg(30), items, &RunSpec::new(&full, false), &d, &mut |_, _| {}).unwrap();
    let losses: Vec<f64> = all.epochs.iter().map(|e| e.val_loss.unwrap()).collect();
    let best = 1 + (0..losses.len()).min_by(|&a, &b| losses[a].total_cmp(&losses[b])).unwrap();
    assert!(losses.len() < 30, "never stopped: {losses:?}");
    assert_eq!(losses.len(), best + 2, "{losses:?}");
    // Resumed after the stop, it trains nothing more.
    let (_, after, _) =
        fit(&ae_cfg(), &cfg(30), items, &RunSpec::new(&full, true), &d, &mut |_, _| {}).unwrap();
    assert!(after.epochs.is_empty());
    // Interrupted one epoch before the stop, it trains that epoch, the same, and stops.
    let part_dir = tempfile::tempdir().unwrap();
    let part = RunDir::create(part_dir.path()).unwrap();
    let n = losses.len() as u64;
    fit(&ae_cfg(), &cfg(n - 1), items, &RunSpec::new(&part, false), &d, &mut |_, _| {}).unwrap();
    let (_, rest, _) =
        fit(&ae_cfg(), &cfg(30), items, &RunSpec::new(&part, true), &d, &mut |_, _| {}).unwrap();
    assert_eq!(rest.epochs.len(), 1);
    assert_eq!(rest.epochs[0].val_loss, all.epochs.last().unwrap().val_loss);
    // Without validation data there is nothing to watch.
    let blind = TrainData::Items { train: &train, val: None };
    let err = fit(&ae_cfg(), &cfg(3), blind, &RunSpec::memory(), &d, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("validation data"), "{err}");
}

#[test]
fn pyod_blocks_train_and_score_deterministically() {
    let _rng = serial();
    let d = dev();
    let data = bars(64, false);
    let ModelConfig::Ae(plain) = ae_cfg() else { unreachable!() };
    let cfg = ModelConfig::Ae(AutoencoderConfig { batch_norm: true, dropout: 0.2, ..plain });
    let (model, report, _) = fit(
        &cfg,
        &quick(20),
        TrainData::Items { train: &data, val: None },
        &RunSpec::memory(),
        &d,
        &mut |_, _| {},
    )
    .unwrap();
    let first = report.epochs.first().unwrap().train_loss;
    assert!(report.epochs.last().unwrap().train_loss < 0.9 * first, "{report:?}");
    // Dropout is off and batch norm uses its running statistics once trained: the same
    // input reconstructs the same twice, and alone as in a batch.
    let batch = model.reconstruct(data.batch(&[0, 1, 2, 3], &d));
    let again = model.reconstruct(data.batch(&[0, 1, 2, 3], &d));
    let alone = model.reconstruct(data.batch(&[2], &d));
    batch.clone().into_data().assert_eq(&again.into_data(), true);
    batch
        .narrow(0, 2, 1)
        .into_data()
        .assert_approx_eq::<f32>(&alone.into_data(), Default::default());
}

#[test]
fn vae_bounds_are_ordered_and_latent_tools_work() {
    let _rng = serial();
    let data = bars(64, false);
    let d = dev();
    let (model, _, _) = fit(
        &vae_cfg(),
        &quick(40),
        TrainData::Items { train: &data, val: None },
        &RunSpec::memory(),
        &d,
        &mut |_, _| {},
    )
    .unwrap();
    let r = evaluate(&model, &data, 32, 1, &d);
    let kl = r.kl.unwrap();
    assert!(kl > 0.1 && (r.loss - (r.recon + kl)).abs() < 1e-3, "{r:?}");
    // The importance-weighted bound is tighter than the ELBO: clearly below it, so a fallback
    // to the plain ELBO fails (measured: 25.98 against 26.26 nats, KL 2.86).
    let iw = importance_weighted_nll(&model, &data, 64, 32, 1, &d).unwrap();
    assert!(iw < r.loss - 0.1, "iw {iw} vs elbo {}", r.loss);
    let s = latent::sample(&model, 5, 3, &d).unwrap();
    assert_eq!(s.dims(), [5, 1, 8, 8]);
    let one = |i: usize| data.batch(&[i], &d).squeeze_dim::<3>(0);
    for path in [Path::Linear, Path::Spherical] {
        let frames = latent::interpolate(&model, one(0), one(3), 6, path).unwrap();
        assert_eq!(frames.dims(), [6, 1, 8, 8]);
    }
    assert!(latent::interpolate(&model, one(0), one(1), 1, Path::Linear).is_err());
    // Attribute vector: from bars near the top towards bars near the bottom.
    let top = data.filter(|i| (i * 5 + i / 7) % 8 < 3);
    let bottom = data.filter(|i| (i * 5 + i / 7) % 8 > 4);
    let v = latent::attribute_vector(&model, &bottom, &top, &d).unwrap();
    let moved = latent::add_attribute(&model, top.batch(&[0, 1, 2], &d), &v, 1.0).unwrap();
    let row_mass = |t: Tensor<4>, rows: std::ops::Range<usize>| -> f32 {
        t.narrow(2, rows.start, rows.len()).sum().into_scalar()
    };
    let before = model.reconstruct(top.batch(&[0, 1, 2], &d));
    assert!(row_mass(moved.clone(), 5..8) > row_mass(before.clone(), 5..8));
    assert!(row_mass(moved, 0..3) < row_mass(before, 0..3));
    // A plain AE has no prior to sample.
    let ae = ae_cfg().init(&d);
    let err = latent::sample(&ae, 2, 0, &d).unwrap_err();
    assert!(err.to_string().contains("needs a VAE"));
}

#[test]
fn reconstruction_error_detects_the_unseen_kind() {
    let _rng = serial();
    let d = dev();
    let normal = bars(96, false);
    let (model, _, _) = fit(
        &ae_cfg(),
        &quick(30),
        TrainData::Items { train: &normal, val: None },
        &RunSpec::memory(),
        &d,
        &mut |_, _| {},
    )
    .unwrap();
    let anomalies = bars(16, true);
    // Held-out normals: horizontal bars between the training rows, so none is a training image.
    let test_normal = bars_at(48, false, 0.5);
    assert!(test_normal.values.chunks(64).all(|t| normal.values.chunks(64).all(|n| n != t)));
    let mut values = test_normal.values.clone();
    values.extend_from_slice(&anomalies.values);
    let test = ImageData::new([1, 8, 8], values, None);
    let labels: Vec<bool> = (0..64).map(|i| i >= 48).collect();
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("scores.png");
    // Every score that needs no posterior tells the vertical bars from the horizontal ones.
    for name in ["loss", "squared", "relative", "relative:2", "cosine", "robust-z"] {
        let opts = DetectOptions::new(Score::parse(name).unwrap());
        let (report, scores) =
            detect(&model, &normal, &test, &labels, &opts, Some(&hist), &d).unwrap();
        assert_eq!(scores.len(), 64);
        assert!(report.metrics.auroc > 0.95, "{name}: {report:?}");
        assert!(report.metrics.recall > 0.8, "{name}: {report:?}");
        assert!(hist.is_file());
    }
    // The reconstruction probability is a VAE's: a plain AE is refused by name.
    let opts = DetectOptions::new(Score::ReconProb);
    let err = detect(&model, &normal, &test, &labels, &opts, None, &d).unwrap_err();
    assert!(err.to_string().contains("needs a VAE"), "{err}");
}
