//! The AR fit-speed bar's genlab side (`cargo xtask bench ar`): order selection over
//! p = 0..=40 by BIC and the OLS fit of the chosen order on a 1,000,000-point AR(5) series,
//! timed as the median of several repeats. The series is written to `--series` (raw
//! little-endian f64) so the statsmodels peer (`benches/peers/ar.py`) fits the same values.
//!
//! Run: cargo run --release -p genlab-timeseries --example bench_ar -- --series /tmp/ar.f64

use std::time::Instant;

use genlab_timeseries::ar::{ArModel, Criterion, Trend, fit, select_order};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().position(|a| a == name).map(|i| args[i + 1].clone());
    let n: usize = flag("--n").map_or(1_000_000, |v| v.parse().expect("--n is a count"));
    let max_lag: usize = flag("--max-lag").map_or(40, |v| v.parse().expect("--max-lag is a count"));
    let repeats: usize = flag("--repeats").map_or(5, |v| v.parse().expect("--repeats is a count"));

    let truth = ArModel::new(Trend::Constant, vec![0.5], vec![0.5, -0.2, 0.15, 0.1, -0.05], 1.0)
        .expect("a valid model");
    let y = truth.simulate(n, 2026, None).expect("simulates");
    if let Some(path) = flag("--series") {
        let bytes: Vec<u8> = y.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&path, bytes).expect("writes the series");
    }

    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let sel = select_order(&y, max_lag, Trend::Constant).expect("selects");
        let order = sel.best(Criterion::Bic);
        let f = fit(&y, order, Trend::Constant).expect("fits");
        times.push(start.elapsed().as_secs_f64());
        result = Some((order, f));
    }
    times.sort_by(f64::total_cmp);
    let (order, f) = result.expect("at least one repeat");
    let line = serde_json::json!({
        "n": n,
        "max_lag": max_lag,
        "order": order,
        "params": f.params,
        "sigma2": f.model.sigma2,
        "bic": f.bic,
        "seconds_median": times[times.len() / 2],
        "seconds": times,
    });
    println!("{line}");
}
