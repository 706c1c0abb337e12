//! `cargo xtask bench rnn`: the char-RNN (LSTM, GRU) against PyTorch's `nn.LSTM`/`nn.GRU` of
//! the same shape (`benches/peers/rnn.py`), and against the GPT.
//!
//! - training speed: baby shapes (LSTM 2 x 232, GRU 2 x 272, embedding 128; about the baby
//!   GPT's 0.80M parameters), batch 12, context 64, tokens/s of a full step; genlab with 1 and
//!   2 rayon threads, PyTorch with the same thread counts. Bar (LSTM): genlab at least 0.75x
//!   PyTorch at the same thread count, and best against best.
//! - genlab's LSTM cell against `burn::nn::Lstm` in the same stack (forward + backward).
//! - quality: held-out loss after the GPT baby recipe's data, steps and batch
//!   (configs/shakespeare-char.toml: full Shakespeare, 90/10 char split, batch 12, context 64,
//!   2,000 steps, lr 1e-3) for the GPT, the LSTM and the GRU (genlab), and the LSTM and GRU
//!   (PyTorch). Bar: genlab's LSTM within 0.05 nats of PyTorch's. `--steps N` shortens every
//!   run to N steps (a smoke run; the bar is only meaningful at 2,000).

use anyhow::Result;
use serde_json::{Value, json};

use super::common::{BenchCtx, Ratio, num};

fn example(ctx: &BenchCtx, args: &[&str], threads: &str) -> Result<Value> {
    let device = ctx.device.clone().unwrap_or_else(|| "cpu".into());
    let mut all = vec!["run", "--release", "--quiet", "-p", "genlab-transformer"];
    all.extend(["--example", "bench_rnn", "--"]);
    all.extend(args);
    ctx.cargo_json(&all, &[("RAYON_NUM_THREADS", threads), ("GENLAB_DEVICE", &device)])
}

fn peer(ctx: &BenchCtx, args: &[&str], threads: &str) -> Result<Value> {
    let mut all = args.to_vec();
    all.extend(["--threads", threads]);
    let mut env = vec![("OMP_NUM_THREADS", threads), ("MKL_NUM_THREADS", threads)];
    if threads != "1" {
        // Without it PyTorch's OpenMP threads spin-wait and fight over a shared machine.
        env.push(("OMP_WAIT_POLICY", "PASSIVE"));
    }
    ctx.python_json("rnn.py", &all, &env)
}

/// `genlab <family> train --config <recipe> ...` for `steps` steps; its report JSON.
fn genlab_train(
    ctx: &BenchCtx,
    name: &str,
    args: &[&str],
    data: &str,
    steps: u64,
) -> Result<Value> {
    let out = ctx.out_dir.join(format!("rnn-quality-{name}"));
    let report = ctx.out_dir.join(format!("rnn-quality-{name}.json"));
    std::fs::create_dir_all(&ctx.out_dir)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["run", "--release", "--quiet", "-p", "genlab-cli", "--"]).args(args);
    cmd.args(["--data", data, "--steps", &steps.to_string(), "--max-tokens", "200"]);
    cmd.arg("--out").arg(&out).arg("--report").arg(&report);
    if let Some(device) = &ctx.device {
        cmd.args(["--device", device]);
    }
    eprintln!("$ genlab {} ({steps} steps)", args.join(" "));
    let status = cmd.env("GENLAB_NO_PROGRESS", "1").current_dir(&ctx.root).status()?;
    anyhow::ensure!(status.success(), "genlab {} failed ({status})", args.join(" "));
    Ok(serde_json::from_str(&std::fs::read_to_string(&report)?)?)
}

fn speed_rows(ctx: &BenchCtx, rows: &mut Vec<Ratio>, raw: &mut Value) -> Result<()> {
    for cell in ["lstm", "gru"] {
        let bar = (cell == "lstm").then_some(0.75);
        let (mut best, mut peer_best) = ((0.0f64, ""), (0.0f64, ""));
        for threads in ["1", "2"] {
            let g = example(ctx, &["speed", "30", cell], threads)?;
            let tps = num(&g, "/tokens_per_sec")?;
            best = if tps > best.0 { (tps, threads) } else { best };
            raw[format!("genlab_speed_{cell}_{threads}t")] = g;
            let p = if ctx.peers {
                let p = peer(ctx, &["--mode", "speed", "--cell", cell, "--steps", "30"], threads)?;
                let ptps = num(&p, "/tokens_per_sec")?;
                peer_best = if ptps > peer_best.0 { (ptps, threads) } else { peer_best };
                raw[format!("torch_speed_{cell}_{threads}t")] = p;
                Some(ptps)
            } else {
                None
            };
            let what = format!("train tok/s {cell}, genlab {threads}t vs torch {threads}t");
            rows.push(Ratio::new(what, tps, p, "tok/s", true, bar));
        }
        if ctx.peers {
            let what = format!("train tok/s {cell}, best: {}t vs {}t", best.1, peer_best.1);
            rows.push(Ratio::new(what, best.0, Some(peer_best.0), "tok/s", true, bar));
        }
    }
    let c = example(ctx, &["cell", "10"], "1")?;
    let what = "fwd+bwd ms, genlab LSTM vs burn::nn::Lstm, 1t";
    let (ours, burn) = (num(&c, "/genlab_fwd_bwd_ms")?, num(&c, "/burn_lstm_fwd_bwd_ms")?);
    rows.push(Ratio::new(what, ours, Some(burn), "ms", false, None));
    raw["cell"] = c;
    Ok(())
}

/// Speed, the cell comparison and the quality table.
pub fn run(ctx: &BenchCtx) -> Result<()> {
    let mut rows = Vec::new();
    let mut raw = json!({});
    speed_rows(ctx, &mut rows, &mut raw)?;

    let steps = ctx.steps.unwrap_or(2000);
    let data = ctx.data("text/shakespeare.txt")?.to_string_lossy().into_owned();
    let gpt = ["gpt", "train", "--config", "configs/shakespeare-char.toml"];
    let rnn = ["rnn", "train", "--config", "configs/shakespeare-char-lstm.toml"];
    let g_gpt = genlab_train(ctx, "gpt", &gpt, &data, steps)?;
    let g_lstm =
        genlab_train(ctx, "lstm", &[&rnn[..], &["--cell", "lstm"]].concat(), &data, steps)?;
    let g_gru = genlab_train(ctx, "gru", &[&rnn[..], &["--cell", "gru"]].concat(), &data, steps)?;
    let warmup = if steps < 100 { steps / 10 } else { 100 }.to_string();
    let mut torch = std::collections::BTreeMap::new();
    if ctx.peers {
        for cell in ["lstm", "gru"] {
            let args = ["--mode", "train", "--cell", cell, "--data", &data, "--verbose"];
            let steps = steps.to_string();
            let p =
                peer(ctx, &[&args[..], &["--steps", &steps, "--warmup", &warmup]].concat(), "1")?;
            torch.insert(cell, p);
        }
    }
    let val = |v: &Value| num(v, "/val_loss");
    // GptConfig::baby(vocab).num_params(): 4 blocks of width 128, context 64, tied head.
    let run_json = std::fs::read_to_string(ctx.out_dir.join("rnn-quality-gpt/run.json"))?;
    let vocab = num(&serde_json::from_str(&run_json)?, "/model/vocab_size")?;
    let gpt_params = 795_776.0 + 128.0 * vocab;
    println!("\n== held-out loss after {steps} steps (Shakespeare char, batch 12, context 64) ==");
    println!(
        "{:<12} {:>10} {:>12} {:>12} {:>12}",
        "model", "params", "genlab", "PyTorch", "tok/s*"
    );
    let line = |name: &str, params: f64, g: &Value, p: Option<&Value>| -> Result<()> {
        let pv = p.map(val).transpose()?.map_or("-".into(), |v| format!("{v:.4}"));
        let tps = num(g, "/tokens_per_sec")?;
        println!("{name:<12} {params:>10.0} {:>12.4} {pv:>12} {tps:>12.0}", val(g)?);
        Ok(())
    };
    line("GPT (baby)", gpt_params, &g_gpt, None)?;
    line("LSTM", num(&g_lstm, "/num_params")?, &g_lstm, torch.get("lstm"))?;
    line("GRU", num(&g_gru, "/num_params")?, &g_gru, torch.get("gru"))?;
    println!("(* genlab's training tokens/s over the whole run, evaluations included)");

    rows.push(Ratio::new("val loss GPT baby (genlab)", val(&g_gpt)?, None, "nats", false, None));
    for (cell, g) in [("lstm", &g_lstm), ("gru", &g_gru)] {
        let p = torch.get(cell).map(val).transpose()?;
        // Within 0.05 nats: genlab <= torch + 0.05, as a ratio torch / genlab >= the bar.
        let bar = match (cell, p) {
            ("lstm", Some(p)) => Some(p / (p + 0.05)),
            _ => None,
        };
        let what = format!("val loss {cell} (bar: genlab <= torch + 0.05)");
        let what = if cell == "lstm" { what } else { format!("val loss {cell}") };
        rows.push(Ratio::new(what, val(g)?, p, "nats", false, bar));
    }
    raw["steps"] = json!(steps);
    raw["genlab_gpt"] = g_gpt;
    raw["genlab_lstm"] = g_lstm;
    raw["genlab_gru"] = g_gru;
    raw["torch"] = json!(torch);
    ctx.report("rnn", &rows, raw)
}
