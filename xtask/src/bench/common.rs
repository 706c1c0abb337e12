//! Shared plumbing for `cargo xtask bench <name>`: run the genlab side and the peer side,
//! each printing one JSON object as its last line of stdout, then print a table of ratios
//! and write the raw figures to `target/bench/<name>.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// Where a benchmark runs and what it may use.
#[derive(Debug)]
pub struct BenchCtx {
    /// The repository root.
    pub root: PathBuf,
    /// Also run the peer scripts in `benches/peers/`.
    pub peers: bool,
    /// Device spec passed to genlab (`--device`), if any.
    pub device: Option<String>,
    /// Training steps asked for with `--steps` (benchmarks that train; `None` = their recipe's).
    pub steps: Option<u64>,
    /// Where JSON results go (`target/bench`).
    pub out_dir: PathBuf,
}

/// One line of the results table.
#[derive(Debug, Clone)]
pub struct Ratio {
    /// What was measured.
    pub what: String,
    /// genlab's figure.
    pub genlab: f64,
    /// The peer's figure, when the peer ran.
    pub peer: Option<f64>,
    /// Unit of both figures.
    pub unit: String,
    /// Whether a larger figure is better (throughput) or worse (time).
    pub higher_is_better: bool,
    /// The smallest acceptable ratio (from the bar), if there is one.
    pub bar: Option<f64>,
}

impl Ratio {
    /// A row: what was measured, genlab's figure, the peer's, their unit, whether higher is
    /// better, and the bar.
    pub fn new(
        what: impl Into<String>,
        genlab: f64,
        peer: Option<f64>,
        unit: &str,
        higher_is_better: bool,
        bar: Option<f64>,
    ) -> Self {
        Self { what: what.into(), genlab, peer, unit: unit.into(), higher_is_better, bar }
    }

    /// genlab relative to the peer; above 1 means genlab is better.
    pub fn ratio(&self) -> Option<f64> {
        let peer = self.peer?;
        Some(if self.higher_is_better { self.genlab / peer } else { peer / self.genlab })
    }
}

impl BenchCtx {
    /// A file under `../shared/data/` (beside the repository), or an error saying where it
    /// was looked for.
    pub fn data(&self, rel: &str) -> Result<PathBuf> {
        let candidates = [
            std::env::var_os("GENLAB_SHARED_DATA").map(PathBuf::from),
            Some(self.root.join("../shared/data")),
            Some(self.root.join("shared/data")),
        ];
        for base in candidates.into_iter().flatten() {
            let path = base.join(rel);
            if path.exists() {
                return Ok(path);
            }
        }
        bail!(
            "data file {rel} not found under ../shared/data (set GENLAB_SHARED_DATA to its folder)"
        )
    }

    /// Runs `cargo <args>` in the repository root and parses the last line of its stdout as
    /// JSON. Its stderr (build output, progress) passes through to the terminal.
    pub fn cargo_json(&self, args: &[&str], envs: &[(&str, &str)]) -> Result<serde_json::Value> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(args).current_dir(&self.root);
        run_json(cmd, envs, &format!("cargo {}", args.join(" ")))
    }

    /// Runs `benches/peers/<script>` with the peers' virtual environment (made by
    /// `cargo xtask peers-setup`) and parses the last line of its stdout as JSON.
    pub fn python_json(
        &self,
        script: &str,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Result<serde_json::Value> {
        let python = peers_python(&self.root)?;
        let mut cmd = Command::new(python);
        cmd.arg(self.root.join("benches/peers").join(script)).args(args).current_dir(&self.root);
        cmd.env("PYTHONUNBUFFERED", "1");
        run_json(cmd, envs, &format!("python {script} {}", args.join(" ")))
    }

    /// Prints the table and writes `target/bench/<name>.json` with the rows and `raw`.
    pub fn report(&self, name: &str, rows: &[Ratio], raw: serde_json::Value) -> Result<()> {
        println!("\n== bench {name} ==");
        println!(
            "{:<46} {:>14} {:>14} {:<10} {:>8} {:>8}",
            "what", "genlab", "peer", "unit", "ratio", "bar"
        );
        let mut json_rows = Vec::new();
        for row in rows {
            let peer = row.peer.map_or("-".to_string(), |p| format!("{p:.4}"));
            let ratio = row.ratio().map_or("-".to_string(), |r| format!("{r:.2}x"));
            let verdict = match (row.ratio(), row.bar) {
                (Some(r), Some(b)) if r >= b => format!(">={b:.2} ok"),
                (Some(_), Some(b)) => format!(">={b:.2} MISS"),
                _ => String::new(),
            };
            println!(
                "{:<46} {:>14.4} {:>14} {:<10} {:>8} {:>8}",
                row.what, row.genlab, peer, row.unit, ratio, verdict
            );
            json_rows.push(serde_json::json!({
                "what": row.what, "genlab": row.genlab, "peer": row.peer, "unit": row.unit,
                "higher_is_better": row.higher_is_better, "ratio": row.ratio(), "bar": row.bar,
            }));
        }
        println!(
            "(ratio > 1 means genlab is better; this machine is shared, so rerun to see the spread)"
        );
        let genlab_device = self.device.clone().unwrap_or_else(|| "cpu".into());
        if self.peers && genlab_device != "cpu" {
            println!(
                "NOTE: genlab ran on {genlab_device}; the peers ran on the CPU (they have no GPU \
                 path here), so the peer columns are CPU figures"
            );
        }
        std::fs::create_dir_all(&self.out_dir)?;
        let path = self.out_dir.join(format!("{name}.json"));
        let doc = serde_json::json!({
            "bench": name, "rows": json_rows, "raw": raw,
            "genlab_device": genlab_device, "peer_device": self.peers.then_some("cpu"),
        });
        std::fs::write(&path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        Ok(())
    }
}

/// The Python interpreter of the peers' virtual environment.
pub fn peers_python(root: &Path) -> Result<PathBuf> {
    let python = root.join("target/peers-venv/bin/python");
    if !python.exists() {
        bail!("{} is missing: run `cargo xtask peers-setup` first", python.display());
    }
    Ok(python)
}

fn run_json(mut cmd: Command, envs: &[(&str, &str)], what: &str) -> Result<serde_json::Value> {
    for (k, v) in envs {
        cmd.env(k, v);
    }
    eprintln!("$ {what}");
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("starting {what}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("{what} failed ({}); its stdout:\n{stdout}", out.status);
    }
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str(last)
        .with_context(|| format!("{what}: last stdout line is not JSON: {last:?}"))
}

/// Reads a number at a JSON pointer (`/train/seconds`), with an error naming the pointer.
pub fn num(v: &serde_json::Value, pointer: &str) -> Result<f64> {
    v.pointer(pointer)
        .and_then(serde_json::Value::as_f64)
        .with_context(|| format!("missing number at {pointer} in {v}"))
}
