//! Batched sampling of chat responses with the KV cache: prompts of equal length share one
//! cache and one forward per step, each row drawing from its own seeded genlab-decoding
//! [`Sampler`] until `<|end|>` or the token limit. RLHF rollouts (one prompt repeated for its
//! group) and held-out evaluation (prompts grouped by length) both use it.

use std::collections::BTreeMap;

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_decoding::{GenerationConfig, Sampler};

use crate::cache::KvCache;
use crate::model::Gpt;
use crate::run::GptError;

/// One sampled response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The generated ids, without the closing `<|end|>`.
    pub ids: Vec<u32>,
    /// Whether the model closed its turn with `<|end|>` (else it hit the limit).
    pub ended: bool,
}

/// Longest group sampled in one batch.
const MAX_GROUP: usize = 64;

/// Continues every prompt (ids ending with `<|assistant|>`) until `end` or `max_new` tokens,
/// sampling with `config` (its `seed`; row `i` of the call draws on stream `i`, so results do
/// not depend on how prompts are grouped). Runs without autodiff on `device`.
pub fn sample_responses(
    model: &Gpt,
    prompts: &[Vec<u32>],
    config: &GenerationConfig,
    end: u32,
    max_new: usize,
    device: &Device,
) -> Result<Vec<Response>, GptError> {
    let device = device.clone().without_autodiff();
    let model = model.valid();
    let block = model.block_size();
    let vocab = model.vocab_size();
    let mut by_len: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in prompts.iter().enumerate() {
        if p.is_empty() || p.len() > block {
            return Err(GptError::Finetune(format!(
                "a prompt of {} tokens does not fit the model's context of {block}",
                p.len()
            )));
        }
        if let Some(&bad) = p.iter().find(|&&t| t as usize >= vocab) {
            return Err(GptError::Finetune(format!(
                "token id {bad} is outside the model's vocabulary of {vocab}"
            )));
        }
        by_len.entry(p.len()).or_default().push(i);
    }
    let mut out = vec![Response { ids: Vec::new(), ended: false }; prompts.len()];
    for (len, rows) in by_len {
        let limit = max_new.min(block + 1 - len);
        for chunk in rows.chunks(MAX_GROUP) {
            let group: Vec<&[u32]> = chunk.iter().map(|&i| prompts[i].as_slice()).collect();
            let samplers = chunk
                .iter()
                .map(|&i| Sampler::from_config_stream(config, i as u64))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| GptError::Finetune(e.to_string()))?;
            let responses = sample_group(&model, &group, samplers, end, limit, &device)?;
            for (&i, r) in chunk.iter().zip(responses) {
                out[i] = r;
            }
        }
    }
    Ok(out)
}

/// Prompts of one length, sampled together.
fn sample_group(
    model: &Gpt,
    prompts: &[&[u32]],
    mut samplers: Vec<Sampler>,
    end: u32,
    limit: usize,
    device: &Device,
) -> Result<Vec<Response>, GptError> {
    let (b, len) = (prompts.len(), prompts[0].len());
    let mut history: Vec<Vec<u32>> = prompts.iter().map(|p| p.to_vec()).collect();
    let mut out = vec![Response { ids: Vec::new(), ended: false }; b];
    let mut cache = KvCache::new(model.n_layer());
    let flat: Vec<i64> = prompts.iter().flat_map(|p| p.iter().map(|&t| t as i64)).collect();
    let mut feed = Tensor::<2, Int>::from_data(TensorData::new(flat, [b, len]), device);
    for step in 0..limit {
        let logits = model.forward_cached(feed, &mut cache); // [b, new, v]
        let [_, t, v] = logits.dims();
        let last = logits.slice([0..b, t - 1..t, 0..v]).reshape([b * v]);
        let last = last
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| GptError::Finetune(format!("reading logits: {e:?}")))?;
        let mut next = Vec::with_capacity(b);
        for row in 0..b {
            let token = if out[row].ended {
                end // a finished row idles on <|end|>; its output is already complete
            } else {
                let logits = &last[row * v..(row + 1) * v];
                let token = samplers[row]
                    .sample(logits, &history[row])
                    .map_err(|e| GptError::Finetune(e.to_string()))?;
                if token == end {
                    out[row].ended = true;
                } else {
                    out[row].ids.push(token);
                    history[row].push(token);
                }
                token
            };
            next.push(token as i64);
        }
        if out.iter().all(|r| r.ended) || step + 1 == limit {
            break;
        }
        feed = Tensor::from_data(TensorData::new(next, [b, 1]), device);
    }
    Ok(out)
}

/// Sampling as RLHF needs it: the policy's own distribution (temperature 1, no truncation,
/// no penalties), seeded.
pub fn policy_sampling(seed: u64) -> GenerationConfig {
    GenerationConfig {
        temperature: 1.0,
        top_k: 0,
        top_p: 1.0,
        min_p: 0.0,
        repeat_penalty: 1.0,
        seed,
        ..GenerationConfig::default()
    }
}
