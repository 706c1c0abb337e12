//! Checkpoints: exact resume, corruption detection, and a process killed mid-save never
//! leaving a checkpoint that fails to load.

use std::path::Path;
use std::time::Duration;

use burn::nn::{Linear, LinearConfig};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Tensor};
use genlab_train::{Checkpoint, CheckpointError, OptimConfig, TrainState, clip_grad_norm};

fn device() -> Device {
    genlab_tensor::testing::cpu().autodiff()
}

fn batch(step: u64, device: &Device) -> Tensor<2> {
    device.seed(genlab_train::step_seed(7, step));
    Tensor::random([16, 8], Distribution::Normal(0.0, 1.0), device)
}

fn train(
    mut model: Linear,
    optim: &mut ModuleOptimizer,
    steps: std::ops::Range<u64>,
    device: &Device,
) -> Linear {
    for step in steps {
        let loss = model.forward(batch(step, device)).sub_scalar(1.0).powi_scalar(2).mean();
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        clip_grad_norm(&model, &mut grads, 0.5);
        model = optim.step(1e-2, model, grads);
    }
    model
}

fn weights(model: &Linear) -> Vec<f32> {
    model.weight.val().into_data().try_to_vec().unwrap()
}

#[test]
fn resume_continues_exactly() {
    let _rng = genlab_tensor::testing::serial();
    let device = device();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpoint.bin");
    let config = OptimConfig::default();

    device.seed(1);
    let model = LinearConfig::new(8, 4).init(&device);
    let mut optim = config.init(&model);
    let model = train(model, &mut optim, 0..5, &device);
    Checkpoint::save(
        &path,
        &model,
        Some(&optim),
        &TrainState { step: 5, seed: 7, ..Default::default() },
    )
    .unwrap();
    let straight = weights(&train(model, &mut optim, 5..10, &device));

    // A fresh process would build a new model and optimiser, then load the checkpoint.
    device.seed(99);
    let fresh = LinearConfig::new(8, 4).init(&device);
    let ckpt = Checkpoint::load(&path).unwrap();
    assert_eq!(ckpt.state.step, 5);
    let model = ckpt.load_model(fresh).unwrap();
    let mut optim = ckpt.load_optim(config.init(&model)).unwrap().unwrap();
    let resumed = weights(&train(model, &mut optim, 5..10, &device));
    assert_eq!(straight, resumed, "resumed run must match the uninterrupted one");
}

#[test]
fn corrupt_checkpoints_are_errors() {
    let device = device();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.bin");
    let model = LinearConfig::new(3, 2).init(&device);
    Checkpoint::save(&path, &model, None, &TrainState::default()).unwrap();
    let good = std::fs::read(&path).unwrap();

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0xff;
    std::fs::write(&path, &flipped).unwrap();
    assert!(
        matches!(Checkpoint::load(&path), Err(CheckpointError::Corrupt { problem, .. }) if problem.contains("checksum"))
    );

    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    assert!(
        matches!(Checkpoint::load(&path), Err(CheckpointError::Corrupt { problem, .. }) if problem.contains("truncated"))
    );

    std::fs::write(&path, b"hello").unwrap();
    let err = Checkpoint::load(&path).unwrap_err().to_string();
    assert!(err.contains("c.bin") && err.contains("header"), "{err}");

    // A checkpoint of another shape does not load into this model.
    Checkpoint::save(&path, &model, None, &TrainState::default()).unwrap();
    let other = LinearConfig::new(5, 2).init(&device);
    assert!(matches!(
        Checkpoint::load(&path).unwrap().load_model(other),
        Err(CheckpointError::Record { .. })
    ));
}

const CHILD_ENV: &str = "GENLAB_CHECKPOINT_CHILD";

/// Run by `killed_mid_save_leaves_a_loadable_checkpoint` in a child process: saves a ~4 MB
/// checkpoint over and over until it is killed.
#[test]
#[ignore = "helper for the kill test; does nothing unless run by it"]
fn child_saves_forever() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let device = device();
    let model = LinearConfig::new(1024, 1024).init(&device);
    let optim = OptimConfig::default().init(&model);
    for step in 0.. {
        Checkpoint::save(
            Path::new(&path),
            &model,
            Some(&optim),
            &TrainState { step, ..Default::default() },
        )
        .unwrap();
    }
}

const BIG_CHILD_ENV: &str = "GENLAB_CHECKPOINT_BIG_CHILD";

/// Run by `a_save_that_runs_out_of_space_leaves_the_old_checkpoint` under a file-size limit:
/// one save of a 1024x1024 layer with its optimiser (about 12 MB).
#[test]
#[ignore = "helper for the out-of-space test; does nothing unless run by it"]
fn child_saves_a_big_checkpoint() {
    let Some(path) = std::env::var_os(BIG_CHILD_ENV) else { return };
    let device = device();
    let model = LinearConfig::new(1024, 1024).init(&device);
    let optim = OptimConfig::default().init(&model);
    let state = TrainState { step: 9, ..Default::default() };
    Checkpoint::save(Path::new(&path), &model, Some(&optim), &state).unwrap();
}

/// A save that runs out of space part-way (here a 1 MB file-size limit on the saving process,
/// set with util-linux's `prlimit`, as a full disk would stop it) leaves the previous
/// checkpoint byte for byte, and it still loads.
#[test]
fn a_save_that_runs_out_of_space_leaves_the_old_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpoint.bin");
    let device = device();
    let small = LinearConfig::new(8, 8).init(&device);
    Checkpoint::save(&path, &small, None, &TrainState { step: 1, ..Default::default() }).unwrap();
    let before = std::fs::read(&path).unwrap();
    let status = std::process::Command::new("prlimit")
        .arg("--fsize=1000000")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", "child_saves_a_big_checkpoint", "--ignored", "--test-threads=1"])
        .env(BIG_CHILD_ENV, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("prlimit (util-linux) runs the saving child");
    assert!(!status.success(), "a 12 MB save fitted under a 1 MB limit");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the old checkpoint changed");
    let back = Checkpoint::load(&path).unwrap();
    assert_eq!(back.state.step, 1);
    let loaded = back.load_model(LinearConfig::new(8, 8).init(&device)).unwrap();
    assert_eq!(weights(&loaded), weights(&small));
}

#[test]
fn killed_mid_save_leaves_a_loadable_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpoint.bin");
    let device = device();
    let mut last_step = None;
    for round in 0..6u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_saves_forever",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait for a first checkpoint (at most a minute: a child that never writes, or that
        // died, fails the test instead of hanging it), then kill at a varying moment (likely
        // mid-write).
        let started = std::time::Instant::now();
        while !path.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the saving child exited ({status}) before writing a checkpoint");
            }
            if started.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("the saving child wrote no checkpoint within 60 s");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(20 + 37 * round));
        child.kill().unwrap();
        child.wait().unwrap();

        let ckpt = Checkpoint::load(&path).expect("a killed save must leave a valid checkpoint");
        let model = ckpt.load_model(LinearConfig::new(1024, 1024).init(&device)).unwrap();
        let optim = ckpt.load_optim(OptimConfig::default().init(&model)).unwrap();
        assert!(optim.is_some());
        last_step = Some(ckpt.state.step);
    }
    assert!(last_step.is_some());
    // Stray temp files may remain after a kill; they are never read as checkpoints.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"checkpoint.bin".to_string()));
}

/// CRC-32 (IEEE), bit by bit: the checksum the checkpoint header carries.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A checkpoint file around these sections, with a valid header and checksum.
fn checkpoint_bytes(state: &[u8], model: &[u8], optim: &[u8]) -> Vec<u8> {
    let mut out = b"GENLABCK".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    for s in [state, model, optim] {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    }
    let payload = [state, model, optim].concat();
    out.extend_from_slice(&crc32(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// An optimiser table whose lengths add up past the section (here past u64::MAX) is refused
/// with an error; the sum used to be unchecked (a wrapped offset, then a panic on slicing).
#[test]
fn an_optimiser_table_that_overflows_is_refused() {
    let state = br#"{"step":1,"epoch":0,"seed":1,"best_val_loss":null,"extra":null}"#;
    let mut optim = b"GENLABMO".to_vec();
    optim.extend_from_slice(&2u32.to_le_bytes());
    optim.extend_from_slice(&u64::MAX.to_le_bytes());
    optim.extend_from_slice(&5u64.to_le_bytes());
    optim.extend_from_slice(b"abcde");
    let bytes = checkpoint_bytes(state, b"model", &optim);
    let ckpt = Checkpoint::from_bytes(&bytes, Path::new("checkpoint.bin")).unwrap();
    for index in 0..3 {
        let err = ckpt.optim_record(index).unwrap_err().to_string();
        assert!(err.contains("checkpoint.bin"), "{err}");
    }
    // A well-formed table reads back each record.
    let mut optim = b"GENLABMO".to_vec();
    optim.extend_from_slice(&2u32.to_le_bytes());
    optim.extend_from_slice(&3u64.to_le_bytes());
    optim.extend_from_slice(&2u64.to_le_bytes());
    optim.extend_from_slice(b"abcde");
    let bytes = checkpoint_bytes(state, b"model", &optim);
    let ckpt = Checkpoint::from_bytes(&bytes, Path::new("checkpoint.bin")).unwrap();
    assert_eq!(
        (ckpt.optim_record(0).unwrap(), ckpt.optim_record(1).unwrap()),
        (&b"abc"[..], &b"de"[..])
    );
}
