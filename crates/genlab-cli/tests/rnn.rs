//! `genlab rnn` as a user runs it: a tiny train, resume, generate and eval (one JSON line),
//! and clear errors for bad flags and runs of another family.

mod common;

use common::{fails, genlab, ok};

fn loss_lines(run: &std::path::Path) -> usize {
    std::fs::read_to_string(run.join("metrics.jsonl")).unwrap().matches("\"loss\"").count()
}

#[test]
fn rnn_train_resume_generate_eval() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let tiny = ["--preset", "tiny", "--batch-size", "4", "--max-tokens", "5", "--out", run_s];
    ok(&[&["rnn", "train", "--steps", "4", "--cell", "gru"], &tiny[..]].concat());
    for file in ["run.json", "summary.json", "tokenizer.json", "checkpoint.bin", "metrics.jsonl"] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["family"], "rnn");
    assert_eq!(manifest["model"]["cell"], "gru");
    assert_eq!(loss_lines(&run), 4);

    // Resuming takes the run's own shape (a tiny GRU), not the defaults (a baby LSTM).
    ok(&["rnn", "train", "--resume", "--steps", "6", "--out", run_s, "--max-tokens", "5"]);
    assert_eq!(loss_lines(&run), 6);

    let generate = ["rnn", "generate", "--checkpoint", run_s, "--prompt", "KING:", "--seed", "3"];
    let out = genlab(&[&generate[..], &["--max-tokens", "8"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("KING:"), "{text}");
    let again = genlab(&[&generate[..], &["--max-tokens", "8"]].concat());
    assert_eq!(text, String::from_utf8_lossy(&again.stdout), "same seed, different text");

    let eval = ok(&["rnn", "eval", "--checkpoint", run_s, "--iters", "2"]);
    let loss = eval["loss"].as_f64().expect("eval prints one JSON line with the loss");
    assert!(loss.is_finite() && loss > 0.0, "{eval}");
    assert!((eval["perplexity"].as_f64().unwrap() - loss.exp()).abs() < 1e-3 * loss.exp());
    assert_eq!(eval["cell"], "gru");

    // Bad flags and runs of the other family are refused by name.
    assert!(fails(&["rnn", "train", "--cell", "transformer", "--out", run_s]).contains("--cell"));
    assert!(fails(&["rnn", "eval", "--checkpoint", run_s, "--iters", "0"]).contains("--iters"));
    assert!(fails(&["rnn", "generate", "--checkpoint", run_s, "--top-p", "1.5"]).contains("top_p"));
    assert!(fails(&["gpt", "eval", "--checkpoint", run_s]).contains("rnn"));
    let err = fails(&["rnn", "train", "--preset", "huge", "--out", &format!("{run_s}-2")]);
    assert!(err.contains("huge"), "{err}");
}
