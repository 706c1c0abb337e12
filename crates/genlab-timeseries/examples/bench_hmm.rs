//! The HMM benchmark's genlab side (run by `cargo xtask bench hmm`); prints one JSON object.
//!
//! A 3-state, one-feature Gaussian HMM samples a 100,000-step series (seed 2024); a fixed
//! start model, away from the truth, is the starting point of Baum-Welch. Timed, one thread,
//! median of `--repeats` runs (default 7):
//! - forward-backward: `score_samples` (log-likelihood and every posterior) under the start
//!   model;
//! - Baum-Welch: 10 iterations from the start model, every one run (`tol = -inf`).
//!
//! `--dump DIR` writes `DIR/series.csv` and `DIR/start.json` for the hmmlearn peer
//! (`benches/peers/hmm.py`), so both sides see the same data and the same start.
//!
//! `cargo run --release -p genlab-timeseries --example bench_hmm -- [--steps N] [--repeats R]
//! [--dump DIR]`

use std::time::Instant;

use genlab_timeseries::hmm::{Hmm, read_csv_observations, write_observations};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

/// The model that draws the series.
fn truth() -> Result<Hmm> {
    Ok(Hmm::gaussian(
        vec![0.5, 0.3, 0.2],
        vec![vec![0.95, 0.03, 0.02], vec![0.04, 0.92, 0.04], vec![0.03, 0.05, 0.92]],
        vec![vec![-2.0], vec![0.5], vec![3.0]],
        vec![vec![0.8], vec![0.5], vec![1.5]],
    )?)
}

/// Where Baum-Welch starts (hmmlearn's `init_params=""` with these attributes set).
fn start() -> Result<Hmm> {
    Ok(Hmm::gaussian(
        vec![1.0 / 3.0; 3],
        vec![vec![0.8, 0.1, 0.1], vec![0.1, 0.8, 0.1], vec![0.1, 0.1, 0.8]],
        vec![vec![-1.0], vec![0.0], vec![1.0]],
        vec![vec![2.0], vec![2.0], vec![2.0]],
    )?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let steps: usize = flag(&args, "--steps").unwrap_or(100_000);
    let repeats: usize = flag(&args, "--repeats").unwrap_or(7).max(1);
    let (_, x) = truth()?.sample(steps, 2024);
    let start = start()?;
    if let Some(dir) = flag::<String>(&args, "--dump") {
        std::fs::create_dir_all(&dir)?;
        write_observations(format!("{dir}/series.csv"), &x)?;
        start.save(format!("{dir}/start.json"))?;
    }
    // Read back what the peer reads, so both sides see the same numbers to the last bit.
    let data = match flag::<String>(&args, "--dump") {
        Some(dir) => vec![read_csv_observations(format!("{dir}/series.csv"), &[])?],
        None => vec![x],
    };

    let (mut fb_times, mut fb_log_p) = (Vec::new(), 0.0);
    for _ in 0..repeats {
        let t = Instant::now();
        let (log_p, posteriors) = start.score_samples(&data)?;
        fb_times.push(t.elapsed().as_secs_f64());
        fb_log_p = log_p;
        assert_eq!(posteriors.len(), steps * 3);
    }
    let (mut bw_times, mut history) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let t = Instant::now();
        let (_, report) = start.fit_from(&data, 10, f64::NEG_INFINITY)?;
        bw_times.push(t.elapsed().as_secs_f64());
        history = report.history;
    }
    let out = serde_json::json!({
        "steps": steps,
        "states": 3,
        "features": 1,
        "repeats": repeats,
        "forward_backward_seconds": median(fb_times),
        "forward_backward_log_likelihood": fb_log_p,
        "baum_welch_iterations": 10,
        "baum_welch_seconds": median(bw_times),
        "baum_welch_history": history,
        "baum_welch_final_log_likelihood": history.last(),
    });
    println!("{out}");
    Ok(())
}
