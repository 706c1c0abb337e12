//! pix2pix on a small built-in task: learning, resume, translation of odd sizes, errors.

use genlab_data::translation::{Split, Task, task_pairs};
use genlab_gan::pix2pix::{PairData, fidelity, translate};
use genlab_gan::unet::UNetConfig;
use genlab_gan::{GanError, Pix2PixConfig, Pix2PixTrainConfig, train_pix2pix};
use genlab_tensor::testing::{cpu as dev, serial};
use genlab_train::{RunDir, RunSpec};

/// 16×16 pairs of a built-in task (synthetic faces as the photos).
fn pairs(task: Task, n: usize, split: Split) -> PairData {
    task_pairs(task, None, n, 16, split, 5).unwrap().into()
}

/// A small pix2pix for 16×16 pictures: a four-level U-Net and a 34×34 PatchGAN.
fn small(task: Task) -> Pix2PixConfig {
    let cfg = Pix2PixConfig::new(16, task.input_channels(), 3, 8);
    assert_eq!((cfg.generator.depth, cfg.discriminator.layers), (4, 2));
    cfg
}

fn quick(epochs: u64, gan_weight: f32) -> Pix2PixTrainConfig {
    Pix2PixTrainConfig { epochs, batch_size: 16, lr: 1e-3, gan_weight, ..Default::default() }
}

#[test]
fn both_objectives_learn_colourisation_and_resume_exactly() {
    let _rng = serial();
    let (train, held) =
        (pairs(Task::Colorize, 128, Split::Train), pairs(Task::Colorize, 32, Split::HeldOut));
    let d = dev();
    // Painting every pixel the training targets' mean colour is the baseline to beat.
    let hw = 256;
    let mean: Vec<f64> = (0..3)
        .map(|k| {
            let sum: f64 = (0..train.len())
                .flat_map(|i| &train.b[(i * 3 + k) * hw..(i * 3 + k + 1) * hw])
                .map(|&v| v as f64)
                .sum();
            sum / (train.len() * hw) as f64
        })
        .collect();
    let mean_l1 = (0..held.len() * 3 * hw)
        .map(|j| (held.b[j] as f64 - mean[(j / hw) % 3]).abs())
        .sum::<f64>()
        / (held.len() * 3 * hw) as f64;
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("full")).unwrap();
    let (model, epochs, _) = train_pix2pix(
        &small(Task::Colorize),
        &quick(6, 1.0),
        &train,
        &held,
        &RunSpec::new(&run, false),
        &d,
    )
    .unwrap();
    for file in ["held-out-epoch-6.png", "loss.svg", "checkpoint.bin", "run.json"] {
        assert!(run.file(file).is_file(), "{file}");
    }
    let last = epochs.last().unwrap();
    assert!(
        last.held_out.l1 < 0.75 * mean_l1,
        "pix2pix {} vs mean colour {mean_l1}",
        last.held_out.l1
    );
    assert!(last.d_loss > 0.0 && last.g_gan > 0.0, "{last:?}");
    // Scored again in other batch sizes: the same up to float summation order.
    let again = fidelity(&model.generator, &held, 7, &d);
    assert!(
        (again.l1 - last.held_out.l1).abs() < 1e-6
            && (again.psnr - last.held_out.psnr).abs() < 1e-4
    );
    let (_, l1_only, _) = train_pix2pix(
        &small(Task::Colorize),
        &quick(6, 0.0),
        &train,
        &held,
        &RunSpec::memory(),
        &d,
    )
    .unwrap();
    let base = l1_only.last().unwrap();
    assert!(base.held_out.l1 < 0.75 * mean_l1 && base.d_loss == 0.0, "{base:?}");

    // Resume: 3 epochs, then 3 more, equals 6 in one go.
    let part = RunDir::create(dir.path().join("part")).unwrap();
    train_pix2pix(
        &small(Task::Colorize),
        &quick(3, 1.0),
        &train,
        &held,
        &RunSpec::new(&part, false),
        &d,
    )
    .unwrap();
    let (_, rest, _) = train_pix2pix(
        &small(Task::Colorize),
        &quick(6, 1.0),
        &train,
        &held,
        &RunSpec::new(&part, true),
        &d,
    )
    .unwrap();
    assert_eq!(rest.len(), 3);
    let (a, b) = (last, rest.last().unwrap());
    assert_eq!(
        (a.d_loss, a.g_gan, a.train_l1, a.held_out),
        (b.d_loss, b.g_gan, b.train_l1, b.held_out)
    );
}

#[test]
fn translate_takes_any_size_and_bad_input_is_an_error() {
    let _rng = serial();
    let d = dev();
    let cfg = UNetConfig { depth: 3, ..UNetConfig::pix2pix64(1, 3, 4) };
    let net = cfg.init(&d);
    let input = vec![0.5f32; 13 * 20];
    let out = translate(&net, &cfg, &input, [1, 13, 20], &d);
    assert_eq!(out.len(), 3 * 13 * 20);
    assert!(out.iter().all(|v| (0.0..=1.0).contains(v)));

    let train = pairs(Task::DayToNight, 32, Split::Train);
    let held = pairs(Task::DayToNight, 4, Split::HeldOut);
    // A grey-input model cannot take colour pairs.
    let err = train_pix2pix(
        &small(Task::Colorize),
        &quick(1, 1.0),
        &train,
        &held,
        &RunSpec::memory(),
        &d,
    )
    .unwrap_err();
    assert!(err.to_string().contains("held-out") || err.to_string().contains("training"), "{err}");
    let mut bad = train.clone();
    bad.a[3] = f32::NAN;
    let err = train_pix2pix(
        &small(Task::DayToNight),
        &quick(1, 1.0),
        &bad,
        &held,
        &RunSpec::memory(),
        &d,
    )
    .unwrap_err();
    assert!(matches!(err, GanError::Diverged { .. }), "{err}");
    for (cfg, named) in [
        (
            Pix2PixTrainConfig { l1_weight: 0.0, gan_weight: 0.0, ..quick(1, 1.0) },
            "nothing to learn",
        ),
        (Pix2PixTrainConfig { decay_epochs: 2, ..quick(1, 1.0) }, "decay_epochs"),
    ] {
        let model = small(Task::DayToNight);
        let err = train_pix2pix(&model, &cfg, &train, &held, &RunSpec::memory(), &d).unwrap_err();
        assert!(err.to_string().contains(named), "{err}");
    }
    let mut odd = small(Task::DayToNight);
    odd.size = 20;
    let err =
        train_pix2pix(&odd, &quick(1, 1.0), &train, &held, &RunSpec::memory(), &d).unwrap_err();
    assert!(err.to_string().contains("multiple of 16"), "{err}");
    let mut tiny = small(Task::DayToNight);
    tiny.discriminator.layers = 3;
    let err =
        train_pix2pix(&tiny, &quick(1, 1.0), &train, &held, &RunSpec::memory(), &d).unwrap_err();
    assert!(err.to_string().contains("no patches left"), "{err}");
    // Batches of one: fine with instance norm (the default), refused with batch norm.
    let one = Pix2PixTrainConfig { batch_size: 1, ..quick(1, 1.0) };
    let few = pairs(Task::DayToNight, 4, Split::Train);
    train_pix2pix(&small(Task::DayToNight), &one, &few, &held, &RunSpec::memory(), &d).unwrap();
    let mut bn = small(Task::DayToNight);
    bn.generator.norm = genlab_gan::norm::NormKind::Batch;
    let err = train_pix2pix(&bn, &one, &few, &held, &RunSpec::memory(), &d).unwrap_err();
    assert!(err.to_string().contains("instance norm"), "{err}");
    assert_eq!(Pix2PixConfig::new(64, 1, 3, 8).discriminator.layers, 3);
    assert_eq!(Pix2PixConfig::new(32, 1, 3, 8).discriminator.layers, 3);
}
