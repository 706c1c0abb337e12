//! How a chat model is judged on the instruction playground's held-out prompts: exact match
//! per task with greedy decoding, and, on responses sampled from the policy, the hidden
//! preference score (the ground truth the rankers stand in for), politeness, distinct-2 and
//! the KL to a reference model.

use std::collections::BTreeMap;

use burn::module::Module;
use burn::tensor::Device;
use genlab_data::instructions::{Instance, Task};
use genlab_data::preference::{distinct_n, judge};
use genlab_decoding::GenerationConfig;
use genlab_tokenizer::{ChatTemplate, Message, Tokenizer};
use serde::Serialize;

use super::data::{Batch, Sequence};
use super::losses::exact_kl;
use super::sample::{Response, policy_sampling, sample_responses};
use crate::model::Gpt;
use crate::run::GptError;

/// Longest response generated when judging.
pub const MAX_RESPONSE: usize = 40;

/// A chat model with what it needs to talk: tokenizer and template.
#[derive(Debug, Clone, Copy)]
pub struct Speaker<'a> {
    /// The model.
    pub model: &'a Gpt,
    /// The base tokenizer.
    pub tokenizer: &'a dyn Tokenizer,
    /// The chat template.
    pub template: &'a ChatTemplate,
}

impl Speaker<'_> {
    /// The generation prompt of a one-turn conversation.
    pub fn prompt(&self, text: &str) -> Result<Vec<u32>, GptError> {
        Ok(self.template.generation_prompt(self.tokenizer, &[Message::user(text)])?)
    }

    /// Responses to `prompts` (texts) sampled with `config`.
    pub fn respond(
        &self,
        prompts: &[String],
        config: &GenerationConfig,
        device: &Device,
    ) -> Result<Vec<(Vec<u32>, Response)>, GptError> {
        let ids = prompts.iter().map(|p| self.prompt(p)).collect::<Result<Vec<_>, _>>()?;
        let end = self.template.end_id();
        let responses = sample_responses(self.model, &ids, config, end, MAX_RESPONSE, device)?;
        Ok(ids.into_iter().zip(responses).collect())
    }

    /// The text of a response: up to `<|end|>`, or as far as it got, or up to another
    /// special token (a model that opens a new turn has finished its own).
    pub fn text(&self, response: &Response) -> Result<String, GptError> {
        let ids = &response.ids;
        let cut = ids.iter().position(|&id| self.template.is_special(id)).unwrap_or(ids.len());
        Ok(self.template.decode_response(self.tokenizer, &ids[..cut])?.0)
    }
}

/// Exact match of greedy responses on `instances`: overall and per task.
pub fn exact_match(
    speaker: &Speaker<'_>,
    instances: &[Instance],
    device: &Device,
) -> Result<(f64, BTreeMap<Task, f64>), GptError> {
    let prompts: Vec<String> = instances.iter().map(|i| i.prompt.clone()).collect();
    let out = speaker.respond(&prompts, &GenerationConfig::greedy(), device)?;
    let mut per: BTreeMap<Task, (usize, usize)> = BTreeMap::new();
    for (inst, (_, response)) in instances.iter().zip(&out) {
        let correct = judge(inst, &speaker.text(response)?).correct;
        let e = per.entry(inst.task).or_default();
        e.0 += usize::from(correct);
        e.1 += 1;
    }
    let hits: usize = per.values().map(|e| e.0).sum();
    let overall = hits as f64 / instances.len().max(1) as f64;
    Ok((overall, per.into_iter().map(|(t, (h, n))| (t, h as f64 / n as f64)).collect()))
}

/// What a policy's sampled responses are worth.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    /// Greedy exact match over all held-out prompts.
    pub exact_match: f64,
    /// Greedy exact match per task.
    pub exact_match_per_task: BTreeMap<String, f64>,
    /// Mean hidden-preference score of sampled responses (0..1).
    pub true_score: f64,
    /// Fraction of sampled responses that are correct.
    pub sampled_correct: f64,
    /// Fraction of sampled responses that end with the courtesy sentence.
    pub sampled_polite: f64,
    /// Distinct word bigrams over all sampled responses / all bigrams.
    pub distinct_2: f64,
    /// The same over the responses' content, the courtesy sentence removed: the rule's
    /// favourite sentence, added to most responses, lowers `distinct_2` by itself, so this
    /// is the figure that shows whether the answers themselves collapsed.
    pub distinct_2_content: f64,
    /// Mean over sampled responses of the summed per-token exact KL to the reference.
    pub kl_to_reference: Option<f64>,
    /// A few `(prompt, sampled response)` examples.
    pub examples: Vec<(String, String)>,
}

/// Judges `speaker` on `instances`: greedy exact match, and `samples` sampled responses per
/// prompt (seeded by `seed`) scored by the hidden preference; with `reference`, also the KL
/// of the sampled responses to it.
pub fn judge_policy(
    speaker: &Speaker<'_>,
    reference: Option<&Gpt>,
    instances: &[Instance],
    samples: usize,
    seed: u64,
    device: &Device,
) -> Result<Judgement, GptError> {
    let (exact_match, per_task) = exact_match(speaker, instances, device)?;
    let repeated: Vec<&Instance> =
        instances.iter().flat_map(|i| std::iter::repeat_n(i, samples.max(1))).collect();
    let prompts: Vec<String> = repeated.iter().map(|i| i.prompt.clone()).collect();
    let out = speaker.respond(&prompts, &policy_sampling(seed), device)?;
    let (mut score, mut correct, mut polite) = (0.0, 0usize, 0usize);
    let mut texts = Vec::with_capacity(out.len());
    for (inst, (_, response)) in repeated.iter().zip(&out) {
        let text = speaker.text(response)?;
        let p = judge(inst, &text);
        score += p.score;
        correct += usize::from(p.correct);
        polite += usize::from(p.polite);
        texts.push(text);
    }
    let n = out.len().max(1) as f64;
    let content: Vec<String> = texts
        .iter()
        .map(|t| t.strip_suffix(genlab_data::instructions::COURTESY).unwrap_or(t).to_string())
        .collect();
    let kl = reference.map(|r| mean_kl(speaker.model, r, &out, speaker.template, device));
    let examples = prompts
        .iter()
        .zip(&texts)
        .step_by(samples.max(1))
        .take(8)
        .map(|(p, t)| (p.clone(), t.clone()));
    Ok(Judgement {
        exact_match,
        exact_match_per_task: per_task
            .into_iter()
            .map(|(t, v)| (t.name().to_string(), v))
            .collect(),
        true_score: score / n,
        sampled_correct: correct as f64 / n,
        sampled_polite: polite as f64 / n,
        distinct_2: distinct_n(&texts, 2),
        distinct_2_content: distinct_n(&content, 2),
        kl_to_reference: kl,
        examples: examples.collect(),
    })
}

/// Mean over `rollouts` of the summed exact per-token KL(policy || reference) on the
/// response tokens (including the closing `<|end|>`).
pub fn mean_kl(
    policy: &Gpt,
    reference: &Gpt,
    rollouts: &[(Vec<u32>, Response)],
    template: &ChatTemplate,
    device: &Device,
) -> f64 {
    let device = device.clone().without_autodiff();
    let (policy, reference) = (policy.valid(), reference.valid());
    let seqs: Vec<Sequence> =
        rollouts.iter().map(|(p, r)| response_sequence(p, r, template)).collect();
    let mut total = 0.0f64;
    for chunk in seqs.chunks(64) {
        let refs: Vec<&Sequence> = chunk.iter().collect();
        let batch = Batch::new(&refs, &device);
        let kl = exact_kl(policy.forward(batch.x.clone()), reference.forward(batch.x)) * batch.w;
        total += kl.sum().into_scalar::<f32>() as f64;
    }
    total / seqs.len().max(1) as f64
}

/// A prompt and its sampled response as one sequence whose trained part is the response
/// (and its `<|end|>` when it ended).
pub fn response_sequence(prompt: &[u32], response: &Response, template: &ChatTemplate) -> Sequence {
    let mut ids = prompt.to_vec();
    ids.extend_from_slice(&response.ids);
    if response.ended {
        ids.push(template.end_id());
    }
    let mut mask = vec![false; prompt.len()];
    mask.resize(ids.len(), true);
    Sequence { ids, mask }
}
