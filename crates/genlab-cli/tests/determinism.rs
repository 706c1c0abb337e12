//! Same seed, same bytes: every family's short training run, and every command that samples
//! from a run, gives the same files and output when run twice. Timing figures (tokens/s,
//! seconds) are the only fields allowed to differ.

use std::path::Path;
use std::process::Command;

mod common;

fn genlab(args: &[&str], dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_genlab"))
        .args(args)
        .current_dir(dir)
        .env("GENLAB_NO_PROGRESS", "1")
        .env_remove("GENLAB_DEVICE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// metrics.jsonl without its timing fields.
fn metrics(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            for timing in ["tokens_per_sec", "epoch_seconds"] {
                v.as_object_mut().unwrap().remove(timing);
            }
            v
        })
        .collect()
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `make(dir)` in two fresh folders and hands both to `compare`.
fn twice(make: impl Fn(&Path), compare: impl Fn(&Path, &Path)) {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    make(a.path());
    make(b.path());
    compare(a.path(), b.path());
}

#[test]
fn gpt_training_and_generation_repeat_exactly() {
    twice(
        |d| {
            let out = genlab(
                &[
                    "gpt",
                    "train",
                    "--steps",
                    "3",
                    "--batch-size",
                    "2",
                    "--max-tokens",
                    "20",
                    "--out",
                    "run",
                ],
                d,
            );
            std::fs::write(d.join("train.out"), out).unwrap();
            let text = genlab(
                &[
                    "gpt",
                    "generate",
                    "--checkpoint",
                    "run",
                    "--prompt",
                    "KING:",
                    "--max-tokens",
                    "30",
                ],
                d,
            );
            std::fs::write(d.join("generate.out"), text).unwrap();
        },
        |a, b| {
            assert_eq!(metrics(&a.join("run")), metrics(&b.join("run")));
            for file in ["train.out", "generate.out", "run/tokenizer.json", "run/run.json"] {
                assert_eq!(bytes(&a.join(file)), bytes(&b.join(file)), "{file}");
            }
        },
    );
}

#[test]
fn autoencoder_training_and_sampling_repeat_exactly() {
    twice(
        |d| {
            genlab(
                &[
                    "ae", "train", "--model", "vae", "--epochs", "1", "--latent", "4", "--out",
                    "run",
                ],
                d,
            );
            genlab(&["ae", "sample", "--checkpoint", "run", "--n", "9", "--out", "sample.png"], d);
            genlab(
                &["ae", "interpolate", "--checkpoint", "run", "--steps", "4", "--out", "walk.png"],
                d,
            );
        },
        |a, b| {
            assert_eq!(metrics(&a.join("run")), metrics(&b.join("run")));
            for file in ["run/recon.png", "run/samples.png", "sample.png", "walk.png", "walk.gif"] {
                assert_eq!(bytes(&a.join(file)), bytes(&b.join(file)), "{file}");
            }
        },
    );
}

#[test]
fn gan_and_pix2pix_training_sampling_and_translation_repeat_exactly() {
    twice(
        |d| {
            genlab(&["gan", "train", "--model", "gan", "--epochs", "1", "--out", "gan"], d);
            genlab(&["gan", "sample", "--checkpoint", "gan", "--n", "16", "--out", "s.png"], d);
            genlab(&[common::TINY_PIX2PIX, &["--out", "p2p"]].concat(), d);
            genlab(
                &["gan", "translate", "--checkpoint", "p2p", "--input", "s.png", "--out", "t.png"],
                d,
            );
        },
        |a, b| {
            assert_eq!(metrics(&a.join("gan")), metrics(&b.join("gan")));
            assert_eq!(metrics(&a.join("p2p")), metrics(&b.join("p2p")));
            for file in ["gan/samples-epoch-1.png", "s.png", "p2p/held-out-epoch-1.png", "t.png"] {
                assert_eq!(bytes(&a.join(file)), bytes(&b.join(file)), "{file}");
            }
        },
    );
}

#[test]
fn wavenet_training_and_generation_repeat_exactly() {
    twice(
        |d| {
            genlab(&[common::SPEAKER_WAVENET, &["--out", "run"]].concat(), d);
            genlab(
                &["wavenet", "generate", "--run", "run", "--seconds", "0.3", "--speaker", "4"],
                d,
            );
        },
        |a, b| {
            assert_eq!(metrics(&a.join("run")), metrics(&b.join("run")));
            for file in [
                "run/samples/step-000002.wav",
                "run/samples/step-000004.png",
                "run/run.json",
                "wavenet.wav",
                "wavenet.png",
            ] {
                assert_eq!(bytes(&a.join(file)), bytes(&b.join(file)), "{file}");
            }
        },
    );
}
