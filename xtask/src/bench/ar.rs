//! `cargo xtask bench ar [--peers]`: the AR fit-speed bar. Order selection over p = 0..=40
//! by BIC plus the OLS fit of the chosen order, on a 1,000,000-point AR(5) series: genlab's
//! `bench_ar` against statsmodels' `ar_select_order` + `AutoReg.fit` (`benches/peers/ar.py`)
//! on the same values, one thread each (bar: 5x). The table also checks both sides chose the
//! same order and agree on the coefficients (to 1e-6 relative, else the bench fails).
//! statsmodels runs once (~80 s here); genlab's figure is the median of five runs.

use anyhow::{Result, bail};
use serde_json::json;

use super::common::{BenchCtx, Ratio, num};

/// The AR bar.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    std::fs::create_dir_all(&ctx.out_dir)?;
    let series = ctx.out_dir.join("ar-series.f64");
    let series = series.to_string_lossy().into_owned();
    let g = ctx.cargo_json(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "genlab-timeseries",
            "--example",
            "bench_ar",
            "--",
            "--series",
            &series,
        ],
        &[("RAYON_NUM_THREADS", "1")],
    )?;
    let one = [("OMP_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1")];
    let p = if ctx.peers {
        Some(ctx.python_json("ar.py", &["--series", &series, "--repeats", "1"], &one)?)
    } else {
        None
    };
    let rows = vec![Ratio::new(
        "select p<=40 + fit, 1M points, 1 thread",
        num(&g, "/seconds_median")?,
        p.as_ref().map(|p| num(p, "/seconds_median")).transpose()?,
        "s",
        false,
        Some(5.0),
    )];
    let mut gap = None;
    if let Some(p) = &p {
        if g["order"] != p["order"] {
            bail!("genlab chose order {} but statsmodels {}", g["order"], p["order"]);
        }
        let worst = g["params"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(p["params"].as_array().into_iter().flatten())
            .map(|(a, b)| {
                let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
                (a - b).abs() / b.abs().max(1e-12)
            })
            .fold(0.0f64, f64::max);
        println!("coefficients: largest relative gap to statsmodels {worst:.1e}");
        if worst.is_nan() || worst > 1e-6 {
            bail!(
                "genlab's coefficients differ from statsmodels' by {worst:.1e} relative (bar 1e-6)"
            );
        }
        gap = Some(worst);
    }
    ctx.report("ar", &rows, json!({ "genlab": g, "statsmodels": p, "coefficient_gap": gap }))
}
