//! The run manifest: written before step 0, read back typed; old `config.json` folders of
//! each family convert; wrong families, newer versions and other models are named errors;
//! a fine-tune starts from another run's weights.

use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Distribution, Tensor};
use genlab_train::{
    Checkpoint, OptimConfig, RunDir, RunError, RunManifest, RunSpec, TrainError, TrainSpec,
    TrainState, Trainer,
};
use serde_json::json;

fn device() -> Device {
    genlab_tensor::testing::cpu().autodiff()
}

/// A tiny family for the trainer: a Linear model learning y = 1 for `steps` steps.
fn train_linear(run: &RunSpec, steps: u64, width: usize) -> Result<Linear, TrainError> {
    let device = device();
    device.seed(5);
    let cfg = json!({ "width": width });
    let manifest = RunManifest::new("toy", "linear", &cfg, &json!({ "steps": steps }));
    let spec = TrainSpec { run, seed: 5, total_steps: steps, unit: "x", device: &device };
    let optim = OptimConfig::default();
    let model = LinearConfig::new(width, 1).init(&device);
    let (mut t, mut model, mut optims) =
        Trainer::start(&spec, &manifest, model, |m| vec![optim.init(m)])?;
    while t.step() < steps {
        t.seed_step(&device);
        let x = Tensor::<2>::random([8, width], Distribution::Normal(0.0, 1.0), &device);
        let loss = model.forward(x).sub_scalar(1.0).powi_scalar(2).mean();
        let value = loss.clone().into_scalar::<f32>();
        t.check_finite("training", value)?;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = t.update(&mut optims[0], 1e-2, model, grads, Some(1.0)).0;
        t.end_step(8, value as f64);
        t.log(json!({ "loss": value }))?;
        if t.every(2) {
            t.save(&model, &[&optims[0]])?;
        }
    }
    t.finish(&[("loss", "loss")])?.report(&json!({ "steps": steps }), &[])?;
    Ok(model)
}

fn weights(model: &Linear) -> Vec<f32> {
    model.weight.val().into_data().try_to_vec().unwrap()
}

#[test]
fn manifest_is_written_before_training_and_resume_is_exact() {
    let _rng = genlab_tensor::testing::serial();
    let dir = tempfile::tempdir().unwrap();
    let full = RunDir::create(dir.path().join("full")).unwrap();
    let a = train_linear(&RunSpec::new(&full, false), 6, 3).unwrap();
    let manifest = RunManifest::open(full.path(), "toy", &["linear"]).unwrap();
    assert_eq!(manifest.model["width"], 3);
    for file in ["run.json", "summary.json", "report.html", "loss.svg", "checkpoint.bin"] {
        assert!(full.file(file).is_file(), "{file} missing");
    }
    let page = std::fs::read_to_string(full.file("report.html")).unwrap();
    assert!(page.contains("toy / linear") && page.contains("<td>width</td><td>3</td>"));

    let part = RunDir::create(dir.path().join("part")).unwrap();
    train_linear(&RunSpec::new(&part, false), 4, 3).unwrap();
    let b = train_linear(&RunSpec::new(&part, true), 6, 3).unwrap();
    assert_eq!(weights(&a), weights(&b));
    let lines = std::fs::read_to_string(part.file("metrics.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 6, "metrics cut back to the checkpoint, then continued");
    // The continuation's settings replace the old ones in the manifest.
    assert_eq!(RunManifest::read(part.path()).unwrap().train["steps"], 6);

    // Another model shape cannot resume this run.
    let err = train_linear(&RunSpec::new(&part, true), 8, 4).unwrap_err();
    assert!(err.to_string().contains("another model configuration"), "{err}");
    // A fresh run in an old folder starts its metrics afresh.
    train_linear(&RunSpec::new(&part, false), 2, 3).unwrap();
    let lines = std::fs::read_to_string(part.file("metrics.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2);
}

#[test]
fn a_run_can_start_from_another_runs_weights() {
    let _rng = genlab_tensor::testing::serial();
    let dir = tempfile::tempdir().unwrap();
    let base = RunDir::create(dir.path().join("base")).unwrap();
    let trained = train_linear(&RunSpec::new(&base, false), 6, 3).unwrap();
    let tuned = RunDir::create(dir.path().join("tuned")).unwrap();
    let spec = RunSpec::new(&tuned, false).starting_from(base.path());
    let after = train_linear(&spec, 0, 3).unwrap(); // zero steps: exactly the loaded weights
    assert_eq!(weights(&trained), weights(&after));
    let manifest = RunManifest::read(tuned.path()).unwrap();
    assert_eq!(manifest.init_from.as_deref(), Some(base.path()));
}

#[test]
fn wrong_family_newer_version_and_missing_folder_are_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    let m = RunManifest::new("gan", "dcgan", &json!({}), &json!({}));
    m.write(dir.path()).unwrap();
    let err = RunManifest::open(dir.path(), "gpt", &[]).unwrap_err();
    assert!(matches!(err, RunError::WrongFamily { .. }), "{err}");
    assert!(err.to_string().contains("not of gpt"), "{err}");
    let err = RunManifest::open(dir.path(), "gan", &["pix2pix"]).unwrap_err();
    assert!(err.to_string().contains("dcgan"), "{err}");

    let newer =
        json!({ "family": "gan", "kind": "dcgan", "version": 99, "model": {}, "train": {} });
    std::fs::write(dir.path().join("run.json"), newer.to_string()).unwrap();
    let err = RunManifest::read(dir.path()).unwrap_err();
    assert!(err.to_string().contains("manifest version 99"), "{err}");
    std::fs::write(dir.path().join("run.json"), "{ not json").unwrap();
    assert!(RunManifest::read(dir.path()).unwrap_err().to_string().contains("not JSON"));

    let empty = tempfile::tempdir().unwrap();
    let err = RunManifest::read(empty.path()).unwrap_err();
    assert!(matches!(err, RunError::NotARun { .. }), "{err}");
}

/// The four layouts earlier builds wrote as `config.json`, each with its checkpoint.
#[test]
fn old_config_json_folders_of_every_family_convert() {
    let layouts = [
        (
            json!({ "model": { "n_layer": 2, "n_head": 2 }, "train": { "max_steps": 5 } }),
            "gpt",
            "gpt",
        ),
        (
            json!({ "model": { "model": "vae", "latent": 20 }, "train": {}, "data": "mnist", "size": 64 }),
            "autoencoder",
            "vae",
        ),
        (json!({ "model": { "z_dim": 100, "cond_dim": 10 }, "train": {} }), "gan", "cgan"),
        (json!({ "model": { "z_dim": 100, "cond_dim": 0 }, "train": {} }), "gan", "gan"),
        (json!({ "pix2pix": { "size": 64 }, "train": {} }), "gan", "pix2pix"),
    ];
    for (config, family, kind) in layouts {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        if family == "gpt" {
            let recipe = "family = \"gpt\"\n[data]\nval_fraction = 0.2\n[train]\nmax_steps = 7\n";
            std::fs::write(dir.path().join("recipe.toml"), recipe).unwrap();
        }
        let m = RunManifest::read(dir.path()).unwrap();
        assert_eq!((m.family.as_str(), m.kind.as_str()), (family, kind), "{config}");
        if family == "gpt" {
            assert_eq!(m.data["val_fraction"], 0.2);
            assert_eq!(m.train["max_steps"], 7);
            assert_eq!(m.tokenizer.as_deref(), Some("tokenizer.json"));
        }
        if family == "autoencoder" {
            assert_eq!(m.data, json!({ "spec": "mnist", "size": 64 }));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), r#"{"model": {"weird": 1}}"#).unwrap();
    let err = RunManifest::read(dir.path()).unwrap_err();
    assert!(err.to_string().contains("re-train it, or convert it"), "{err}");
}

#[test]
fn load_weights_reads_a_runs_checkpoint() {
    let device = device();
    let dir = tempfile::tempdir().unwrap();
    let model = LinearConfig::new(2, 2).init(&device);
    Checkpoint::save(dir.path().join("checkpoint.bin"), &model, None, &TrainState::default())
        .unwrap();
    let back = Checkpoint::load_weights(dir.path(), LinearConfig::new(2, 2).init(&device)).unwrap();
    assert_eq!(weights(&model), weights(&back));
}
