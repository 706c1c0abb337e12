//! Hidden Markov models against hmmlearn 0.3.3 (fixtures written by
//! `benches/peers/hmm_golden.py`), and their properties: monotone EM, no underflow at 100,000
//! steps, clear errors, JSON round trip, seeded sampling, recovery of a known model.

use genlab_timeseries::hmm::{self, FitOptions, Hmm, HmmError, Observations};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    // The crate's folder at run time (cargo does not rebuild a test when only the checkout moved).
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join(format!("tests/fixtures/hmm/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn vec1(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn vec2(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(vec1).collect()
}

/// `|a - b| <= tol * max(1, |b|)`: relative for large numbers, absolute near zero.
fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol * b.abs().max(1.0), "{what}: genlab {a} vs hmmlearn {b}");
}

fn assert_all_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_close(*x, *y, tol, &format!("{what}[{k}]"));
    }
}

fn model(kind: &str, p: &Value) -> Hmm {
    let (start, trans) = (vec1(&p["startprob"]), vec2(&p["transmat"]));
    match kind {
        "categorical" => Hmm::categorical(start, trans, vec2(&p["emissionprob"])).unwrap(),
        _ => Hmm::gaussian(start, trans, vec2(&p["means"]), vec2(&p["variances"])).unwrap(),
    }
}

fn sequences(kind: &str, doc: &Value) -> Vec<Observations> {
    let seqs = doc["sequences"].as_array().unwrap();
    seqs.iter()
        .map(|s| match kind {
            "categorical" => Observations::Symbols(
                s.as_array().unwrap().iter().map(|k| k.as_u64().unwrap() as usize).collect(),
            ),
            _ => Observations::Vectors { n_features: 2, values: vec2(s).concat() },
        })
        .collect()
}

/// Every inference answer and every Baum-Welch iteration equals hmmlearn's.
fn matches_hmmlearn(kind: &str) {
    let doc = fixture(kind);
    let m = model(kind, &doc["model"]);
    let seqs = sequences(kind, &doc);
    assert_eq!(seqs[0].len(), 20_000);

    assert_close(m.score(&seqs).unwrap(), doc["score_all"].as_f64().unwrap(), 1e-9, "score");
    assert_close(m.score(&seqs[..1]).unwrap(), doc["score_long"].as_f64().unwrap(), 1e-9, "long");
    let (_, post) = m.score_samples(&seqs[1..]).unwrap();
    assert_all_close(&post, &vec2(&doc["posteriors_short"]).concat(), 1e-6, "posteriors");

    for (k, (x, want)) in seqs.iter().zip(doc["viterbi"].as_array().unwrap()).enumerate() {
        let (log_p, path) = m.decode(std::slice::from_ref(x)).unwrap();
        assert_close(log_p, want["log_prob"].as_f64().unwrap(), 1e-9, "viterbi log-prob");
        let want: Vec<usize> =
            want["path"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap() as usize).collect();
        assert_eq!(path, want, "viterbi path of sequence {k}");
    }
    let (all, _) = m.decode(&seqs).unwrap();
    assert_close(all, doc["decode_all_log_prob"].as_f64().unwrap(), 1e-9, "decode over all");

    let start = model(kind, &doc["start"]);
    let fit = &doc["fit"];
    for (k, want) in fit["params_after"].as_array().unwrap().iter().enumerate() {
        let (got, report) = start.fit_from(&seqs, k + 1, f64::NEG_INFINITY).unwrap();
        assert_eq!(report.history.len(), k + 1);
        let what = |p: &str| format!("{p} after {} iterations", k + 1);
        assert_all_close(got.startprob(), &vec1(&want["startprob"]), 1e-6, &what("startprob"));
        assert_all_close(
            &got.transmat().concat(),
            &vec2(&want["transmat"]).concat(),
            1e-6,
            &what("transmat"),
        );
        let (a, b) = got.emission_rows();
        if kind == "categorical" {
            assert_all_close(
                &a.concat(),
                &vec2(&want["emissionprob"]).concat(),
                1e-6,
                &what("emission"),
            );
        } else {
            assert_all_close(&a.concat(), &vec2(&want["means"]).concat(), 1e-6, &what("means"));
            assert_all_close(
                &b.concat(),
                &vec2(&want["variances"]).concat(),
                1e-6,
                &what("variances"),
            );
        }
    }
    let n_iter = fit["n_iter"].as_u64().unwrap() as usize;
    let (_, report) = start.fit_from(&seqs, n_iter, f64::NEG_INFINITY).unwrap();
    assert_all_close(&report.history, &vec1(&fit["history"]), 1e-9, "history");
}

#[test]
fn categorical_score_posteriors_viterbi_and_baum_welch_equal_hmmlearn() {
    matches_hmmlearn("categorical");
}

#[test]
fn gaussian_score_posteriors_viterbi_and_baum_welch_equal_hmmlearn() {
    matches_hmmlearn("gaussian");
}

fn toy_gaussian() -> Hmm {
    Hmm::gaussian(
        vec![0.5, 0.3, 0.2],
        vec![vec![0.9, 0.05, 0.05], vec![0.1, 0.8, 0.1], vec![0.05, 0.15, 0.8]],
        vec![vec![0.0], vec![4.0], vec![-3.0]],
        vec![vec![1.0], vec![0.5], vec![2.0]],
    )
    .unwrap()
}

fn toy_categorical() -> Hmm {
    Hmm::categorical(
        vec![0.6, 0.4],
        vec![vec![0.85, 0.15], vec![0.2, 0.8]],
        vec![vec![0.6, 0.3, 0.1], vec![0.1, 0.2, 0.7]],
    )
    .unwrap()
}

/// Non-decreasing within 1e-9 relative slack.
fn assert_monotone(history: &[f64]) {
    for w in history.windows(2) {
        assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "log-likelihood fell: {history:?}");
    }
}

#[test]
fn baum_welch_log_likelihood_never_decreases_for_both_emissions() {
    let opts =
        FitOptions { n_iter: 40, tol: f64::NEG_INFINITY, restarts: 2, seed: 3, n_symbols: None };
    for truth in [toy_gaussian(), toy_categorical()] {
        let data: Vec<Observations> = (0..3).map(|s| truth.sample(700, s).1).collect();
        let (_, report) = hmm::fit(&data, truth.n_states(), &opts).unwrap();
        assert_eq!(report.history.len(), 40);
        assert_monotone(&report.history);
        // Also from a poor start, where EM moves a long way.
        let start = hmm::random_start(&data, 3, &opts, 7).unwrap();
        assert_monotone(&start.fit_from(&data, 40, f64::NEG_INFINITY).unwrap().1.history);
    }
}

#[test]
fn a_100000_step_sequence_has_a_finite_score_and_normalised_posteriors() {
    let m = toy_gaussian();
    let (_, x) = m.sample(100_000, 11);
    let x = [x];
    let (score, post) = m.score_samples(&x).unwrap();
    assert!(score.is_finite() && score < -50_000.0, "score {score}");
    assert!(post.chunks(3).all(|row| (row.iter().sum::<f64>() - 1.0).abs() < 1e-9));
    let (viterbi, path) = m.decode(&x).unwrap();
    assert!(viterbi.is_finite() && viterbi <= score && path.len() == 100_000);
    // An outlier far in the tail is unlikely, not impossible.
    let Observations::Vectors { mut values, .. } = x[0].clone() else { unreachable!() };
    values[500] = 1e6;
    assert!(m.score(&[Observations::series(values)]).unwrap().is_finite());
    let c = toy_categorical();
    assert!(c.score(&[c.sample(100_000, 1).1]).unwrap().is_finite());
}

#[test]
fn bad_parameters_and_bad_observations_are_clear_errors() {
    let row_sum = Hmm::categorical(vec![1.0], vec![vec![1.0]], vec![vec![0.5, 0.4]]).unwrap_err();
    assert!(matches!(row_sum, HmmError::NotNormalised { .. }));
    assert_eq!(row_sum.to_string(), "emission row 0 sums to 0.9, not 1 (tolerance 1e-6)");
    let e =
        Hmm::categorical(vec![0.5, 0.5], vec![vec![1.0, 0.0], vec![0.7, 0.2]], vec![vec![1.0]; 2]);
    assert!(e.unwrap_err().to_string().starts_with("transmat row 1 sums to 0.9, not 1"));
    let e = Hmm::categorical(vec![1.2, -0.2], vec![vec![0.5; 2]; 2], vec![vec![1.0]; 2]);
    assert!(e.unwrap_err().to_string().contains("startprob: entry 0 is 1.2, not a probability"));
    let e = Hmm::gaussian(vec![1.0], vec![vec![1.0]], vec![vec![0.0, 1.0]], vec![vec![1.0, 0.0]]);
    let e = e.unwrap_err().to_string();
    assert!(e.contains("variances: state 0, feature 1 is 0") && e.contains("above 0"), "{e}");
    let e = Hmm::gaussian(vec![1.0], vec![vec![1.0]], vec![vec![0.0, 1.0]], vec![vec![1.0]]);
    assert!(matches!(
        e.unwrap_err(),
        HmmError::Shape { what: "variances row", expected: 2, got: 1 }
    ));

    let c = toy_categorical();
    let e = c.score(&[Observations::Symbols(vec![0, 1]), Observations::Symbols(vec![2, 0, 5])]);
    assert_eq!(
        e.unwrap_err().to_string(),
        "sequence 1, position 2: symbol 5 is out of range (the model has 3 symbols, 0..3)"
    );
    assert!(matches!(
        c.score(&[Observations::Symbols(vec![])]),
        Err(HmmError::EmptySequence { sequence: 0 })
    ));
    assert!(matches!(c.score(&[]), Err(HmmError::NoData)));
    assert!(
        c.decode(&[Observations::series(vec![1.0])])
            .unwrap_err()
            .to_string()
            .contains("needs symbols")
    );

    let g = toy_gaussian();
    let e = g.predict_proba(&[Observations::series(vec![0.0, f64::NAN])]).unwrap_err();
    assert_eq!(e.to_string(), "sequence 0, position 1, feature 0: NaN is not finite");
    let two = Observations::Vectors { n_features: 2, values: vec![0.0; 4] };
    assert!(
        g.fit_from(&[two], 3, 0.0)
            .unwrap_err()
            .to_string()
            .contains("2 features per step, the model has 1")
    );
    let opts = FitOptions { restarts: 0, ..FitOptions::default() };
    assert!(hmm::fit(&[Observations::series(vec![1.0])], 2, &opts).is_err());

    // A forbidden emission makes a sequence impossible: an error, not NaN.
    let strict = Hmm::categorical(
        vec![1.0, 0.0],
        vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        vec![vec![1.0, 0.0], vec![0.0, 1.0]],
    )
    .unwrap();
    let e = strict.score(&[Observations::Symbols(vec![0, 0, 1])]).unwrap_err();
    assert!(matches!(e, HmmError::Impossible { sequence: 0, position: 2 }));
}

#[test]
fn json_round_trip_keeps_the_model_and_loading_validates() {
    let dir = tempfile::tempdir().unwrap();
    for m in [toy_gaussian(), toy_categorical()] {
        let path = dir.path().join("m.json");
        m.save(&path).unwrap();
        assert_eq!(Hmm::load(&path).unwrap(), m);
    }
    let bad = toy_categorical().to_json().replace("0.85", "0.95");
    let e = Hmm::from_json(&bad).unwrap_err().to_string();
    assert!(e.contains("transmat row 0 sums to 1.1, not 1"), "{e}");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).unwrap();
    assert!(Hmm::load(&path).unwrap_err().to_string().contains("bad.json"));
}

#[test]
fn sampling_is_reproducible_from_its_seed_and_differs_across_seeds() {
    for m in [toy_gaussian(), toy_categorical()] {
        let a = m.sample(500, 42);
        assert_eq!(a, m.sample(500, 42));
        let b = m.sample(500, 43);
        assert_ne!(a.0, b.0);
        assert_ne!(a.1, b.1);
        assert_eq!((a.0.len(), a.1.len()), (500, 500));
    }
    let opts = FitOptions { restarts: 2, seed: 5, ..FitOptions::default() };
    let data = [toy_gaussian().sample(300, 1).1];
    assert_eq!(hmm::fit(&data, 3, &opts).unwrap(), hmm::fit(&data, 3, &opts).unwrap());
}

/// Matches fitted states to true ones by nearest mean / best overlap, then compares.
#[test]
fn fitting_data_sampled_from_a_known_hmm_recovers_it() {
    let truth = toy_gaussian();
    let data: Vec<Observations> = (0..4).map(|s| truth.sample(5_000, 100 + s).1).collect();
    let opts = FitOptions { n_iter: 200, tol: 1e-6, restarts: 3, seed: 1, n_symbols: None };
    let (fitted, report) = hmm::fit(&data, 3, &opts).unwrap();
    assert!(report.converged);
    let (means, vars) = fitted.emission_rows();
    // fitted state for each true state: the nearest mean
    let map: Vec<usize> = [0.0, 4.0, -3.0]
        .iter()
        .map(|m| {
            (0..3)
                .min_by(|&a, &b| (means[a][0] - m).abs().total_cmp(&(means[b][0] - m).abs()))
                .unwrap()
        })
        .collect();
    let (true_means, true_vars) = truth.emission_rows();
    for i in 0..3 {
        assert!((means[map[i]][0] - true_means[i][0]).abs() < 0.15, "means {means:?}");
        assert!((vars[map[i]][0] / true_vars[i][0] - 1.0).abs() < 0.15, "variances {vars:?}");
        for j in 0..3 {
            let (got, want) = (fitted.transmat_row(map[i])[map[j]], truth.transmat_row(i)[j]);
            assert!((got - want).abs() < 0.05, "transmat {i}->{j}: {got} vs {want}");
        }
    }
    // The fit explains the data at least as well as the truth does.
    assert!(fitted.score(&data).unwrap() >= truth.score(&data).unwrap() - 1.0);

    let truth = toy_categorical();
    let data: Vec<Observations> = (0..4).map(|s| truth.sample(5_000, 200 + s).1).collect();
    let opts = FitOptions { n_iter: 300, tol: 1e-6, restarts: 3, seed: 2, n_symbols: None };
    let (fitted, _) = hmm::fit(&data, 2, &opts).unwrap();
    let (probs, _) = fitted.emission_rows();
    let first = if probs[0][0] > probs[1][0] { [0, 1] } else { [1, 0] };
    let (true_probs, _) = truth.emission_rows();
    for i in 0..2 {
        for k in 0..3 {
            assert!((probs[first[i]][k] - true_probs[i][k]).abs() < 0.08, "emission {probs:?}");
        }
    }
}
