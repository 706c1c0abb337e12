//! A GPT's decoding engine: one thread per model owns it and runs continuous batching.
//!
//! Requests wait in a bounded queue ([`Job`]s). Between decoding steps the engine admits
//! waiting jobs while there are free slots: it feeds a job's prompt alone (the prefill),
//! samples each choice's first token, and adds the choices as rows of the running batch
//! ([`BatchKv`]). Every step then feeds one token per row in one forward pass, samples each
//! row with its own seeded [`Sequence`], and sends the released tokens to the job's
//! [`Event`] channel. A row leaves when it finishes, or at once when its client has gone
//! (the channel is closed), so its slot goes to the next job.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Instant;

use genlab_decoding::{Detokenizer, FinishReason, GenerationConfig, Sequence};
use genlab_tensor::{Device, Tensor, TensorData};
use genlab_tokenizer::{ChatTemplate, Tokenizer};
use genlab_transformer::{BatchKv, Gpt, KvCache};
use tokio::sync::mpsc::UnboundedSender;

use crate::metrics::Metrics;

/// One request's generation: `n` choices from one prompt.
#[derive(Debug)]
pub struct Job {
    /// Prompt ids (at most the model's context).
    pub prompt: Vec<u32>,
    /// Decoding knobs; choice `i` samples on ChaCha stream `i` of `config.seed`.
    pub config: GenerationConfig,
    /// Number of choices.
    pub n: usize,
    /// `Some(k)`: send each token's log-probability and the `k` most likely alternatives.
    pub logprobs: Option<usize>,
    /// Decode the output as a chat template's assistant reply instead of plain text.
    pub chat: bool,
    /// Where the tokens go.
    pub events: UnboundedSender<Event>,
    /// When the request arrived (for time to first token).
    pub arrived: Instant,
}

/// A token's log-probability and its most likely alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Logprob {
    /// The token's text.
    pub token: String,
    /// Its bytes (a token may hold part of a character).
    pub bytes: Vec<u8>,
    /// Its natural-log probability under the model (before the sampling processors).
    pub logprob: f32,
    /// The most likely tokens at that position, best first: `(text, bytes, logprob)`.
    pub top: Vec<(String, Vec<u8>, f32)>,
}

/// What the engine sends about a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A released token of choice `choice` and the new text it completes.
    Token {
        /// The choice.
        choice: usize,
        /// New text (may be empty while a character is incomplete).
        text: String,
        /// With `logprobs` asked for.
        logprob: Option<Logprob>,
    },
    /// Choice `choice` is complete.
    Done {
        /// The choice.
        choice: usize,
        /// Its whole text, cut before a matched stop string.
        text: String,
        /// Tokens generated.
        tokens: usize,
        /// Why it ended.
        reason: FinishReason,
    },
    /// The job failed; no more events come.
    Failed(String),
}

/// The model and what the engine needs beside it.
pub(crate) struct Engine {
    pub model: Gpt,
    pub tokenizer: Arc<dyn Tokenizer>,
    pub template: Option<ChatTemplate>,
    pub device: Device,
    pub max_batch: usize,
    pub metrics: Arc<Metrics>,
}

/// One choice being decoded.
struct Row<'t> {
    job: Arc<Job>,
    choice: usize,
    seq: Sequence<'t>,
    /// The token to feed next (the last one sampled).
    feed: u32,
    /// Log-probabilities of generated tokens not yet released.
    logprobs: VecDeque<Logprob>,
    /// Whether a token has been sent for this row yet.
    sent: bool,
}

impl Engine {
    /// Runs until the job queue closes (the server stopped) and nothing is left to decode.
    pub fn run(self, jobs: Receiver<Job>) {
        let tok = self.tokenizer.clone();
        let plain = move |ids: &[u32]| tok.decode(ids).unwrap_or_default();
        let template = self.template.clone();
        let tok = self.tokenizer.clone();
        let chat = move |ids: &[u32]| match &template {
            Some(t) => t.decode_response(tok.as_ref(), ids).map(|r| r.0).unwrap_or_default(),
            None => tok.decode(ids).unwrap_or_default(),
        };
        let detok: [&dyn Detokenizer; 2] = [&plain, &chat];
        let mut rows: Vec<Row<'_>> = Vec::new();
        let mut batch = BatchKv::new(self.model.block_size());
        loop {
            if rows.is_empty() {
                match jobs.recv() {
                    Ok(job) => self.admit(job, &detok, &mut rows, &mut batch),
                    Err(_) => return,
                }
            }
            while rows.len() < self.max_batch {
                match jobs.try_recv() {
                    Ok(job) => self.admit(job, &detok, &mut rows, &mut batch),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            if rows.is_empty() {
                continue;
            }
            self.step(&mut rows, &mut batch);
        }
    }

    /// Prefills a job's prompt and adds its choices as rows.
    fn admit<'t>(
        &self,
        job: Job,
        detok: &[&'t dyn Detokenizer; 2],
        rows: &mut Vec<Row<'t>>,
        batch: &mut BatchKv,
    ) {
        self.metrics.queued.fetch_sub(1, Ordering::Relaxed);
        if job.events.is_closed() {
            self.metrics.cancelled.fetch_add(job.n as u64, Ordering::Relaxed);
            return;
        }
        let job = Arc::new(job);
        let mut cache = KvCache::new(self.model.n_layer());
        let start = job.prompt.len().saturating_sub(self.model.block_size());
        let logits = self.prefill(&job.prompt[start..], &mut cache);
        for choice in 0..job.n {
            let seq = match Sequence::new(
                &job.prompt,
                &job.config,
                Some(detok[job.chat as usize]),
                choice as u64,
            ) {
                Ok(seq) => seq,
                Err(e) => {
                    let _ = job.events.send(Event::Failed(e.to_string()));
                    return;
                }
            };
            let mut row = Row {
                job: job.clone(),
                choice,
                seq,
                feed: 0,
                logprobs: VecDeque::new(),
                sent: false,
            };
            if self.advance(&mut row, &logits) {
                batch.push(cache.clone());
                rows.push(row);
                self.metrics.active.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Logits after feeding `tokens` into `cache`.
    fn prefill(&self, tokens: &[u32], cache: &mut KvCache) -> Vec<f32> {
        let data: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
        let ids = Tensor::from_data(TensorData::new(data, [1, tokens.len()]), &self.device);
        let logits = self.model.forward_cached(ids, cache); // [1, t, vocab]
        let [_, t, v] = logits.dims();
        read(logits.slice([0..1, t - 1..t, 0..v]).reshape([1, v]))
    }

    /// One decoding step for every row. Rows whose cache reached the model's context are
    /// cropped as `GptGenerator` does: their last `block_size / 2` tokens are fed again
    /// alone, and they rejoin at the end of the batch.
    fn step(&self, rows: &mut Vec<Row<'_>>, batch: &mut BatchKv) {
        let started = Instant::now();
        let block = self.model.block_size();
        let full: Vec<bool> = (0..rows.len()).map(|r| batch.len_of(r) >= block).collect();
        let mut order: Vec<Row<'_>> = Vec::with_capacity(rows.len());
        let mut cropped = Vec::new();
        for (row, full) in rows.drain(..).zip(&full) {
            if *full { cropped.push(row) } else { order.push(row) }
        }
        let keep: Vec<usize> = (0..full.len()).filter(|&r| !full[r]).collect();
        batch.retain(&keep);
        let vocab = self.model.vocab_size();
        let mut logits = if order.is_empty() {
            Vec::new()
        } else {
            let tokens: Vec<u32> = order.iter().map(|r| r.feed).collect();
            read(batch.decode(&self.model, &tokens))
        };
        for row in &cropped {
            let history = &row.seq.history;
            let tail = &history[history.len() - (block / 2).max(1)..];
            let mut cache = KvCache::new(self.model.n_layer());
            logits.extend(self.prefill(tail, &mut cache));
            batch.push(cache);
        }
        order.extend(cropped);
        let mut keep = Vec::with_capacity(order.len());
        let stepped = order.len();
        for (r, (mut row, logits)) in order.into_iter().zip(logits.chunks(vocab)).enumerate() {
            if self.advance(&mut row, logits) {
                keep.push(r);
                rows.push(row);
            } else {
                self.metrics.active.fetch_sub(1, Ordering::Relaxed);
            }
        }
        batch.retain(&keep);
        self.metrics.decode_step(stepped, started.elapsed());
    }

    /// Samples a row's next token from `logits`, sends what it releases, and says whether
    /// the row goes on.
    fn advance(&self, row: &mut Row<'_>, logits: &[f32]) -> bool {
        let job = row.job.clone();
        if job.events.is_closed() {
            self.metrics.cancelled.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let before = row.seq.generated().len();
        let next = match row.seq.step(logits) {
            Ok(next) => next,
            Err(e) => {
                let _ = job.events.send(Event::Failed(e.to_string()));
                return false;
            }
        };
        if let Some(k) = job.logprobs
            && row.seq.generated().len() > before
        {
            let id = *row.seq.generated().last().expect("a token was added");
            row.logprobs.push_back(self.logprob(logits, id, k));
        }
        while let Some(token) = row.seq.ready.pop_front() {
            if !row.sent && row.choice == 0 {
                self.metrics.first_token(job.arrived.elapsed());
            }
            row.sent = true;
            self.metrics.generated_tokens.fetch_add(1, Ordering::Relaxed);
            let logprob = row.logprobs.pop_front();
            let _ = job.events.send(Event::Token { choice: row.choice, text: token.text, logprob });
        }
        match next {
            Some(t) => {
                row.feed = t;
                true
            }
            None => {
                let out = row.seq.output();
                let _ = job.events.send(Event::Done {
                    choice: row.choice,
                    text: out.text.unwrap_or_default(),
                    tokens: out.tokens.len(),
                    reason: out.finish_reason,
                });
                false
            }
        }
    }

    /// Log-probability of `id` under `logits` and the `k` most likely tokens.
    fn logprob(&self, logits: &[f32], id: u32, k: usize) -> Logprob {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let lse = max + logits.iter().map(|&l| (l - max).exp()).sum::<f32>().ln();
        let entry = |id: u32| {
            let bytes = self.tokenizer.token_bytes(id).map(<[u8]>::to_vec).unwrap_or_default();
            (String::from_utf8_lossy(&bytes).into_owned(), bytes)
        };
        let mut order: Vec<u32> = (0..logits.len() as u32).collect();
        let k = k.min(order.len());
        if k > 0 {
            order.select_nth_unstable_by(k - 1, |&a, &b| {
                logits[b as usize].total_cmp(&logits[a as usize])
            });
            order.truncate(k);
            order.sort_by(|&a, &b| logits[b as usize].total_cmp(&logits[a as usize]));
        } else {
            order.clear();
        }
        let (token, bytes) = entry(id);
        Logprob {
            token,
            bytes,
            logprob: logits[id as usize] - lse,
            top: order
                .into_iter()
                .map(|t| {
                    let (s, b) = entry(t);
                    (s, b, logits[t as usize] - lse)
                })
                .collect(),
        }
    }
}

/// A `[rows, vocab]` tensor's values, row-major.
fn read(logits: Tensor<2>) -> Vec<f32> {
    logits.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 logits")
}
