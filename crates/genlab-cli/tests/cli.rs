//! The `genlab` binary as a user runs it: train, resume, generate, and clear errors.

use std::path::Path;
use std::process::{Command, Output};

fn genlab(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_genlab"));
    cmd.args(args).env("GENLAB_NO_PROGRESS", "1").env_remove("GENLAB_DEVICE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("genlab runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn loss_lines(run: &Path) -> usize {
    std::fs::read_to_string(run.join("metrics.jsonl")).unwrap().matches("\"loss\"").count()
}

#[test]
fn train_resume_generate() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let out = genlab(
        &[
            "gpt",
            "train",
            "--steps",
            "4",
            "--pos-encoding",
            "rotary",
            "--out",
            run_s,
            "--max-tokens",
            "5",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for file in [
        "run.json",
        "summary.json",
        "tokenizer.json",
        "checkpoint.bin",
        "metrics.jsonl",
        "model.safetensors",
        "loss.svg",
        "report.html",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    assert_eq!(loss_lines(&run), 4);

    // Resuming takes the run's own recipe (rotary positions), not the defaults.
    let out = genlab(
        &["gpt", "train", "--resume", "--steps", "6", "--out", run_s, "--max-tokens", "5"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(loss_lines(&run), 6);

    let out = genlab(
        &[
            "gpt",
            "generate",
            "--checkpoint",
            run_s,
            "--prompt",
            "KING:",
            "--max-tokens",
            "8",
            "--seed",
            "3",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("KING:"));

    let out = genlab(&["gpt", "generate", "--checkpoint", run_s, "--top-p", "1.5"], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("top_p"), "{}", stderr(&out));

    // Evaluation reads the run's own data from its manifest; --iters 0 is refused, not NaN.
    let out = genlab(&["gpt", "eval", "--checkpoint", run_s, "--iters", "2"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("perplexity"));
    let out = genlab(&["gpt", "eval", "--checkpoint", run_s, "--iters", "0"], &[]);
    assert!(!out.status.success() && stderr(&out).contains("--iters"), "{}", stderr(&out));
    // Without its manifest the folder is not silently evaluated on default data.
    std::fs::remove_file(run.join("run.json")).unwrap();
    let out = genlab(&["gpt", "eval", "--checkpoint", run_s], &[]);
    assert!(!out.status.success(), "evaluated a run without its manifest");
    assert!(stderr(&out).contains("not a run folder"), "{}", stderr(&out));
}

#[test]
fn missing_backend_and_run_folder_are_clear_errors() {
    let out = genlab(&["info"], &[("GENLAB_DEVICE", "cuda")]);
    if !cfg!(feature = "cuda") {
        assert!(!out.status.success());
        assert!(stderr(&out).contains("--features cuda"), "{}", stderr(&out));
    }
    let out = genlab(&["gpt", "generate", "--checkpoint", "/nonexistent/run"], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a run folder"), "{}", stderr(&out));
}
