//! `genlab hmm ...` as a user runs them: fit, decode, sample, score on small files, and the
//! errors for a broken model file and an out-of-range symbol.

mod common;

use common::{fails, ok};

/// A two-regime series: 40 steps near 0, 40 near 5, and again.
fn regimes_csv(path: &std::path::Path) {
    let mut text = String::from("t,value\n");
    for t in 0..160 {
        let level = if (t / 40) % 2 == 0 { 0.0 } else { 5.0 };
        let wiggle = ((t * 37 % 11) as f64 - 5.0) * 0.1;
        text.push_str(&format!("{t},{}\n", level + wiggle));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn gaussian_fit_decode_sample_score_round_trip_through_files_in_new_folders() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    regimes_csv(&dir.path().join("series.csv"));
    let fit = ok(&[
        "hmm",
        "fit",
        "--data",
        &s("series.csv"),
        "--columns",
        "value",
        "--states",
        "2",
        "--emission",
        "gaussian",
        "--iter",
        "50",
        "--restarts",
        "3",
        "--seed",
        "1",
        "--out",
        &s("runs/hmm/m.json"),
    ]);
    assert_eq!(fit["states"], 2);
    assert_eq!(fit["steps"], 160);
    assert!(fit["log_likelihood"].as_f64().unwrap().is_finite());
    assert_eq!(fit["restart_log_likelihoods"].as_array().unwrap().len(), 3);

    let decode = ok(&[
        "hmm",
        "decode",
        "--model",
        &s("runs/hmm/m.json"),
        "--data",
        &s("series.csv"),
        "--columns",
        "value",
        "--out",
        &s("decoded/path.txt"),
    ]);
    assert_eq!(decode["steps"], 160);
    let path: Vec<usize> = std::fs::read_to_string(s("decoded/path.txt"))
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    // The two regimes are two states: every block of 40 steps is one state, alternating.
    for block in path.chunks(40) {
        assert!(block.iter().all(|&z| z == block[0]), "{path:?}");
    }
    assert_ne!(path[0], path[40]);
    assert_eq!(decode["state_counts"], serde_json::json!([80, 80]));
    assert!(image::open(s("decoded/path.png")).is_ok());

    let sample = ok(&[
        "hmm",
        "sample",
        "--model",
        &s("runs/hmm/m.json"),
        "--steps",
        "300",
        "--seed",
        "9",
        "--out",
        &s("new.csv"),
        "--states",
        &s("new-states.txt"),
    ]);
    assert_eq!(sample["steps"], 300);
    let again = s("again.csv");
    ok(&[
        "hmm",
        "sample",
        "--model",
        &s("runs/hmm/m.json"),
        "--steps",
        "300",
        "--seed",
        "9",
        "--out",
        &again,
    ]);
    assert_eq!(std::fs::read(s("new.csv")).unwrap(), std::fs::read(&again).unwrap());

    let score = ok(&["hmm", "score", "--model", &s("runs/hmm/m.json"), "--data", &s("new.csv")]);
    assert_eq!(score["steps"], 300);
    let own = ok(&[
        "hmm",
        "score",
        "--model",
        &s("runs/hmm/m.json"),
        "--data",
        &s("series.csv"),
        "--columns",
        "value",
    ]);
    assert!(
        (own["log_likelihood"].as_f64().unwrap() - fit["log_likelihood"].as_f64().unwrap()).abs()
            < 1e-9
    );
}

#[test]
fn categorical_fit_and_decode_read_symbol_files_with_several_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(s("sym.txt"), "0 0 1 0 0 2 2 2 1 2\n2 2 0\n\n0 0 0 1 2 2 2 2\n").unwrap();
    let fit = ok(&[
        "hmm",
        "fit",
        "--data",
        &s("sym.txt"),
        "--emission",
        "categorical",
        "--states",
        "2",
        "--out",
        &s("c.json"),
    ]);
    assert_eq!((fit["sequences"].as_u64(), fit["steps"].as_u64()), (Some(2), Some(21)));
    let decode = ok(&[
        "hmm",
        "decode",
        "--model",
        &s("c.json"),
        "--data",
        &s("sym.txt"),
        "--out",
        &s("p.txt"),
    ]);
    assert_eq!(decode["steps"], 21);
    assert!(decode["log_prob"].as_f64().unwrap() <= 0.0);
}

#[test]
fn a_model_whose_rows_do_not_sum_to_one_is_refused_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(
        s("bad.json"),
        r#"{"format":"genlab-hmm","version":1,"startprob":[0.5,0.5],
            "transmat":[[0.9,0.1],[0.3,0.6]],
            "emission":{"kind":"categorical","probs":[[0.5,0.5],[0.5,0.5]]}}"#,
    )
    .unwrap();
    std::fs::write(s("sym.txt"), "0 1 0\n").unwrap();
    let err = fails(&["hmm", "score", "--model", &s("bad.json"), "--data", &s("sym.txt")]);
    assert!(err.contains("bad.json") && err.contains("transmat row 1 sums to 0.9"), "{err}");
}

#[test]
fn a_symbol_out_of_range_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(
        s("m.json"),
        r#"{"format":"genlab-hmm","version":1,"startprob":[0.5,0.5],
            "transmat":[[0.9,0.1],[0.4,0.6]],
            "emission":{"kind":"categorical","probs":[[0.5,0.5],[0.2,0.8]]}}"#,
    )
    .unwrap();
    std::fs::write(s("sym.txt"), "0 1 1 0 7 1\n").unwrap();
    let err = fails(&[
        "hmm",
        "decode",
        "--model",
        &s("m.json"),
        "--data",
        &s("sym.txt"),
        "--out",
        &s("p.txt"),
    ]);
    assert!(err.contains("position 4: symbol 7 is out of range (the model has 2 symbols"), "{err}");
    std::fs::write(s("junk.txt"), "0 1 x\n").unwrap();
    let err = fails(&["hmm", "score", "--model", &s("m.json"), "--data", &s("junk.txt")]);
    assert!(err.contains("line 1") && err.contains("\"x\" is not a symbol"), "{err}");
}
