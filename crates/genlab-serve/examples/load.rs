//! A bounded load test on loopback (`cargo xtask bench serve` runs it): serves one GPT run
//! in this process on a free port, then runs phases of concurrent streaming clients
//! against it over HTTP, each with a fixed number of requests and a time limit, and prints
//! one JSON line: per phase, time to first token (p50, p99), tokens per second overall,
//! request latency and errors.
//!
//! `cargo run --release -p genlab-serve --example load -- RUN_DIR [PHASE ...]`, where a phase
//! is `CLIENTSxREQUESTSxTOKENS` (default: `1x4x128 8x4x128 32x20x32`).

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use genlab_serve::ServeConfig;
use genlab_tensor::Device;
use serde_json::{Value, json};

// The allocator of genlab's binaries (see genlab_tensor::alloc), as `genlab serve` runs.
#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

/// What one streamed request saw.
struct Seen {
    first_token: Duration,
    total: Duration,
    tokens: u64,
}

fn one_request(url: &str, model: &str, tokens: u64, seed: u64) -> Result<Seen, String> {
    let body = json!({
        "model": model, "prompt": "ROMEO:", "max_tokens": tokens, "seed": seed,
        "stream": true, "stream_options": {"include_usage": true},
    });
    let start = Instant::now();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client.post(url).json(&body).send().map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("status {}", resp.status()));
    }
    let (mut first, mut used, mut done) = (None, None, false);
    for line in BufReader::new(resp).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let Some(data) = line.strip_prefix("data: ") else { continue };
        if data == "[DONE]" {
            done = true;
            break;
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| e.to_string())?;
        if chunk["choices"][0]["text"].as_str().is_some_and(|t| !t.is_empty()) && first.is_none() {
            first = Some(start.elapsed());
        }
        if let Some(n) = chunk["usage"]["completion_tokens"].as_u64() {
            used = Some(n);
        }
    }
    match (first, used, done) {
        (Some(first_token), Some(tokens), true) => {
            Ok(Seen { first_token, total: start.elapsed(), tokens })
        }
        _ => Err("the stream ended without text, usage or [DONE]".into()),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// `clients` threads each sending `requests` streaming requests one after another.
fn phase(
    url: &str,
    model: &str,
    clients: u64,
    requests: u64,
    tokens: u64,
    limit: Duration,
) -> Value {
    let start = Instant::now();
    let results: Vec<Result<Seen, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    for r in 0..requests {
                        if start.elapsed() > limit {
                            seen.push(Err("time limit".to_string()));
                            continue;
                        }
                        seen.push(one_request(url, model, tokens, c * 1000 + r));
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client thread")).collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let ok: Vec<&Seen> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let mut ttft: Vec<f64> = ok.iter().map(|s| s.first_token.as_secs_f64() * 1e3).collect();
    let mut latency: Vec<f64> = ok.iter().map(|s| s.total.as_secs_f64() * 1e3).collect();
    ttft.sort_by(f64::total_cmp);
    latency.sort_by(f64::total_cmp);
    let tokens_total: u64 = ok.iter().map(|s| s.tokens).sum();
    let result = json!({
        "clients": clients, "requests": clients * requests, "max_tokens": tokens,
        "ok": ok.len(), "errors": errors.len(), "first_error": errors.first(),
        "tokens": tokens_total, "wall_s": wall, "tokens_per_s": tokens_total as f64 / wall,
        "ttft_p50_ms": percentile(&ttft, 0.5), "ttft_p99_ms": percentile(&ttft, 0.99),
        "latency_p50_ms": percentile(&latency, 0.5), "latency_p99_ms": percentile(&latency, 0.99),
    });
    eprintln!("{clients} clients x {requests} requests x {tokens} tokens: {result}");
    result
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    genlab_tensor::alloc::keep_freed_memory();
    let mut args = std::env::args().skip(1);
    let run = args.next().ok_or("usage: load RUN_DIR [CLIENTSxREQUESTSxTOKENS ...]")?;
    let mut phases: Vec<[u64; 3]> = Vec::new();
    for spec in args {
        let parts: Vec<u64> = spec.split('x').map(str::parse).collect::<Result<_, _>>()?;
        let [c, r, t] = parts[..] else {
            return Err(format!("phase {spec:?}: expected CxRxT").into());
        };
        phases.push([c, r, t]);
    }
    if phases.is_empty() {
        phases = vec![[1, 4, 128], [8, 4, 128], [32, 20, 32]];
    }
    let config = ServeConfig {
        models: vec![run.into()],
        port: 0,
        max_batch: 32,
        max_queue: 256,
        ..ServeConfig::default()
    };
    let state = config.load(&Device::default())?;
    let model = state.models.text.keys().next().ok_or("the run is not a GPT")?.clone();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let server = runtime.block_on(genlab_serve::spawn(state, "127.0.0.1", 0))?;
    let url = format!("http://{}/v1/completions", server.addr);
    // Warm up (first allocations, page faults) before timing.
    one_request(&url, &model, 8, 0)?;
    let results: Vec<Value> = phases
        .iter()
        .map(|&[c, r, t]| phase(&url, &model, c, r, t, Duration::from_secs(600)))
        .collect();
    runtime.block_on(server.shutdown())?;
    println!(
        "{}",
        json!({ "model": model, "threads": std::thread::available_parallelism()?.get(), "phases": results })
    );
    Ok(())
}
