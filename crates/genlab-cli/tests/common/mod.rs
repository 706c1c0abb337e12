//! Running the `genlab` binary from the integration tests.
#![allow(dead_code)] // each test binary uses some of these helpers

use std::process::{Command, Output};

/// Runs `genlab args` without a progress bar and with the default device.
pub fn genlab(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_genlab"));
    cmd.args(args).env("GENLAB_NO_PROGRESS", "1").env_remove("GENLAB_DEVICE");
    cmd.output().expect("genlab runs")
}

/// Runs a command that must succeed; its last stdout line parsed as JSON (Null if not JSON).
pub fn ok(args: &[&str]) -> serde_json::Value {
    let out = genlab(args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("null");
    serde_json::from_str(last).unwrap_or(serde_json::Value::Null)
}

/// Runs a command that must fail; its stderr.
pub fn fails(args: &[&str]) -> String {
    let out = genlab(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A pix2pix run that trains in about a second: one epoch of 8 drawn facades at 32 px (add
/// `--out DIR`).
pub const TINY_PIX2PIX: &[&str] = &[
    "gan",
    "train",
    "--model",
    "pix2pix",
    "--task",
    "labels2facade",
    "--epochs",
    "1",
    "--features",
    "8",
    "--train-pairs",
    "8",
    "--held-out",
    "2",
    "--size",
    "32",
    "--batch-size",
    "4",
];

/// [`TINY_PIX2PIX`] on another built-in task.
pub fn tiny_pix2pix(task: &str) -> Vec<&str> {
    TINY_PIX2PIX.iter().map(|&a| if a == "labels2facade" { task } else { a }).collect()
}

/// A WaveNet run that trains in well under a second: one step of the tiny preset on one
/// window of the embedded speech, no audio samples (add `--out DIR`).
pub const TINY_WAVENET: &[&str] = &[
    "wavenet",
    "train",
    "--preset",
    "tiny",
    "--steps",
    "1",
    "--window",
    "64",
    "--batch-size",
    "1",
    "--sample-seconds",
    "0",
];

/// A tiny WaveNet run with all its parts: conditioned on the six embedded speakers, scored on
/// held-out audio and writing audio samples at steps 2 and 4 (add `--out DIR`; `--steps` is at
/// index 6).
pub const SPEAKER_WAVENET: &[&str] = &[
    "wavenet",
    "train",
    "--preset",
    "tiny",
    "--speakers",
    "--steps",
    "4",
    "--window",
    "256",
    "--eval-every",
    "2",
    "--sample-seconds",
    "0.2",
    "--val",
    "embedded",
];
