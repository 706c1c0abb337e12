//! Shapes, the game on toy data, resume, NaN handling and errors.

use burn::tensor::Tensor;
use genlab_gan::data::one_hot;
use genlab_gan::{Arch, GanConfig, GanData, GanError, GanLoss, GanTrainConfig, train_gan};
use genlab_tensor::testing::{cpu as dev, serial};
use genlab_train::{RunDir, RunSpec};

/// 8×8 images: a bright square at one of four corners (the class), on dark.
fn corners(n: usize) -> GanData {
    let mut values = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % 4;
        let (oy, ox) = ((k / 2) * 4, (k % 2) * 4);
        for y in 0..8 {
            for x in 0..8 {
                let inside = (oy..oy + 4).contains(&y) && (ox..ox + 4).contains(&x);
                values.push(if inside { 0.9 } else { 0.1 });
            }
        }
        labels.push(k as u8);
    }
    GanData { shape: [1, 8, 8], values, labels: Some(labels), classes: 4 }
}

fn toy_cfg(cond: usize) -> GanConfig {
    GanConfig {
        arch: Arch::Mlp,
        shape: [1, 8, 8],
        z_dim: 8,
        g_width: 32,
        d_width: 32,
        cond_dim: cond,
    }
}

fn quick(epochs: u64) -> GanTrainConfig {
    GanTrainConfig { epochs, batch_size: 16, lr_g: 1e-3, lr_d: 1e-3, ..GanTrainConfig::default() }
}

#[test]
fn generators_and_discriminators_have_the_documented_shapes() {
    let _rng = serial();
    let d = dev();
    for (cfg, side, c) in [
        (GanConfig::mnist_dcgan(), 28, 1),
        (GanConfig::dcgan64(), 64, 3),
        (GanConfig::mnist_gan(), 28, 1),
    ] {
        for cond in [0, 10] {
            let cfg = GanConfig { cond_dim: cond, ..cfg.clone() };
            let pair = cfg.init(&d);
            let z = Tensor::<2>::zeros([3, cfg.z_dim], &d);
            let y = (cond > 0).then(|| one_hot(&[1, 2, 3], cond, &d));
            let img = pair.generator.forward(z, y.clone());
            assert_eq!(img.dims(), [3, c, side, side]);
            let lo: f32 = img.clone().min().into_scalar();
            let hi: f32 = img.clone().max().into_scalar();
            assert!((-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi));
            assert_eq!(pair.discriminator.forward(img, y).dims(), [3]);
        }
    }
    let bad = GanConfig { shape: [1, 30, 30], ..GanConfig::mnist_dcgan() };
    assert!(bad.validate().unwrap_err().to_string().contains("28, 32 and 64"));
}

#[test]
fn the_game_learns_the_corners_and_resumes_exactly() {
    let _rng = serial();
    let data = corners(256);
    let d = dev();
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("full")).unwrap();
    let (pair, epochs, _) =
        train_gan(&toy_cfg(4), &quick(12), &data, &RunSpec::new(&run, false), &d).unwrap();
    assert!(run.file("samples-epoch-12.png").is_file());
    let last = epochs.last().unwrap();
    assert!(last.d_real > 0.2 && last.d_fake < 0.8, "{last:?}");
    // Conditional samples put the bright square in the asked-for corner.
    let z = Tensor::<2>::random([64, 8], burn::tensor::Distribution::Normal(0.0, 1.0), &d);
    for k in 0..4 {
        let img = pair.generator.forward(z.clone(), Some(one_hot(&[k; 64], 4, &d)));
        let (oy, ox) = ((k / 2) * 4, (k % 2) * 4);
        let inside: f32 = img.clone().narrow(2, oy, 4).narrow(3, ox, 4).mean().into_scalar();
        let all: f32 = img.mean().into_scalar();
        assert!(inside > all + 0.3, "class {k}: corner {inside} vs mean {all}");
    }
    // Resume: 6 epochs, then 6 more, equals 12 in one go.
    let part = RunDir::create(dir.path().join("part")).unwrap();
    train_gan(&toy_cfg(4), &quick(6), &data, &RunSpec::new(&part, false), &d).unwrap();
    let (_, rest, _) =
        train_gan(&toy_cfg(4), &quick(12), &data, &RunSpec::new(&part, true), &d).unwrap();
    assert_eq!(rest.len(), 6);
    let (a, b) = (&epochs[11], &rest[5]);
    assert_eq!((a.d_loss, a.g_loss, a.d_real), (b.d_loss, b.g_loss, b.d_real));
}

#[test]
fn every_loss_trains_without_blowing_up() {
    let _rng = serial();
    let data = corners(64);
    for loss in [GanLoss::Minimax, GanLoss::NonSaturating, GanLoss::Hinge, GanLoss::WganGp] {
        let cfg = GanTrainConfig { loss, d_steps: 2, label_smoothing: 0.1, ..quick(2) };
        let (_, epochs, _) =
            train_gan(&toy_cfg(0), &cfg, &data, &RunSpec::memory(), &dev()).unwrap();
        assert!(epochs.iter().all(|e| e.d_loss.is_finite() && e.g_loss.is_finite()), "{loss:?}");
    }
}

#[test]
fn nan_data_and_bad_settings_are_errors() {
    let _rng = serial();
    let mut data = corners(64);
    data.values[5] = f32::NAN;
    let err = train_gan(&toy_cfg(0), &quick(1), &data, &RunSpec::memory(), &dev()).unwrap_err();
    assert!(matches!(err, GanError::Diverged { .. }), "{err}");
    assert!(err.to_string().contains("last good checkpoint"));
    let data = corners(64);
    let err = train_gan(
        &toy_cfg(0),
        &GanTrainConfig { d_steps: 0, ..quick(1) },
        &data,
        &RunSpec::memory(),
        &dev(),
    );
    assert!(err.unwrap_err().to_string().contains("d_steps"));
    let wrong = GanConfig { shape: [1, 28, 28], ..toy_cfg(0) };
    let err = train_gan(&wrong, &quick(1), &data, &RunSpec::memory(), &dev()).unwrap_err();
    assert!(err.to_string().contains("[1, 8, 8]"), "{err}");
    let unlabelled = GanData { labels: None, ..corners(64) };
    let err =
        train_gan(&toy_cfg(4), &quick(1), &unlabelled, &RunSpec::memory(), &dev()).unwrap_err();
    assert!(err.to_string().contains("labelled"), "{err}");
}

/// On a linear critic D(x) = w.x + b the gradient norm is |w| everywhere, so the WGAN-GP
/// penalty must be (|w| - 1)^2 exactly; w is read off the critic at the unit images.
#[test]
fn wgan_gp_penalty_matches_a_hand_computation_on_a_linear_critic() {
    use burn::tensor::{Distribution, TensorData};
    use genlab_gan::Discriminator;
    use genlab_gan::mlp_discriminator::MlpDiscriminatorConfig;
    use genlab_gan::train::gradient_penalty;
    let _rng = serial();
    let d = dev().autodiff();
    d.seed(3);
    let cfg = MlpDiscriminatorConfig { shape: [1, 2, 2], hidden: vec![], cond_dim: 0 };
    let critic = Discriminator::Mlp(cfg.init(&d));
    let at = |v: [f32; 4]| -> f32 {
        let x = Tensor::<4>::from_data(TensorData::new(v.to_vec(), [1, 1, 2, 2]), &d);
        critic.forward(x, None).into_scalar::<f32>()
    };
    let b = at([0.0; 4]);
    let w: Vec<f32> = (0..4)
        .map(|i| {
            let mut e = [0.0; 4];
            e[i] = 1.0;
            at(e) - b
        })
        .collect();
    let expected = (w.iter().map(|v| v * v).sum::<f32>().sqrt() - 1.0).powi(2);
    assert!(expected > 1e-3, "a trivial case: |w| is 1 ({w:?})");
    let real = Tensor::<4>::random([8, 1, 2, 2], Distribution::Normal(0.0, 1.0), &d);
    let fake = Tensor::<4>::random([8, 1, 2, 2], Distribution::Normal(0.0, 1.0), &d);
    let gp = gradient_penalty(&critic, real, fake, None).into_scalar::<f32>();
    assert!(
        (gp - expected).abs() < 1e-3 * expected.max(1.0),
        "penalty {gp} vs (|w| - 1)^2 = {expected}"
    );
}
