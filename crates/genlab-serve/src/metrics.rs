//! What `GET /metrics` shows, in Prometheus' text format: requests by endpoint and status,
//! tokens in and out, queue depth, running sequences, decoding speed, and histograms of
//! request latency and time to first token.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the histogram buckets, in seconds.
const BUCKETS: [f64; 14] =
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// A cumulative histogram of durations.
#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, count) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}\n{name}_count {}", self.sum, self.count);
    }
}

/// The server's counters, shared by the HTTP handlers and the decoding engines.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<Histogram>,
    first_token: Mutex<Histogram>,
    /// Prompt tokens read.
    pub prompt_tokens: AtomicU64,
    /// Tokens generated and sent.
    pub generated_tokens: AtomicU64,
    /// Requests waiting for a decoding slot, over all models.
    pub queued: AtomicI64,
    /// Sequences being decoded, over all models.
    pub active: AtomicI64,
    /// Sequences stopped because their client went away.
    pub cancelled: AtomicU64,
    /// Generated tokens per second of the latest decoding steps (a moving average), in
    /// thousandths.
    tokens_per_second_milli: AtomicU64,
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, endpoint: &str, status: u16, took: Duration) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *requests.entry((endpoint.to_string(), status)).or_default() += 1;
        drop(requests);
        self.latency.lock().unwrap_or_else(|e| e.into_inner()).observe(took.as_secs_f64());
    }

    /// Records a request's time to its first token.
    pub fn first_token(&self, after: Duration) {
        self.first_token.lock().unwrap_or_else(|e| e.into_inner()).observe(after.as_secs_f64());
    }

    /// Records a decoding step that made `tokens` tokens in `took`.
    pub fn decode_step(&self, tokens: usize, took: Duration) {
        let rate = tokens as f64 / took.as_secs_f64().max(1e-9);
        let old = self.tokens_per_second_milli.load(Ordering::Relaxed) as f64 / 1000.0;
        let smoothed = if old == 0.0 { rate } else { 0.9 * old + 0.1 * rate };
        self.tokens_per_second_milli.store((smoothed * 1000.0) as u64, Ordering::Relaxed);
    }

    /// The text `GET /metrics` answers.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP genlab_requests_total Requests answered, by endpoint and status.\n# TYPE genlab_requests_total counter"
        );
        for ((endpoint, status), n) in
            self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter()
        {
            let _ = writeln!(
                out,
                "genlab_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        let counter = |out: &mut String, name: &str, help: &str, kind: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        };
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
        counter(
            &mut out,
            "genlab_prompt_tokens_total",
            "Prompt tokens read.",
            "counter",
            get(&self.prompt_tokens),
        );
        counter(
            &mut out,
            "genlab_generation_tokens_total",
            "Tokens generated.",
            "counter",
            get(&self.generated_tokens),
        );
        counter(
            &mut out,
            "genlab_cancelled_total",
            "Sequences stopped because the client left.",
            "counter",
            get(&self.cancelled),
        );
        counter(
            &mut out,
            "genlab_queue_depth",
            "Requests waiting for a decoding slot.",
            "gauge",
            self.queued.load(Ordering::Relaxed).to_string(),
        );
        counter(
            &mut out,
            "genlab_active_sequences",
            "Sequences being decoded.",
            "gauge",
            self.active.load(Ordering::Relaxed).to_string(),
        );
        let tps = self.tokens_per_second_milli.load(Ordering::Relaxed) as f64 / 1000.0;
        counter(
            &mut out,
            "genlab_decode_tokens_per_second",
            "Tokens per second of the latest decoding steps (moving average).",
            "gauge",
            format!("{tps:.3}"),
        );
        self.latency.lock().unwrap_or_else(|e| e.into_inner()).render(
            &mut out,
            "genlab_request_duration_seconds",
            "Time from request to the end of its answer.",
        );
        self.first_token.lock().unwrap_or_else(|e| e.into_inner()).render(
            &mut out,
            "genlab_time_to_first_token_seconds",
            "Time from a text request to its first token.",
        );
        out
    }
}
