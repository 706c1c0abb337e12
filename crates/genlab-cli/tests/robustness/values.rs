//! What the robustness harness feeds each flag: the bad values to try by the flag's value
//! name, which of them must be refused, and the fixtures (files and tiny runs of every family)
//! and quick base command each subcommand starts from.

use crate::common::{self, ok};

/// Numeric flags, by their value name in `--help`.
pub const NUMERIC: &[&str] = &[
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
    "DECAY_EPOCHS",
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
    "KL_COEF",
    "PROMPTS",
    "SAMPLES",
    "PROMPT_SEED",
    "K",
];
/// Flags that name a file or folder to read.
pub const INPUT_PATHS: &[&str] = &[
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
    "BASE",
    "POLICY",
    "REWARD",
    "REFERENCE",
];
/// Flags that name where to write: any value may be fine, only panics and hangs are checked.
pub const OUTPUTS: &[&str] = &["OUT", "REPORT", "IDX", "HF", "TIKTOKEN", "STATES_FILE"];

/// The files and runs the base commands use.
pub struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    pub fn new() -> Self {
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
        let street = common::tiny_pix2pix("labels2street");
        ok(&[&street[..], &["--out", &p("p2p-street")]].concat());
        ok(&[&["eval", "train-segmenter"][..], TINY_SEGMENTER, &["--out", &p("seg")]].concat());
        ok(&["eval", "train-classifier", "--epochs", "1", "--out", &p("cls")]);
        ok(&[common::TINY_WAVENET, &["--out", &p("wn")]].concat());
        ok(&["hmm", "fit", "--data", "nile", "--restarts", "1", "--out", &p("hmm.json")]);
        // Fine-tuning: a tiny base whose alphabet covers the instruction playground, an SFT
        // run and a reward model from it, and a recipe with a small playground.
        std::fs::write(p("alphabet.txt"), genlab_data::instructions::ALPHABET.repeat(40)).unwrap();
        let base_recipe = format!(
            "family = \"gpt\"\n[model]\nblock_size = 128\nn_layer = 1\nn_head = 2\nn_embd = 16\n\
             [train]\nmax_steps = 1\nbatch_size = 2\nwarmup_steps = 0\neval_iters = 1\n\
             [data]\npath = {:?}\n",
            p("alphabet.txt")
        );
        std::fs::write(p("ft-base.toml"), base_recipe).unwrap();
        ok(&[
            "gpt",
            "train",
            "--config",
            &p("ft-base.toml"),
            "--max-tokens",
            "2",
            "--out",
            &p("ft-base"),
        ]);
        std::fs::write(
            p("ft.toml"),
            "family = \"finetune\"\n[sft]\nmax_steps = 1\nbatch_size = 2\nwarmup_steps = 0\n\
             [reward]\nmax_steps = 1\nbatch_size = 2\nwarmup_steps = 0\n\
             [dpo]\nmax_steps = 1\nbatch_size = 2\nwarmup_steps = 0\n\
             [playground]\nexamples = 20\nheldout = 7\nrankings = 4\nheldout_rankings = 2\n\
             [rl]\niterations = 1\nprompts_per_iteration = 1\nsamples_per_prompt = 2\nminibatches = 1\n\
             max_new_tokens = 4\nprompts = 10\neval_prompts = 7\neval_samples = 1\n",
        )
        .unwrap();
        let ft = p("ft.toml");
        ok(&["gpt", "sft", "--config", &ft, "--base", &p("ft-base"), "--out", &p("sft")]);
        ok(&["gpt", "reward", "--config", &ft, "--base", &p("sft"), "--out", &p("rm")]);
        // A run whose checkpoint was cut short (a crash mid-copy, a full disk).
        std::fs::create_dir_all(p("truncated-run")).unwrap();
        for file in ["run.json", "checkpoint.bin"] {
            let bytes = std::fs::read(f.dir.path().join("vae").join(file)).unwrap();
            let keep = if file == "run.json" { bytes.len() } else { bytes.len() / 2 };
            std::fs::write(f.dir.path().join("truncated-run").join(file), &bytes[..keep]).unwrap();
        }
        f
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// A quick, valid command line for `cmd` (the subcommand path), writing under `out`.
    pub fn base(&self, cmd: &[&str], out: &str) -> Vec<String> {
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
            ["tokenizer", "convert"] => {
                vec!["--tokenizer".into(), p("tok.json"), "--out".into(), format!("{out}/t.glbpe")]
            }
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
            ["eval", "train-segmenter"] => {
                TINY_SEGMENTER.iter().chain(&["--out", out]).map(|a| a.to_string()).collect()
            }
            ["eval", "scenes"] => {
                ["--checkpoint", &p("p2p-street"), "--segmenter", &p("seg"), "--n", "2"]
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
            ["data", "instructions"] => {
                vec!["--n".into(), "5".into(), "--out".into(), format!("{out}/i.jsonl")]
            }
            ["data", "rankings"] => {
                vec!["--n".into(), "3".into(), "--out".into(), format!("{out}/r.jsonl")]
            }
            ["data", "pairs"] => {
                ["--task", "labels2street", "--n", "2", "--size", "32", "--out", out]
                    .map(String::from)
                    .to_vec()
            }
            ["gpt", "sft"] => ["--config", &p("ft.toml"), "--base", &p("ft-base"), "--out", out]
                .map(String::from)
                .to_vec(),
            ["gpt", "reward" | "dpo"] => {
                ["--config", &p("ft.toml"), "--base", &p("sft"), "--out", out]
                    .map(String::from)
                    .to_vec()
            }
            ["gpt", "rlhf"] => [
                "--config",
                &p("ft.toml"),
                "--policy",
                &p("sft"),
                "--reward",
                &p("rm"),
                "--out",
                out,
            ]
            .map(String::from)
            .to_vec(),
            ["gpt", "judge"] => ["--checkpoint", &p("sft"), "--prompts", "3", "--samples", "1"]
                .map(String::from)
                .to_vec(),
            ["gpt", "score"] => {
                ["--reward", &p("rm"), "--prompt", "Add 1 and 2.", "--response", "3"]
                    .map(String::from)
                    .to_vec()
            }
            ["gpt", "chat"] => {
                ["--checkpoint", &p("sft"), "--max-tokens", "3"].map(String::from).to_vec()
            }
            ["ar", "forecast"] => vec!["--out".into(), out.into()],
            ["ar", _] => vec![],
            ["run", _] => vec![p("gpt")],
            // A dry run: loads the model and binds a free port, then exits.
            ["serve"] => {
                ["--model", &p("gpt"), "--port", "0", "--check"].map(String::from).to_vec()
            }
            other => panic!("no base command for {other:?}: add one"),
        };
        args
    }

    /// The bad values to try for a flag whose value is named `value_name` in `--help`.
    pub fn bad_values(&self, value_name: &str) -> Vec<String> {
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
        if ["CHECKPOINT", "CLASSIFIER", "DIR", "RUN", "BASE", "POLICY", "REWARD", "REFERENCE"]
            .contains(&value_name)
        {
            // Runs of every family (all but one are the wrong family) and a truncated one.
            let runs =
                ["gpt", "rnn", "vae", "gan", "p2p", "cls", "wn", "truncated-run", "sft", "rm"];
            v.extend(runs.map(|n| self.path(n)));
        }
        v
    }
}

/// Values no flag of this kind may take: a number flag refuses NaN, infinity, an empty string
/// and (but for a scale, which may subtract) a negative number; a file flag refuses a missing
/// A street segmenter that trains in a blink: one epoch of 4 scenes at 32 px (add `--out`).
const TINY_SEGMENTER: &[&str] = &[
    "--task",
    "labels2street",
    "--size",
    "32",
    "--scenes",
    "4",
    "--epochs",
    "1",
    "--held-out",
    "2",
    "--width",
    "4",
];

/// file, an empty one and random bytes.
pub fn must_refuse(value_name: &str, value: &str, fixtures: &Fixtures) -> bool {
    if NUMERIC.contains(&value_name) {
        return matches!(value, "nan" | "inf" | "") || (value == "-1" && value_name != "SCALE");
    }
    if INPUT_PATHS.contains(&value_name) || value_name == "DATA" {
        let bad = ["missing/nothing-here", "empty-file", "random-bytes", "truncated-run"];
        return bad.iter().any(|b| value == fixtures.path(b));
    }
    false
}
