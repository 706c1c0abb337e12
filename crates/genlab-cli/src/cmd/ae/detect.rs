//! `genlab ae detect`: anomaly detection by reconstruction. Trains on normal data only, sets
//! the threshold from the training scores (`--contamination`), scores the test set and reports
//! AUROC, precision, recall, F1 and a score histogram.
//!
//! - `--data mnist[:DIR]`: one-class-out. For each digit k (or `--digit k`), train without k
//!   and detect k among all test digits.
//! - `--data sensors`: the seeded machine with injected faults, scored over sliding windows.
//! - `--data csv:TEST --train-csv NORMAL`: your own sensor logs (a `label` column in TEST
//!   gives the ground truth).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use genlab_autoencoder::anomaly::{
    DETECT_LOSS, DetectOptions, StepDetection, detect, detect_steps, split_by_label,
};
use genlab_autoencoder::{AeModel, ImageData, Score, TrainConfig, TrainData, fit};
use genlab_data::SensorSeries;
use genlab_tensor::Device;
use genlab_train::RunSpec;

use super::data::{self, DataSpec, SensorArgs};
use super::{ModelArgs, parse_data};

#[derive(Args, Debug)]
pub struct DetectArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// mnist[:DIR], sensors, or csv:FILE (with --train-csv).
    #[arg(long, default_value = "mnist", value_parser = parse_data)]
    pub data: DataSpec,
    /// The normal log to train on, with --data csv:FILE.
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub train_csv: Option<PathBuf>,
    /// MNIST: the digit to treat as the anomaly, or `all` for each in turn.
    #[arg(long, default_value = "all")]
    pub digit: String,
    /// Share of training items allowed above the threshold.
    #[arg(long, default_value_t = 0.05)]
    pub contamination: f64,
    /// The anomaly score: loss, squared, relative[:P] (squared error over the item's norm to
    /// the power P, 1 by default), cosine, robust-z or recon-prob (VAE). Default: relative for
    /// images, squared for sensor windows.
    #[arg(long, value_parser = parse_score)]
    pub score: Option<Score>,
    /// z draws per item for the scores that sample (a VAE's loss and recon-prob).
    #[arg(long, default_value_t = 4)]
    pub draws: usize,
    #[command(flatten)]
    pub sensors: SensorArgs,
    /// Passes over the normal data (default: 10 for MNIST; 50 for sensor windows, which are
    /// fewer: about 1,250 in the default series).
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Hold out this share of the normal items as a validation set (for --patience).
    #[arg(long)]
    pub val_split: Option<f64>,
    /// Early stopping: end training once the loss on the --val-split items has not improved
    /// for this many epochs (--epochs is then the most it trains).
    #[arg(long)]
    pub patience: Option<u64>,
    /// Seed of everything random.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder for the report and histograms.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/detect")]
    pub out: PathBuf,
}

fn parse_score(s: &str) -> Result<Score, String> {
    Score::parse(s).map_err(|e| e.to_string())
}

fn train_and_score(
    args: &DetectArgs,
    train: &ImageData,
    test: &ImageData,
    labels: &[bool],
    name: &str,
    device: &Device,
) -> Result<(genlab_autoencoder::anomaly::DetectionReport, AeModel)> {
    // Squared error unless --loss says otherwise (docs/autoencoders.md, the ablation).
    let model_cfg = args.model.config(train.shape, DETECT_LOSS)?;
    let default_epochs = if args.data.is_images() { 10 } else { 50 };
    let epochs = args.epochs.unwrap_or(default_epochs);
    let cfg =
        TrainConfig { epochs, seed: args.seed, patience: args.patience, ..TrainConfig::default() };
    // The threshold is still set on every normal item, held out or not.
    let held_out = args.val_split.map(|share| train.split(share, args.seed));
    let data = match &held_out {
        Some((rest, val)) => TrainData::Items { train: rest, val: Some(val) },
        None => TrainData::Items { train, val: None },
    };
    let (model, _, _) = fit(&model_cfg, &cfg, data, &RunSpec::memory(), device, &mut |_, _| {})?;
    let hist = args.out.join(format!("scores-{name}.png"));
    let options = DetectOptions {
        score: args.score.unwrap_or_else(|| DetectOptions::default_score(args.data.is_images())),
        contamination: args.contamination,
        draws: args.draws,
        seed: args.seed,
    };
    let (report, scores) = detect(&model, train, test, labels, &options, Some(&hist), device)?;
    eprintln!(
        "{name}: AUROC {:.4}, precision {:.3}, recall {:.3}, F1 {:.3} at threshold {:.4} ({} of {} anomalous)",
        report.metrics.auroc,
        report.metrics.precision,
        report.metrics.recall,
        report.metrics.f1,
        report.metrics.threshold,
        report.anomalies,
        report.items
    );
    // Every score, for a closer look (spreadsheet, pandas).
    let mut csv = String::from("item,label,score\n");
    for (i, (l, s)) in labels.iter().zip(&scores).enumerate() {
        csv.push_str(&format!("{i},{},{s}\n", u8::from(*l)));
    }
    std::fs::write(args.out.join(format!("scores-{name}.csv")), csv)?;
    Ok((report, model))
}

/// Per-time-step detection ([`detect_steps`]), with its scores as CSV and a histogram.
fn score_steps(
    args: &DetectArgs,
    model: &AeModel,
    windows: [&ImageData; 2],
    series: [&SensorSeries; 2],
    device: &Device,
) -> Result<genlab_eval::BinaryReport> {
    let (width, stride) = (args.sensors.window, args.sensors.stride);
    let StepDetection { report: r, scores, labels, threshold } = detect_steps(
        model,
        windows[0],
        windows[1],
        series[0],
        series[1],
        width,
        stride,
        args.contamination,
        device,
    )?;
    eprintln!(
        "sensor steps: AUROC {:.4}, precision {:.3}, recall {:.3}, F1 {:.3} ({} of {} steps faulty)",
        r.auroc,
        r.precision,
        r.recall,
        r.f1,
        labels.iter().filter(|&&l| l).count(),
        labels.len()
    );
    let mut csv = String::from("step,label,score\n");
    for (i, (l, s)) in labels.iter().zip(&scores).enumerate() {
        csv.push_str(&format!("{i},{},{s}\n", u8::from(*l)));
    }
    std::fs::write(args.out.join("scores-sensor-steps.csv"), csv)?;
    let (normal, anomalous) = split_by_label(&scores, &labels);
    let hist = args.out.join("scores-sensor-steps.png");
    genlab_eval::score_histogram_png(&normal, &anomalous, Some(threshold), &hist)?;
    Ok(r)
}

pub fn run(args: DetectArgs, device: &Device) -> Result<()> {
    if !(args.contamination > 0.0 && args.contamination <= 0.5) {
        bail!("--contamination must be in (0, 0.5], got {}", args.contamination);
    }
    if args.draws == 0 {
        bail!("--draws must be at least 1");
    }
    if let Some(share) = args.val_split
        && !(share > 0.0 && share < 1.0)
    {
        bail!("--val-split is the share of normal items held out, in (0, 1), got {share}");
    }
    if args.patience.is_some() && args.val_split.is_none() {
        bail!("--patience watches the validation loss: hold out normal items with --val-split");
    }
    if args.train_csv.is_some() && !matches!(args.data, DataSpec::Csv(_)) {
        bail!("--train-csv is the normal log for --data csv:FILE, not for {:?}", args.data);
    }
    if args.digit != "all" && !matches!(args.data, DataSpec::Mnist(_)) {
        bail!("--digit picks the anomalous digit of --data mnist, not of {:?}", args.data);
    }
    std::fs::create_dir_all(&args.out)?;
    let mut results = serde_json::Map::new();
    let summary = match &args.data {
        DataSpec::Mnist(dir) => {
            let (train, test) = data::mnist(dir.as_deref())?;
            let digits: Vec<u8> = match args.digit.as_str() {
                "all" => (0..10).collect(),
                d => match d.parse::<u8>() {
                    Ok(k) if k <= 9 => vec![k],
                    _ => bail!("--digit must be 0-9 or all, got {d:?}"),
                },
            };
            let (tr_l, te_l) =
                (train.labels.clone().expect("labels"), test.labels.clone().expect("labels"));
            let mut aurocs = Vec::new();
            for k in digits {
                let normal = train.filter(|i| tr_l[i] != k);
                let labels: Vec<bool> = te_l.iter().map(|&l| l == k).collect();
                let (r, _) =
                    train_and_score(&args, &normal, &test, &labels, &format!("digit-{k}"), device)?;
                aurocs.push(r.metrics.auroc);
                results.insert(k.to_string(), serde_json::to_value(&r)?);
            }
            let mean = aurocs.iter().sum::<f64>() / aurocs.len() as f64;
            eprintln!("mean AUROC over {} digits: {mean:.4}", aurocs.len());
            serde_json::json!({ "scenario": "mnist one-class-out", "mean_auroc": mean, "digits": results })
        }
        DataSpec::Sensors | DataSpec::Csv(_) => {
            let (train_series, test_series) = match &args.data {
                DataSpec::Csv(test) => {
                    let Some(train) = &args.train_csv else {
                        bail!(
                            "csv:{} is the log to score; give the normal log to train on with --train-csv FILE",
                            test.display()
                        );
                    };
                    data::read_logs(train, test, &args.sensors.opts())?
                }
                _ => data::generated_sensors(args.seed),
            };
            eprintln!("normal series: {}", genlab_autoencoder::anomaly::describe(&train_series));
            eprintln!("test series: {}", genlab_autoencoder::anomaly::describe(&test_series));
            let window = args.sensors.opts();
            let (train, test, labels) = data::sensor_windows(&train_series, &test_series, &window)?;
            if !labels.iter().any(|&l| l) || labels.iter().all(|&l| l) {
                bail!(
                    "the test log needs both normal and faulty windows to measure detection (a `label` column)"
                );
            }
            let (r, model) =
                train_and_score(&args, &train, &test, &labels, "sensor-windows", device)?;
            let windows = [&train, &test];
            let steps = score_steps(&args, &model, windows, [&train_series, &test_series], device)?;
            if matches!(args.data, DataSpec::Sensors) {
                // The generated faults, so misses can be traced to a kind of fault.
                std::fs::write(
                    args.out.join("faults.json"),
                    serde_json::to_string_pretty(&test_series.faults)?,
                )?;
            }
            serde_json::json!({ "scenario": "sensors", "window": args.sensors.window, "stride": args.sensors.stride, "steps": steps, "windows": r })
        }
        other => bail!("detect works on mnist, sensors or csv data, not {other:?}"),
    };
    let path = args.out.join("detect.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)?)?;
    let mut pictures: Vec<(String, String)> = vec![
        (
            "scores-sensor-windows.png".into(),
            "window scores, normal vs faulty, threshold in red".into(),
        ),
        ("scores-sensor-steps.png".into(), "time-step scores".into()),
    ];
    pictures.extend((0..10).map(|k| {
        (
            format!("scores-digit-{k}.png"),
            format!("digit {k} left out: scores of the other digits vs {k}"),
        )
    }));
    let pictures: Vec<(&str, &str)> =
        pictures.iter().map(|(f, c)| (f.as_str(), c.as_str())).collect();
    genlab_train::html::html_report(&args.out, "genlab ae detect", &summary, &pictures)?;
    println!("{}", serde_json::to_string(&summary)?);
    eprintln!("wrote {} and score histograms in {}", path.display(), args.out.display());
    Ok(())
}
