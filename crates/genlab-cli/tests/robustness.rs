//! The robustness harness: every subcommand `genlab --help` lists, every flag its own `--help`
//! lists, fed values a user might type by mistake (0, -1, NaN, inf, 1e30, an empty string;
//! for paths a missing file, a folder, an empty file, random bytes, a run of every family and
//! a run with a truncated checkpoint; for names a made-up one).
//! Whatever the value, genlab must answer with a result or an error message, never a panic
//! and never a hang; an error names the flag, the value or the file. Each call starts from a
//! quick base command (one step, one epoch, tiny runs made here), so an accepted value costs
//! seconds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::ok;

const BIN: &str = env!("CARGO_BIN_EXE_genlab");
/// Far above any base command here (a few seconds); a call still running is a hang.
const LIMIT: Duration = Duration::from_secs(120);

/// Numeric flags, by their value name in `--help`.
const NUMERIC: &[&str] = &[
    "STEPS",
    "BATCH_SIZE",
    "LR",
    "TRAIN_SEED",
    "SEED",
    "MAX_TOKENS",
    "TEMPERATURE",
    "TOP_K",
    "TOP_P",
    "MIN_P",
    "REPEAT_PENALTY",
    "BEAMS",
    "ITERS",
    "EPOCHS",
    "LATENT",
    "DECODER_SIGMA",
    "CONTAMINATION",
    "WINDOW",
    "STRIDE",
    "N",
    "CLASS",
    "SCALE",
    "JUDGE_EPOCHS",
    "FROM",
    "TO",
    "SIZE",
    "PATCH",
    "PATCHES_PER_EPOCH",
    "BETA",
    "KL_WARMUP",
    "IW_SAMPLES",
    "VOCAB_SIZE",
    "MIN_FREQUENCY",
    "TOP",
    "EXPECT",
    "LABEL_SMOOTHING",
    "D_STEPS",
    "TRAIN_PAIRS",
    "HELD_OUT",
    "L1_WEIGHT",
    "FEATURES",
    "SIGMA",
    "DIGIT",
    "HIDDEN",
    "CHANNELS",
    "SECONDS",
    "EVAL_EVERY",
    "SAMPLE_SECONDS",
    "LAGS",
    "MAX_LAG",
    "ALPHA",
    "STATES",
    "RESTARTS",
    "SYMBOLS",
];
/// Flags that name a file or folder to read.
const INPUT_PATHS: &[&str] = &[
    "MODEL",
    "CHECKPOINT",
    "INPUT",
    "CONFIG",
    "FILE",
    "DIR",
    "REAL",
    "FAKE",
    "IMAGES",
    "CLASSIFIER",
    "TRAIN_CSV",
    "PHOTOS",
    "MNIST",
    "TOKENIZER",
    "RUN",
    "VAL",
    "COMPARE",
];
/// Flags that name where to write: any value may be fine, only panics and hangs are checked.
const OUTPUTS: &[&str] = &["OUT", "REPORT", "IDX", "HF", "TIKTOKEN", "STATES_FILE"];

/// The files and runs the base commands use.
struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    fn new() -> Self {
        let f = Self { dir: tempfile::tempdir().unwrap() };
        let p = |name: &str| f.path(name);
        std::fs::create_dir_all(p("empty-dir")).unwrap();
        std::fs::write(p("empty-file"), b"").unwrap();
        let noise: Vec<u8> =
            (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(p("random-bytes"), noise).unwrap();
        std::fs::write(p("text.txt"), "to be or not to be, that is the question\n".repeat(50))
            .unwrap();
        ok(&[
            "tokenizer",
            "train",
            "--data",
            &p("text.txt"),
            "--vocab-size",
            "280",
            "--out",
            &p("tok.json"),
        ]);
        ok(&[
            "gpt",
            "train",
            "--steps",
            "1",
            "--batch-size",
            "2",
            "--max-tokens",
            "2",
            "--out",
            &p("gpt"),
        ]);
        ok(&[
            "rnn",
            "train",
            "--preset",
            "tiny",
            "--steps",
            "1",
            "--batch-size",
            "2",
            "--max-tokens",
            "2",
            "--out",
            &p("rnn"),
        ]);
        ok(&[
            "ae",
            "train",
            "--model",
            "vae",
            "--epochs",
            "1",
            "--latent",
            "2",
            "--out",
            &p("vae"),
        ]);
        ok(&["gan", "train", "--model", "gan", "--epochs", "1", "--out", &p("gan")]);
        ok(&[
            "gan",
            "sample",
            "--checkpoint",
            &p("gan"),
            "--n",
            "16",
            "--out",
            &p("s.png"),
            "--idx",
            &p("fake.idx"),
        ]);
        ok(&[common::TINY_PIX2PIX, &["--out", &p("p2p")]].concat());
        ok(&["eval", "train-classifier", "--epochs", "1", "--out", &p("cls")]);
        ok(&[common::TINY_WAVENET, &["--out", &p("wn")]].concat());
        ok(&["hmm", "fit", "--data", "nile", "--restarts", "1", "--out", &p("hmm.json")]);
        // A run whose checkpoint was cut short (a crash mid-copy, a full disk).
        std::fs::create_dir_all(p("truncated-run")).unwrap();
        for file in ["run.json", "checkpoint.bin"] {
            let bytes = std::fs::read(f.dir.path().join("vae").join(file)).unwrap();
            let keep = if file == "run.json" { bytes.len() } else { bytes.len() / 2 };
            std::fs::write(f.dir.path().join("truncated-run").join(file), &bytes[..keep]).unwrap();
        }
        f
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// A quick, valid command line for `cmd` (the subcommand path), writing under `out`.
    fn base(&self, cmd: &[&str], out: &str) -> Vec<String> {
        let p = |n: &str| self.path(n);
        let png = p("s.png");
        let args: Vec<String> = match cmd {
            ["info"] => vec![],
            ["data", "check"] => vec!["--text".into(), p("text.txt")],
            ["tokenizer", "train"] => {
                vec![
                    "--data".into(),
                    p("text.txt"),
                    "--vocab-size".into(),
                    "270".into(),
                    "--out".into(),
                    format!("{out}/t.json"),
                ]
            }
            ["tokenizer", "encode" | "count"] => {
                vec!["--tokenizer".into(), p("tok.json"), "--text".into(), "to be".into()]
            }
            ["tokenizer", "decode"] => {
                vec!["--tokenizer".into(), p("tok.json"), "1".into(), "2".into()]
            }
            ["tokenizer", "inspect"] => vec!["--tokenizer".into(), p("tok.json")],
            ["gpt", "train"] => {
                ["--steps", "1", "--batch-size", "2", "--max-tokens", "2", "--out", out]
                    .map(String::from)
                    .to_vec()
            }
            ["gpt", "generate"] => {
                ["--checkpoint", &p("gpt"), "--max-tokens", "2"].map(String::from).to_vec()
            }
            ["gpt", "eval"] => {
                ["--checkpoint", &p("gpt"), "--iters", "1"].map(String::from).to_vec()
            }
            ["gpt", "export"] => {
                ["--checkpoint", &p("gpt"), "--out", &format!("{out}/m.safetensors")]
                    .map(String::from)
                    .to_vec()
            }
            ["rnn", "train"] => {
                let tiny = ["--preset", "tiny", "--steps", "1", "--batch-size", "2"];
                tiny.iter()
                    .chain(&["--max-tokens", "2", "--out", out])
                    .map(|a| a.to_string())
                    .collect()
            }
            ["rnn", "generate"] => {
                ["--checkpoint", &p("rnn"), "--max-tokens", "2"].map(String::from).to_vec()
            }
            ["rnn", "eval"] => {
                ["--checkpoint", &p("rnn"), "--iters", "1"].map(String::from).to_vec()
            }
            ["ae", "train"] => {
                ["--epochs", "1", "--latent", "2", "--out", out].map(String::from).to_vec()
            }
            ["ae", "detect"] => {
                ["--data", "sensors", "--epochs", "1", "--out", out].map(String::from).to_vec()
            }
            ["ae", "denoise"] => {
                ["--checkpoint", &p("vae"), "--input", &png, "--out", &format!("{out}/d.png")]
                    .map(String::from)
                    .to_vec()
            }
            ["ae", "attribute"] => {
                ["--checkpoint", &p("vae"), "--judge-epochs", "1"].map(String::from).to_vec()
            }
            ["ae", _] => ["--checkpoint", &p("vae"), "--out", &format!("{out}/x.png")]
                .map(String::from)
                .to_vec(),
            ["gan", "train"] => {
                ["--model", "gan", "--epochs", "1", "--out", out].map(String::from).to_vec()
            }
            ["gan", "sample"] => {
                ["--checkpoint", &p("gan"), "--n", "4", "--out", &format!("{out}/s.png")]
                    .map(String::from)
                    .to_vec()
            }
            ["gan", "translate"] => {
                ["--checkpoint", &p("p2p"), "--input", &png, "--out", &format!("{out}/t.png")]
                    .map(String::from)
                    .to_vec()
            }
            ["eval", "train-classifier"] => {
                ["--epochs", "1", "--out", out].map(String::from).to_vec()
            }
            ["eval", "fid"] => {
                ["--real", "mnist", "--fake", &p("fake.idx"), "--classifier", &p("cls")]
                    .map(String::from)
                    .to_vec()
            }
            ["eval", "classify"] => {
                ["--images", &p("fake.idx"), "--classifier", &p("cls")].map(String::from).to_vec()
            }
            ["wavenet", "train"] => {
                let tail = ["--out", out];
                common::TINY_WAVENET[2..].iter().chain(&tail).map(|a| a.to_string()).collect()
            }
            ["wavenet", "generate"] => {
                ["--run", &p("wn"), "--seconds", "0.05", "--out", &format!("{out}/g.wav")]
                    .map(String::from)
                    .to_vec()
            }
            ["wavenet", "eval"] => {
                ["--run", &p("wn"), "--data", "embedded"].map(String::from).to_vec()
            }
            ["hmm", "fit"] => {
                ["--data", "nile", "--restarts", "1", "--out", &format!("{out}/m.json")]
                    .map(String::from)
                    .to_vec()
            }
            ["hmm", "decode"] => {
                ["--model", &p("hmm.json"), "--data", "nile", "--out", &format!("{out}/s.txt")]
                    .map(String::from)
                    .to_vec()
            }
            ["hmm", "score"] => {
                ["--model", &p("hmm.json"), "--data", "nile"].map(String::from).to_vec()
            }
            ["hmm", "sample"] => {
                ["--model", &p("hmm.json"), "--steps", "10", "--out", &format!("{out}/x.csv")]
                    .map(String::from)
                    .to_vec()
            }
            ["ar", "forecast"] => vec!["--out".into(), out.into()],
            ["ar", _] => vec![],
            ["run", _] => vec![p("gpt")],
            other => panic!("no base command for {other:?}: add one"),
        };
        args
    }

    /// The bad values to try for a flag whose value is named `value_name` in `--help`.
    fn bad_values(&self, value_name: &str) -> Vec<String> {
        if OUTPUTS.contains(&value_name) {
            return vec![String::new()]; // replaced by a path in a missing folder
        }
        if NUMERIC.contains(&value_name) {
            return ["0", "-1", "nan", "inf", "1e30", ""].map(String::from).to_vec();
        }
        let mut v: Vec<String> = vec!["".into(), "bogus".into()];
        if INPUT_PATHS.contains(&value_name) || value_name == "DATA" {
            v.extend(
                ["missing/nothing-here", "empty-dir", "empty-file", "random-bytes"]
                    .map(|n| self.path(n)),
            );
        }
        if ["CHECKPOINT", "CLASSIFIER", "DIR", "RUN"].contains(&value_name) {
            // Runs of every family (all but one are the wrong family) and a truncated one.
            let runs = ["gpt", "rnn", "vae", "gan", "p2p", "cls", "wn", "truncated-run"];
            v.extend(runs.map(|n| self.path(n)));
        }
        v
    }
}

/// Values no flag of this kind may take: a number flag refuses NaN, infinity, an empty string
/// and (but for a scale, which may subtract) a negative number; a file flag refuses a missing
/// file, an empty one and random bytes.
fn must_refuse(value_name: &str, value: &str, fixtures: &Fixtures) -> bool {
    if NUMERIC.contains(&value_name) {
        return matches!(value, "nan" | "inf" | "") || (value == "-1" && value_name != "SCALE");
    }
    if INPUT_PATHS.contains(&value_name) || value_name == "DATA" {
        let bad = ["missing/nothing-here", "empty-file", "random-bytes", "truncated-run"];
        return bad.iter().any(|b| value == fixtures.path(b));
    }
    false
}

/// `genlab <cmd> --help`, parsed: subcommand names, and (flag, value name) pairs.
fn help(cmd: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
    let out = Command::new(BIN).args(cmd).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut subs = Vec::new();
    let mut in_commands = false;
    for line in text.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            match line.split_whitespace().next() {
                Some(name) if line.starts_with("  ") && name != "help" => {
                    subs.push(name.to_string())
                }
                Some(_) => {}
                None => in_commands = false,
            }
        }
    }
    let mut flags = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            let mut parts = rest.split_whitespace();
            let (Some(flag), Some(value)) = (parts.next(), parts.next()) else { continue };
            if let Some(value) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>'))
                && flag != "device"
            {
                flags.push((flag.to_string(), value.to_string()));
            }
        }
    }
    (subs, flags)
}

/// A leaf subcommand's path (`["gpt", "train"]`) and its value flags (name, placeholder).
type Leaf = (Vec<String>, Vec<(String, String)>);

/// Every leaf subcommand with its value flags.
fn leaves() -> Vec<Leaf> {
    let mut out = Vec::new();
    let (top, _) = help(&[]);
    for c in top {
        let (subs, flags) = help(&[&c]);
        if subs.is_empty() {
            out.push((vec![c.clone()], flags));
        }
        for s in subs {
            let (_, flags) = help(&[&c, &s]);
            out.push((vec![c.clone(), s], flags));
        }
    }
    out
}

/// Every regular file under `dir`: a refused command must leave none behind.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap_or(&path).display().to_string());
            }
        }
    }
    out
}

/// Runs genlab with `args`, killing it past [`LIMIT`]: (exit code, stderr, seconds).
fn run_limited(args: &[String], cwd: &Path) -> (Option<i32>, String, f64) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("GENLAB_NO_PROGRESS", "1")
        .env_remove("GENLAB_DEVICE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = reader.join().unwrap();
            return (status.code(), err, started.elapsed().as_secs_f64());
        }
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            return (None, reader.join().unwrap(), started.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn every_flag_survives_bad_values() {
    let fixtures = Fixtures::new();
    let mut problems = Vec::new();
    let mut calls = 0usize;
    for (cmd, flags) in leaves() {
        let cmd_ref: Vec<&str> = cmd.iter().map(String::as_str).collect();
        // Where the base command itself fails (ae attribute needs a faces run), only panics
        // and hangs are looked for: its error is about the run, not the flag.
        let base_ok = {
            let work = tempfile::tempdir().unwrap();
            let out = work.path().join("out").to_string_lossy().into_owned();
            let mut args = cmd.clone();
            args.extend(fixtures.base(&cmd_ref, &out));
            run_limited(&args, work.path()).0 == Some(0)
        };
        for (flag, value_name) in &flags {
            for value in fixtures.bad_values(value_name) {
                let work = tempfile::tempdir().unwrap();
                let out = work.path().join("out").to_string_lossy().into_owned();
                // Output flags get a folder in a missing folder: written, or refused by name.
                let value = if OUTPUTS.contains(&value_name.as_str()) {
                    work.path().join("new/folder/out").to_string_lossy().into_owned()
                } else {
                    value
                };
                let mut args: Vec<String> = cmd.clone();
                let base = fixtures.base(&cmd_ref, &out);
                // The flag under test replaces its value in the base command.
                let mut skip = false;
                for a in base {
                    if skip {
                        skip = false;
                        continue;
                    }
                    if a == format!("--{flag}") {
                        skip = true;
                        continue;
                    }
                    args.push(a);
                }
                args.push(format!("--{flag}"));
                args.push(value.clone());
                let (code, err, secs) = run_limited(&args, work.path());
                calls += 1;
                let shown = format!("genlab {} ({secs:.1} s)", args.join(" "));
                match code {
                    None => problems.push(format!("HANG past {LIMIT:?}: {shown}")),
                    Some(101) => problems.push(format!("PANIC: {shown}\n{err}")),
                    _ if err.contains("panicked at") => {
                        problems.push(format!("PANIC: {shown}\n{err}"))
                    }
                    Some(0) if must_refuse(value_name, &value, &fixtures) => {
                        problems.push(format!("ACCEPTED: {shown}"));
                    }
                    Some(0) => {}
                    Some(_) if !base_ok || err.contains("loss became") => {}
                    Some(_) if !files_under(work.path()).is_empty() => {
                        let left = files_under(work.path());
                        problems.push(format!("LEFT FILES {left:?}: {shown}\n{err}"));
                    }
                    Some(_) => {
                        let snake = flag.replace('-', "_");
                        let names = err.contains(flag.as_str())
                            || err.contains(&snake)
                            || (!value.is_empty() && err.contains(value.as_str()))
                            || err.contains(&format!(
                                "`{}`",
                                flag.split('-').next_back().unwrap_or("")
                            ));
                        if !names {
                            problems.push(format!("UNNAMED: {shown}\n{err}"));
                        }
                    }
                }
            }
        }
    }
    eprintln!("robustness: {calls} calls, {} problems", problems.len());
    assert!(calls >= 500, "only {calls} bad invocations");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n\n"));
}
