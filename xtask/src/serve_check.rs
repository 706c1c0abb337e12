//! `cargo xtask serve-check`: `genlab serve` used by clients that genlab did not write. It
//! trains tiny runs (a GPT, a chat model from it, a text-to-image GAN, a pix2pix
//! translator), serves them, and runs
//!
//! * the official `openai` Python package (from PyPI, in `target/serve-venv`) against the
//!   API: `crates/genlab-serve/tests/openai_client.py`;
//! * headless Chromium driven by `playwright-core` (from npm) through the playground:
//!   `crates/genlab-serve/tests/browser/playground.mjs`, which saves a screenshot.
//!
//! It installs what is missing itself: the venv, the npm package, and Debian's `chromium`
//! (as root). `.ci/run` runs it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::util::{cargo, run_loud};

/// Options of `cargo xtask serve-check`.
#[derive(clap::Args, Debug)]
pub struct ServeCheckArgs {
    /// Where the browser test saves its screenshot.
    #[arg(long, default_value = "target/serve-check/playground.png")]
    screenshot: PathBuf,
    /// Python used to create the venv.
    #[arg(long, default_value = "python3")]
    python: String,
}

/// A `genlab serve` process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

pub fn run(root: &Path, args: ServeCheckArgs) -> Result<()> {
    // The binary as the test step built it (--workspace keeps its features: nothing rebuilds).
    let mut build = cargo();
    build.args(["build", "--release", "--workspace", "--bin", "genlab"]);
    run_loud(build, root)?;
    let genlab = target_dir(root).join("release/genlab");
    let python = venv(root, &args.python)?;
    let chromium = chromium()?;
    let browser_dir = root.join("crates/genlab-serve/tests/browser");
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        let mut npm = Command::new("npm");
        npm.args(["install", "--no-audit", "--no-fund", "--loglevel=error"]);
        run_loud(npm, &browser_dir)?;
    }

    let work = root.join("target/serve-check");
    std::fs::create_dir_all(&work)?;
    let runs = train(&genlab, &work)?;
    let mut cmd = Command::new(&genlab);
    cmd.args(["serve", "--port", "0"]).env_remove("GENLAB_DEVICE");
    for run in &runs {
        cmd.arg("--model").arg(work.join(run));
    }
    eprintln!("$ genlab serve --port 0 --model {}", runs.join(" --model "));
    let mut child = cmd.stderr(Stdio::piped()).spawn().context("starting genlab serve")?;
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let server = Server(child);
    let base = loop {
        let Some(line) = lines.next() else { bail!("genlab serve exited before listening") };
        let line = line?;
        eprintln!("{line}");
        if let Some(rest) = line.strip_prefix("genlab serve: http://") {
            break format!("http://{}", rest.split_whitespace().next().unwrap_or_default());
        }
    };
    std::thread::spawn(move || lines.for_each(drop));

    let mut client = Command::new(&python);
    client
        .arg(root.join("crates/genlab-serve/tests/openai_client.py"))
        .arg(format!("{base}/v1"))
        .args(["gpt", "sft", "t2i", "p2p"]);
    run_loud(client, root)?;

    let screenshot = root.join(&args.screenshot);
    if let Some(dir) = screenshot.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut browser = Command::new("node");
    browser.arg("playground.mjs").arg(&base).arg(&screenshot).env("CHROMIUM", &chromium);
    run_loud(browser, &browser_dir)?;
    drop(server);
    eprintln!(
        "serve-check passed: the openai client and the browser; screenshot {}",
        screenshot.display()
    );
    Ok(())
}

/// The venv with the `openai` package.
fn venv(root: &Path, python: &str) -> Result<PathBuf> {
    let venv = root.join("target/serve-venv");
    let bin = venv.join("bin/python");
    if !bin.exists() {
        let mut cmd = Command::new(python);
        cmd.args(["-m", "venv"]).arg(&venv);
        run_loud(cmd, root)?;
    }
    let has = Command::new(&bin).args(["-c", "import openai"]).stderr(Stdio::null()).status()?;
    if !has.success() {
        let mut cmd = Command::new(&bin);
        cmd.args(["-m", "pip", "install", "--quiet", "openai"]);
        run_loud(cmd, root)?;
    }
    Ok(bin)
}

/// Chromium: `$CHROMIUM`, Debian's `/usr/bin/chromium`, or that package installed now.
fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Ok(path.into());
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if !debian.exists() {
        eprintln!("installing Debian's chromium for the browser test");
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get").args(["update", "-q"]).status();
            if !install() {
                bail!(
                    "chromium is missing and `apt-get install chromium` failed: install it, or set CHROMIUM"
                );
            }
        }
    }
    Ok(debian)
}

/// Tiny runs to serve, by folder name under `work`.
fn train(genlab: &Path, work: &Path) -> Result<Vec<&'static str>> {
    let run = |args: &[&str]| -> Result<()> {
        let mut cmd = Command::new(genlab);
        cmd.args(args)
            .env("GENLAB_NO_PROGRESS", "1")
            .env_remove("GENLAB_DEVICE")
            .stdout(Stdio::null());
        run_loud(cmd, work)
    };
    // The instruction playground's alphabet, so the chat model can start from this GPT.
    let alphabet = concat!(
        "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?&'\"-()\n",
        "ROMEO: But soft, what light through yonder window breaks?\nJULIET: Ay me.\n",
    );
    std::fs::write(work.join("corpus.txt"), alphabet.repeat(60))?;
    std::fs::write(
        work.join("gpt.toml"),
        "family = \"gpt\"\n[model]\nblock_size = 128\nn_layer = 4\nn_head = 4\nn_embd = 128\n\
         [train]\nmax_steps = 30\nbatch_size = 8\nwarmup_steps = 0\neval_iters = 1\n\
         [data]\npath = \"corpus.txt\"\n",
    )?;
    std::fs::write(
        work.join("ft.toml"),
        "family = \"finetune\"\n[sft]\nmax_steps = 2\nbatch_size = 2\nwarmup_steps = 0\n\
         [playground]\nexamples = 20\nheldout = 7\nrankings = 4\nheldout_rankings = 2\n",
    )?;
    for dir in ["gpt", "sft", "t2i", "p2p"] {
        let _ = std::fs::remove_dir_all(work.join(dir));
    }
    run(&["gpt", "train", "--config", "gpt.toml", "--max-tokens", "2", "--out", "gpt"])?;
    run(&["gpt", "sft", "--config", "ft.toml", "--base", "gpt", "--out", "sft"])?;
    run(&["gan", "train", "--model", "text2img", "--epochs", "1", "--out", "t2i"])?;
    run(&[
        "gan",
        "train",
        "--model",
        "pix2pix",
        "--task",
        "labels2facade",
        "--epochs",
        "1",
        "--features",
        "8",
        "--train-pairs",
        "8",
        "--held-out",
        "2",
        "--size",
        "32",
        "--batch-size",
        "4",
        "--out",
        "p2p",
    ])?;
    Ok(vec!["gpt", "sft", "t2i", "p2p"])
}
