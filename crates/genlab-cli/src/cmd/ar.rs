//! `genlab ar fit | select | forecast | simulate`: AR(p) time series, fitted like statsmodels'
//! `AutoReg`. Each prints one JSON line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use genlab_timeseries::ar::{
    self, ArModel, Criterion, SeriesSource, Trend, YwMethod, read_model, read_series,
};
use serde_json::json;

/// The AR(p) family.
#[derive(Subcommand, Debug)]
pub enum ArCmd {
    /// Fit AR(p) by OLS (conditional MLE, as statsmodels' AutoReg) or Yule-Walker; prints the
    /// coefficients, standard errors, sigma2, log-likelihood, AIC/BIC/HQIC and roots.
    Fit(FitArgs),
    /// Fit every order 0..=max on the same rows and pick one by AIC, BIC or HQIC.
    Select(SelectArgs),
    /// Forecast with prediction intervals; writes forecast.json and forecast.png.
    Forecast(ForecastArgs),
    /// Simulate a new series from a fitted model and a seed.
    Simulate(SimulateArgs),
}

/// The series and the model shape, shared by the subcommands that fit.
#[derive(Args, Debug)]
pub struct SeriesArgs {
    /// `sunspots` or `nile` (shipped with genlab), `file.csv[:column]` (by header name or
    /// 0-based position; the last column by default) or `file.wav`.
    #[arg(long, default_value = "sunspots")]
    pub data: String,
    /// The deterministic terms: n (none), c (constant), t (time), ct (constant + time).
    #[arg(long, default_value = "c", value_parser = trend)]
    pub trend: Trend,
}

#[derive(Args, Debug)]
pub struct FitArgs {
    #[command(flatten)]
    pub series: SeriesArgs,
    /// The order p.
    #[arg(long, short = 'p', default_value_t = 2, allow_negative_numbers = true, value_parser = order)]
    pub lags: usize,
    /// ols, or yw (Yule-Walker; trend n or c only).
    #[arg(long, default_value = "ols")]
    pub method: String,
    /// Yule-Walker's autocovariance: adjusted (divide by n - k) or mle (by n).
    #[arg(long, default_value = "adjusted")]
    pub yw: String,
    /// Write the fitted model as JSON (for forecast and simulate --model).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SelectArgs {
    #[command(flatten)]
    pub series: SeriesArgs,
    /// The largest order tried.
    #[arg(long, default_value_t = 12, allow_negative_numbers = true, value_parser = order)]
    pub max_lag: usize,
    /// aic, bic or hqic.
    #[arg(long, default_value = "bic")]
    pub ic: String,
}

/// The model a forecast or simulation uses: a saved one, or AR(p) fitted to the series.
#[derive(Args, Debug)]
pub struct ModelArgs {
    /// The order p of the model fitted to --data (ignored with --model).
    #[arg(long, short = 'p', default_value_t = 2, allow_negative_numbers = true, value_parser = order)]
    pub lags: usize,
    /// A model from `ar fit --out` instead of fitting one; --data is then the history.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub model: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub series: SeriesArgs,
    #[command(flatten)]
    pub fitted: ModelArgs,
    /// Values to forecast.
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// 1 minus the intervals' coverage (0.05 gives 95% intervals).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Folder for forecast.json and forecast.png.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/ar")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub series: SeriesArgs,
    #[command(flatten)]
    pub fitted: ModelArgs,
    /// Values to simulate.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// Seed of the innovations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Continue the series given by --data instead of starting afresh after a burn-in.
    #[arg(long)]
    pub continue_series: bool,
}

fn trend(s: &str) -> Result<Trend, String> {
    Trend::parse(s).map_err(|e| e.to_string())
}

/// An order: a whole number, 0 or more (a negative one is named as such).
fn order(s: &str) -> Result<usize, String> {
    match s.parse::<i64>() {
        Ok(v) if v < 0 => Err(format!("{v} is negative: an AR order is 0 or more")),
        Ok(v) => usize::try_from(v).map_err(|e| e.to_string()),
        Err(e) => Err(format!("{s:?} is not a whole number: {e}")),
    }
}

fn series(args: &SeriesArgs) -> Result<Vec<f64>> {
    read_series(&SeriesSource::parse(&args.data))
        .with_context(|| format!("reading --data {}", args.data))
}

/// The model of a subcommand: `--model`, or OLS AR(`--lags`) on the series.
fn model(args: &ModelArgs, y: &[f64], trend: Trend) -> Result<ArModel> {
    match &args.model {
        Some(path) => Ok(read_model(path)?),
        None => Ok(ar::fit(y, args.lags, trend)?.model),
    }
}

/// Runs an `ar` subcommand.
pub fn run(cmd: ArCmd) -> Result<()> {
    match cmd {
        ArCmd::Fit(a) => {
            let y = series(&a.series)?;
            let (line, model) = match a.method.as_str() {
                "ols" => {
                    let fit = ar::fit(&y, a.lags, a.series.trend)?;
                    (serde_json::to_value(&fit)?, fit.model)
                }
                "yw" => {
                    let demean = match a.series.trend {
                        Trend::None => false,
                        Trend::Constant => true,
                        t => bail!("Yule-Walker takes trend n or c, not {:?}", t.name()),
                    };
                    let method = match a.yw.as_str() {
                        "adjusted" => YwMethod::Adjusted,
                        "mle" => YwMethod::Mle,
                        other => bail!("--yw {other:?} is not adjusted or mle"),
                    };
                    let yw = ar::yule_walker(&y, a.lags, method, demean)?;
                    (serde_json::to_value(&yw)?, yw.model()?)
                }
                other => bail!("--method {other:?} is not ols or yw"),
            };
            if let Some(out) = &a.out {
                ar::write_model(out, &model)?;
            }
            println!(
                "{}",
                json!({ "data": a.series.data, "n": y.len(), "method": a.method, "fit": line })
            );
        }
        ArCmd::Select(a) => {
            let y = series(&a.series)?;
            let ic = Criterion::parse(&a.ic)?;
            let sel = ar::select_order(&y, a.max_lag, a.series.trend)?;
            let line = json!({ "data": a.series.data, "n": y.len(), "ic": a.ic, "order": sel.best(ic), "selection": sel });
            println!("{line}");
        }
        ArCmd::Forecast(a) => {
            let y = series(&a.series)?;
            let m = model(&a.fitted, &y, a.series.trend)?;
            let fc = m.forecast(&y, a.steps, a.alpha)?;
            let title = format!("AR({}) forecast of {}", m.order(), a.series.data);
            let (json_path, png) = ar::write_forecast(&a.out, &title, &m, &y, &fc)?;
            let line = json!({ "data": a.series.data, "model": m, "forecast": fc, "json": json_path, "plot": png });
            println!("{line}");
        }
        ArCmd::Simulate(a) => {
            let y = series(&a.series)?;
            let m = model(&a.fitted, &y, a.series.trend)?;
            let history = a.continue_series.then_some(y.as_slice());
            let values = m.simulate(a.steps, a.seed, history)?;
            println!("{}", json!({ "model": m, "seed": a.seed, "values": values }));
        }
    }
    Ok(())
}
