//! Beam search (Hugging Face semantics): keep the `num_beams` best partial sequences by total
//! log-probability; a beam that samples a stop token becomes a finished hypothesis scored
//! `sum log p / length^length_penalty` (length counts the stop token).

use crate::candidates::Candidates;
use crate::chain::LogitsChain;
use crate::config::GenerationConfig;
use crate::error::{DecodingError, Result};
use crate::model::LanguageModel;
use crate::sequence::FinishReason;

/// A finished beam.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    /// Generated tokens (prompt and stop token excluded).
    pub tokens: Vec<u32>,
    /// Sum of the log-probabilities of the generated tokens (stop token included).
    pub log_prob: f64,
    /// `log_prob / length^length_penalty`: what beams are ranked by.
    pub score: f64,
    /// Why this beam ended.
    pub finish_reason: FinishReason,
}

struct Beam {
    history: Vec<u32>,
    log_prob: f64,
}

fn normalised(log_prob: f64, len: usize, length_penalty: f32) -> f64 {
    log_prob / (len.max(1) as f64).powf(f64::from(length_penalty))
}

/// Keeps the best `width` hypotheses, best first.
fn add(finished: &mut Vec<Hypothesis>, h: Hypothesis, width: usize) {
    finished.push(h);
    finished.sort_by(|a, b| b.score.total_cmp(&a.score));
    finished.truncate(width);
}

/// Runs beam search from `prompt` with `config.num_beams` beams, applying the config's biases
/// and penalties (not its warpers: temperature, top-k/p, min-p, typical-p) to each beam's
/// logits. Returns up to `num_beams` hypotheses, best first.
///
/// # Errors
/// An invalid config, an empty prompt, a prompt longer than the model's context, model
/// errors, and all-invalid logits.
pub fn beam_search<M: LanguageModel>(
    model: &M,
    prompt: &[u32],
    config: &GenerationConfig,
) -> Result<Vec<Hypothesis>> {
    let mut chain = LogitsChain::from_config(config)?.without_warpers();
    if prompt.is_empty() {
        return Err(DecodingError::param(
            "prompt",
            "0 tokens",
            "at least 1 token (e.g. a BOS token)",
        ));
    }
    let width = config.num_beams;
    let prompt_len = prompt.len();
    let vocab = model.vocab_size();
    let max_context = model.max_context().unwrap_or(usize::MAX);
    if prompt_len > max_context {
        return Err(DecodingError::InvalidConfig(format!(
            "the prompt has {prompt_len} tokens, more than the model's max_context {max_context}"
        )));
    }
    if config.max_new_tokens == 0 {
        let h = Hypothesis {
            tokens: Vec::new(),
            log_prob: 0.0,
            score: 0.0,
            finish_reason: FinishReason::Length,
        };
        return Ok(vec![h]);
    }
    let mut cache = model.new_cache().map_err(DecodingError::Model)?;
    let mut logits = model.forward(prompt, &mut cache).map_err(DecodingError::Model)?;
    let mut beams = vec![Beam { history: prompt.to_vec(), log_prob: 0.0 }];
    // One cache per beam, aligned with `beams`.
    let mut caches = vec![cache];
    let mut finished: Vec<Hypothesis> = Vec::new();
    let mut candidates = Candidates::new();
    let mut keys = Vec::new();
    let mut done = false;
    for step in 0..config.max_new_tokens {
        if logits.len() != beams.len() * vocab {
            return Err(DecodingError::LogitsShape {
                expected: beams.len() * vocab,
                got: logits.len(),
            });
        }
        // (score, beam, token): the 2 * width best continuations of every beam.
        let mut pool: Vec<(f64, usize, u32)> = Vec::with_capacity(2 * width * beams.len());
        for (b, (beam, row)) in beams.iter().zip(logits.chunks_exact(vocab)).enumerate() {
            chain.process(row, &beam.history, &mut candidates)?;
            let max = candidates.max_logit();
            if max == f32::NEG_INFINITY {
                continue;
            }
            let sum: f64 = candidates.logits().iter().map(|&l| f64::from(l - max).exp()).sum();
            let log_z = f64::from(max) + sum.ln();
            candidates.retain_top_k(2 * width, &mut keys);
            for (id, l) in candidates.iter().filter(|p| p.1 > f32::NEG_INFINITY) {
                pool.push((beam.log_prob + f64::from(l) - log_z, b, id));
            }
        }
        if pool.is_empty() {
            return Err(DecodingError::NoCandidates);
        }
        pool.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut next: Vec<(f64, usize, u32)> = Vec::with_capacity(width);
        for (rank, &(score, b, id)) in pool.iter().enumerate() {
            if config.stop_token_ids.contains(&id) {
                if rank < width {
                    let tokens = beams[b].history[prompt_len..].to_vec();
                    let len = tokens.len() + 1;
                    let h = Hypothesis {
                        tokens,
                        log_prob: score,
                        score: normalised(score, len, config.length_penalty),
                        finish_reason: FinishReason::StopToken(id),
                    };
                    add(&mut finished, h, width);
                }
            } else {
                next.push((score, b, id));
            }
            if next.len() == width {
                break;
            }
        }
        let cur_len = step + 1;
        if finished.len() >= width {
            let best_running = next.first().map_or(f64::NEG_INFINITY, |n| n.0);
            let worst = finished.last().map_or(f64::NEG_INFINITY, |h| h.score);
            if config.early_stopping
                || worst >= normalised(best_running, cur_len, config.length_penalty)
            {
                done = true;
                break;
            }
        }
        if next.is_empty() {
            done = true;
            break;
        }
        let mut new_beams = Vec::with_capacity(next.len());
        let mut new_caches = Vec::with_capacity(next.len());
        for &(score, b, id) in &next {
            let mut history = beams[b].history.clone();
            history.push(id);
            new_beams.push(Beam { history, log_prob: score });
            new_caches.push(caches[b].clone());
        }
        beams = new_beams;
        caches = new_caches;
        if beams[0].history.len() > max_context {
            for beam in &beams {
                let tokens = beam.history[prompt_len..].to_vec();
                let score = normalised(beam.log_prob, tokens.len(), config.length_penalty);
                let h = Hypothesis {
                    tokens,
                    log_prob: beam.log_prob,
                    score,
                    finish_reason: FinishReason::ContextFull,
                };
                add(&mut finished, h, width);
            }
            done = true;
            break;
        }
        if step + 1 == config.max_new_tokens {
            break;
        }
        let feeds: Vec<[u32; 1]> = next.iter().map(|n| [n.2]).collect();
        let inputs: Vec<&[u32]> = feeds.iter().map(|f| f.as_slice()).collect();
        logits = model.forward_batch(&inputs, &mut caches).map_err(DecodingError::Model)?;
    }
    if !done {
        for beam in &beams {
            let tokens = beam.history[prompt_len..].to_vec();
            if tokens.is_empty() {
                continue;
            }
            let score = normalised(beam.log_prob, tokens.len(), config.length_penalty);
            let h = Hypothesis {
                tokens,
                log_prob: beam.log_prob,
                score,
                finish_reason: FinishReason::Length,
            };
            add(&mut finished, h, width);
        }
    }
    Ok(finished)
}
