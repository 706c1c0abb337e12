//! AR(p) against statsmodels: fixtures written by `benches/peers/ar_golden.py` from the real
//! `AutoReg`, `ar_select_order` and `yule_walker` on the sunspot and Nile series.

use genlab_timeseries::ar::{
    ArError, ArModel, Criterion, Trend, YwMethod, fit, select_order, yule_walker,
};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    // The crate's folder at run time (cargo does not rebuild a test when only the checkout moved).
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join(format!("tests/fixtures/ar/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// `got` equals `want` to `rel` relative, with `scale` as the floor of the denominator (for
/// values that cross zero).
fn close(what: &str, got: &[f64], want: &[f64], rel: f64, scale: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = rel * w.abs().max(scale);
        assert!((g - w).abs() <= tol, "{what}[{i}]: {g} vs statsmodels {w} (tolerance {tol})");
    }
}

const SERIES: [&str; 2] = ["sunspots", "nile"];

#[test]
fn ols_fits_equal_autoreg_to_1e6_for_every_order_and_trend() {
    for name in SERIES {
        let doc = fixture(name);
        let y = floats(&doc["y"]);
        let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for case in doc["autoreg"].as_array().unwrap() {
            let p = case["lags"].as_u64().unwrap() as usize;
            let trend = Trend::parse(case["trend"].as_str().unwrap()).unwrap();
            let what = format!("{name} AR({p}) trend {}", trend.name());
            let f = fit(&y, p, trend).unwrap();
            close(&format!("{what} params"), &f.params, &floats(&case["params"]), 1e-6, 1e-9);
            close(&format!("{what} bse"), &f.bse, &floats(&case["bse"]), 1e-6, 0.0);
            for key in ["sigma2", "llf", "aic", "bic", "hqic"] {
                let got = match key {
                    "sigma2" => f.model.sigma2,
                    "llf" => f.llf,
                    "aic" => f.aic,
                    "bic" => f.bic,
                    _ => f.hqic,
                };
                close(&format!("{what} {key}"), &[got], &[case[key].as_f64().unwrap()], 1e-6, 0.0);
            }
            assert_eq!(f.nobs as u64, case["nobs"].as_u64().unwrap(), "{what} nobs");
            let want_roots: Vec<f64> =
                case["roots"].as_array().unwrap().iter().flat_map(floats).collect();
            let got_roots: Vec<f64> = f.roots.iter().flatten().copied().collect();
            close(&format!("{what} roots"), &got_roots, &want_roots, 1e-6, 1.0);
            let fc = f.model.forecast(&y, 12, 0.05).unwrap();
            close(&format!("{what} forecast"), &fc.mean, &floats(&case["forecast"]), 1e-6, scale);
            close(&format!("{what} se"), &fc.se, &floats(&case["forecast_se"]), 1e-6, 0.0);
            close(&format!("{what} lower"), &fc.lower, &floats(&case["lower"]), 1e-6, scale);
            close(&format!("{what} upper"), &fc.upper, &floats(&case["upper"]), 1e-6, scale);
        }
    }
}

#[test]
fn select_order_picks_the_order_ar_select_order_picks_with_the_same_criteria() {
    for name in SERIES {
        let doc = fixture(name);
        let y = floats(&doc["y"]);
        for case in doc["select"].as_array().unwrap() {
            let max = case["maxlag"].as_u64().unwrap() as usize;
            let trend = Trend::parse(case["trend"].as_str().unwrap()).unwrap();
            let ic = Criterion::parse(case["ic"].as_str().unwrap()).unwrap();
            let what = format!("{name} select ≤{max} trend {} {ic:?}", trend.name());
            let sel = select_order(&y, max, trend).unwrap();
            assert_eq!(sel.best(ic), case["order"].as_u64().unwrap() as usize, "{what}");
            for (q, value) in sel.values(ic).iter().enumerate() {
                let want = case["values"][q.to_string()].as_f64().unwrap();
                close(&format!("{what} order {q}"), &[*value], &[want], 1e-6, 0.0);
            }
        }
    }
}

#[test]
fn yule_walker_equals_statsmodels_to_1e8() {
    for name in SERIES {
        let doc = fixture(name);
        let y = floats(&doc["y"]);
        for case in doc["yule_walker"].as_array().unwrap() {
            let order = case["order"].as_u64().unwrap() as usize;
            let method = match case["method"].as_str().unwrap() {
                "mle" => YwMethod::Mle,
                _ => YwMethod::Adjusted,
            };
            let demean = case["demean"].as_bool().unwrap();
            let what = format!("{name} YW({order}) {method:?} demean={demean}");
            let yw = yule_walker(&y, order, method, demean).unwrap();
            close(&format!("{what} rho"), &yw.phi, &floats(&case["rho"]), 1e-8, 1e-12);
            close(
                &format!("{what} sigma"),
                &[yw.sigma],
                &[case["sigma"].as_f64().unwrap()],
                1e-8,
                0.0,
            );
        }
    }
}

#[test]
fn a_simulated_ar3_is_recovered_within_three_standard_errors() {
    let truth = ArModel::new(Trend::Constant, vec![2.0], vec![0.6, -0.3, 0.2], 1.5).unwrap();
    assert!(truth.is_stationary());
    let y = truth.simulate(5_000, 7, None).unwrap();
    let f = fit(&y, 3, Trend::Constant).unwrap();
    let want = [2.0, 0.6, -0.3, 0.2];
    for ((name, (est, se)), w) in f.names.iter().zip(f.params.iter().zip(&f.bse)).zip(want) {
        assert!((est - w).abs() < 3.0 * se, "{name}: {est} ± {se} vs true {w}");
    }
    assert!((f.model.sigma2 - 1.5).abs() < 0.1, "sigma2 {}", f.model.sigma2);
    // The same seed gives the same series; another seed another one.
    assert_eq!(truth.simulate(100, 7, None).unwrap(), truth.simulate(100, 7, None).unwrap());
    assert_ne!(truth.simulate(100, 7, None).unwrap(), truth.simulate(100, 8, None).unwrap());
    // Continuing a history keeps it as the lags.
    let next = truth.simulate(10, 1, Some(&y)).unwrap();
    assert_eq!(next.len(), 10);
}

#[test]
fn bad_input_gets_errors_that_name_the_problem() {
    let y = [1.0, 2.0, 0.5, 3.0];
    let e = fit(&y, 3, Trend::Constant).unwrap_err();
    assert!(matches!(e, ArError::TooShort { len: 4, .. }), "{e}");
    assert!(e.to_string().contains("4 values, too few for AR(3)"), "{e}");
    let e = fit(&[1.0, f64::NAN, 2.0, 3.0, 4.0], 1, Trend::None).unwrap_err();
    assert!(e.to_string().contains("value 1 of the series is NaN"), "{e}");
    let e = fit(&[5.0; 40], 2, Trend::Constant).unwrap_err();
    assert!(e.to_string().contains("constant"), "{e}");
    let e = Trend::parse("quadratic").unwrap_err();
    assert!(e.to_string().contains("not one of n (none), c (constant)"), "{e}");
    let e = ArModel::new(Trend::Constant, vec![], vec![0.5], 1.0).unwrap_err();
    assert!(e.to_string().contains("1 deterministic coefficients, but 0"), "{e}");
    let e = ArModel::new(Trend::None, vec![], vec![0.5], -1.0).unwrap_err();
    assert!(e.to_string().contains("sigma2 = -1"), "{e}");
    let model = ArModel::new(Trend::None, vec![], vec![0.5, 0.1], 1.0).unwrap();
    let e = model.forecast(&[1.0], 3, 0.05).unwrap_err();
    assert!(e.to_string().contains("too few for forecasting an AR(2)"), "{e}");
    let e = model.forecast(&[1.0, 2.0], 3, 1.5).unwrap_err();
    assert!(e.to_string().contains("alpha = 1.5"), "{e}");
    let e = select_order(&y, 5, Trend::Constant).unwrap_err();
    assert!(e.to_string().contains("order selection up to 5"), "{e}");
    let e = yule_walker(&y, 4, YwMethod::Mle, true).unwrap_err();
    assert!(e.to_string().contains("Yule-Walker of order 4"), "{e}");
}
