//! `genlab ar ...` as a user runs them: on the embedded sunspots, a CSV column and a WAV.

mod common;

use common::{fails, ok};

#[test]
fn ar_fit_select_forecast_and_simulate_on_the_embedded_sunspots() {
    let dir = tempfile::tempdir().unwrap();
    let s = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let fit = ok(&["ar", "fit", "-p", "3", "--out", &s("m.json")]);
    assert_eq!(fit["n"], 309);
    assert_eq!(fit["fit"]["names"], serde_json::json!(["const", "y.L1", "y.L2", "y.L3"]));
    assert_eq!(fit["fit"]["stationary"], true);
    // statsmodels' AutoReg(sunspots, 3).fit().params[1] (tests/fixtures in genlab-timeseries).
    let phi1 = fit["fit"]["params"][1].as_f64().unwrap();
    assert!((phi1 - 1.3017213900863809).abs() < 1e-9, "{phi1}");

    let sel = ok(&["ar", "select", "--max-lag", "12", "--ic", "aic", "--trend", "n"]);
    assert_eq!(sel["order"], 9, "ar_select_order(sunspots, 12, ic='aic', trend='n') picks 9");
    assert_eq!(sel["selection"]["aic"].as_array().unwrap().len(), 13);

    let out = s("fc");
    let fc = ok(&["ar", "forecast", "--model", &s("m.json"), "--steps", "15", "--out", &out]);
    let mean = fc["forecast"]["mean"].as_array().unwrap();
    let (lo, hi) = (&fc["forecast"]["lower"], &fc["forecast"]["upper"]);
    assert_eq!(mean.len(), 15);
    for j in 0..15 {
        let (m, l, h) =
            (mean[j].as_f64().unwrap(), lo[j].as_f64().unwrap(), hi[j].as_f64().unwrap());
        assert!(l < m && m < h, "step {j}: {l} < {m} < {h}");
    }
    let png = std::fs::read(dir.path().join("fc/forecast.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "forecast.png is a PNG");
    assert!(dir.path().join("fc/forecast.json").is_file());

    let a = ok(&["ar", "simulate", "--model", &s("m.json"), "--steps", "50", "--seed", "3"]);
    let b = ok(&["ar", "simulate", "--model", &s("m.json"), "--steps", "50", "--seed", "3"]);
    let c = ok(&["ar", "simulate", "--model", &s("m.json"), "--steps", "50", "--seed", "4"]);
    assert_eq!(a["values"].as_array().unwrap().len(), 50);
    assert_eq!(a["values"], b["values"], "same seed, same series");
    assert_ne!(a["values"], c["values"], "another seed, another series");
}

#[test]
fn ar_reads_a_csv_column_and_a_wav() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let rows: String =
        (0..200).map(|t| format!("{t},{}\n", ((t as f64) * 0.3).sin() * 5.0)).collect();
    std::fs::write(&csv, format!("t,value\n{rows}")).unwrap();
    let spec = format!("{}:value", csv.display());
    let fit = ok(&["ar", "fit", "--data", &spec, "-p", "2", "--trend", "n"]);
    // A pure sinusoid is an exact AR(2): phi = (2 cos 0.3, -1).
    let params = &fit["fit"]["params"];
    assert!((params[0].as_f64().unwrap() - 2.0 * 0.3f64.cos()).abs() < 1e-6, "{params}");
    assert!((params[1].as_f64().unwrap() + 1.0).abs() < 1e-6, "{params}");
    let yw = ok(&["ar", "fit", "--data", &spec, "-p", "2", "--method", "yw", "--yw", "mle"]);
    assert_eq!(yw["fit"]["phi"].as_array().unwrap().len(), 2);

    // 16-bit mono WAV of noise-like samples.
    let wav = dir.path().join("a.wav");
    let samples: Vec<i16> =
        (0..4000u32).map(|i| ((i.wrapping_mul(2654435761) >> 16) as i16) / 4).collect();
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(36 + 2 * samples.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    for v in [16u32, 1 | (1 << 16), 8000, 16000, 2 | (16 << 16)] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(2 * samples.len() as u32).to_le_bytes());
    samples.iter().for_each(|s| b.extend_from_slice(&s.to_le_bytes()));
    std::fs::write(&wav, b).unwrap();
    let fit = ok(&["ar", "fit", "--data", &wav.to_string_lossy(), "-p", "4"]);
    assert_eq!(fit["n"], 4000);
}

#[test]
fn ar_bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let nan = dir.path().join("nan.csv");
    std::fs::write(&nan, "a,b\n1,2\n3,NaN\n").unwrap();
    let e = fails(&["ar", "fit", "--data", &format!("{}:b", nan.display())]);
    assert!(e.contains("line 3, column 2") && e.contains("not a finite number"), "{e}");
    let e = fails(&["ar", "fit", "-p", "-1"]);
    assert!(e.contains("-1 is negative: an AR order is 0 or more"), "{e}");
    let e = fails(&["ar", "fit", "--data", "nile", "-p", "99"]);
    assert!(e.contains("100 values, too few for AR(99)"), "{e}");
    let e = fails(&["ar", "fit", "--trend", "x"]);
    assert!(e.contains("not one of n (none)"), "{e}");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "a,b\n1,2\n3,4\n").unwrap();
    let e = fails(&["ar", "fit", "--data", &format!("{}:c", good.display())]);
    assert!(e.contains("no column \"c\""), "{e}");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"trend":"c","deterministic":[],"phi":[0.5],"sigma2":1.0}"#).unwrap();
    let e = fails(&["ar", "forecast", "--model", &bad.to_string_lossy()]);
    assert!(e.contains("1 deterministic coefficients, but 0"), "{e}");
    let e = fails(&[
        "ar",
        "forecast",
        "--alpha",
        "1.5",
        "--out",
        &dir.path().join("f").to_string_lossy(),
    ]);
    assert!(e.contains("alpha = 1.5"), "{e}");
}
