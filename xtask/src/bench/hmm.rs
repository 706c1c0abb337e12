//! `cargo xtask bench hmm [--peers]`: the HMM issue's bars.
//!
//! A 3-state Gaussian HMM on a 100,000-step series, one thread each side (genlab's
//! `bench_hmm` example, hmmlearn 0.3.3 in `benches/peers/hmm.py`), same data and same start:
//! - forward-backward (log-likelihood and posteriors): bar 2x hmmlearn;
//! - 10 Baum-Welch iterations: bar 2x hmmlearn;
//! - the log-likelihoods equal hmmlearn's to 1e-6 relative (forward-backward and the last
//!   Baum-Welch iteration): the relative difference in parts per billion against the
//!   tolerance (1000 ppb), so the ratio is `tolerance / difference`, bar 1.
//!
//! hmmlearn has two implementations, "log" (its default) and "scaling" (its faster one); each
//! is a row of its own, labelled.

use anyhow::Result;
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

/// How close the log-likelihoods must be, relatively, in parts per billion (1e-6).
const LOG_LIKELIHOOD_RTOL_PPB: f64 = 1000.0;

/// All of the HMM bars.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let dir = ctx.out_dir.join("hmm-data");
    let dir_arg = dir.to_string_lossy().into_owned();
    let g = ctx.cargo_json(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "genlab-timeseries",
            "--example",
            "bench_hmm",
            "--",
            "--dump",
            &dir_arg,
        ],
        &[],
    )?;
    let fb = num(&g, "/forward_backward_seconds")?;
    let bw = num(&g, "/baum_welch_seconds")?;
    let mut rows = vec![
        Ratio::new("forward-backward, 100k steps, 1 thread", fb * 1e3, None, "ms", false, None),
        Ratio::new("Baum-Welch, 10 iterations, 1 thread", bw * 1e3, None, "ms", false, None),
    ];
    let mut raw = json!({ "genlab": g.clone() });
    if ctx.peers {
        let p = ctx.python_json(
            "hmm.py",
            &["--dir", &dir_arg],
            &[("OMP_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1")],
        )?;
        rows.clear();
        for implementation in ["log", "scaling"] {
            let peer = |key: &str| num(&p, &format!("/{implementation}/{key}"));
            let label = format!("hmmlearn {implementation}");
            rows.push(Ratio::new(
                format!("forward-backward vs {label}"),
                fb * 1e3,
                Some(peer("forward_backward_seconds")? * 1e3),
                "ms",
                false,
                Some(2.0),
            ));
            rows.push(Ratio::new(
                format!("Baum-Welch x10 vs {label}"),
                bw * 1e3,
                Some(peer("baum_welch_seconds")? * 1e3),
                "ms",
                false,
                Some(2.0),
            ));
            for (what, key) in [
                ("forward-backward", "forward_backward_log_likelihood"),
                ("Baum-Welch last", "baum_welch_final_log_likelihood"),
            ] {
                let (mine, theirs) = (num(&g, &format!("/{key}"))?, peer(key)?);
                // Floored at 1e-7 ppb so an exact match still gives a finite ratio.
                let ppb = ((mine - theirs).abs() / theirs.abs() * 1e9).max(1e-7);
                rows.push(Ratio::new(
                    format!("{what} loglik diff vs {label}"),
                    ppb,
                    Some(LOG_LIKELIHOOD_RTOL_PPB),
                    "ppb",
                    false,
                    Some(1.0),
                ));
            }
        }
        raw["hmmlearn"] = p;
    }
    ctx.report("hmm", &rows, raw)
}
