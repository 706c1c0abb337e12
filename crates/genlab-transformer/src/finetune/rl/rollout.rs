//! One RLHF iteration's data: sampled responses, their scores, and per-token advantages
//! (PPO's GAE or RLOO's leave-one-out baselines); and the answer demonstrations both RLHF
//! and DPO anchor to.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use genlab_data::instructions::Instance;
use genlab_data::preference::judge;
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::{Algorithm, Policy, RlConfig};
use crate::finetune::data::{Batch, Sequence};
use crate::finetune::judge::{Speaker, response_sequence};
use crate::finetune::losses::{gae, rloo_advantages, token_logprobs, whiten};
use crate::finetune::reward::RewardModel;
use crate::finetune::sample::{policy_sampling, sample_responses};
use crate::model::Gpt;
use crate::run::GptError;

/// One rollout batch, everything the updates need, on the device.
pub(super) struct Rollout {
    pub(super) batch: Batch,
    pub(super) old_logprobs: Tensor<2>,
    pub(super) old_values: Tensor<2>,
    pub(super) advantages: Tensor<2>,
    pub(super) returns: Tensor<2>,
    /// Figures for the log.
    pub(super) reward: f32,
    pub(super) true_score: f32,
    pub(super) kl: f32,
}

fn to_vec(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("f32 tensor")
}

fn tensor(v: Vec<f32>, shape: [usize; 2], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// Samples, scores and estimates advantages for one iteration.
#[allow(clippy::too_many_arguments)]
pub(super) fn rollout(
    cfg: &RlConfig,
    policy: &Policy,
    reference: &Gpt,
    reward: &RewardModel,
    reward_bias: f32,
    speaker: Speaker<'_>,
    prompts: &[Instance],
    iteration: u64,
    device: &Device,
) -> Result<Rollout, GptError> {
    let mut rng = ChaCha8Rng::seed_from_u64(genlab_train::step_seed(cfg.seed, iteration));
    let chosen: Vec<&Instance> =
        prompts.choose_multiple(&mut rng, cfg.prompts_per_iteration).collect();
    let k = cfg.samples_per_prompt;
    let group: Vec<&Instance> = chosen.iter().flat_map(|i| std::iter::repeat_n(*i, k)).collect();
    let ids: Vec<Vec<u32>> =
        group.iter().map(|i| speaker.prompt(&i.prompt)).collect::<Result<_, _>>()?;
    let sampling = policy_sampling(genlab_train::step_seed(cfg.seed ^ 0x5A3F, iteration));
    let end = speaker.template.end_id();
    let responses =
        sample_responses(&policy.gpt, &ids, &sampling, end, cfg.max_new_tokens, device)?;
    let seqs: Vec<Sequence> = ids
        .iter()
        .zip(&responses)
        .map(|(p, r)| response_sequence(p, r, speaker.template))
        .collect();
    let refs: Vec<&Sequence> = seqs.iter().collect();

    // Scores: the reward model at the last token less its bias, minus the penalty for an
    // unfinished turn.
    let scores: Vec<f32> = reward
        .score(&refs, device)
        .into_iter()
        .zip(&responses)
        .map(|(s, r)| s - reward_bias - if r.ended { 0.0 } else { cfg.missing_end_penalty })
        .collect();
    let mut true_score = 0.0;
    for (inst, r) in group.iter().zip(&responses) {
        true_score += judge(inst, &speaker.text(r)?).score;
    }

    // Old log-probs, reference log-probs and values, without autodiff.
    let plain = device.clone().without_autodiff();
    let batch = Batch::new(&refs, &plain);
    let (logits, values) = policy.valid().forward(batch.x.clone());
    let old_lp = token_logprobs(logits, batch.y.clone());
    let ref_lp = token_logprobs(reference.valid().forward(batch.x.clone()), batch.y.clone());
    let [b, t] = batch.y.dims();
    let w = to_vec(batch.w.clone());
    let kl_tok: Vec<f32> =
        to_vec(old_lp.clone() - ref_lp).iter().zip(&w).map(|(k, w)| k * w).collect();
    let values = values.map_or_else(|| vec![0.0; b * t], to_vec);

    let mut adv = vec![0.0f32; b * t];
    let mut ret = vec![0.0f32; b * t];
    let seq_kl: Vec<f32> = kl_tok.chunks(t).map(|row| row.iter().sum()).collect();
    match cfg.algorithm {
        Algorithm::Ppo => {
            for row in 0..b {
                let pos: Vec<usize> = (0..t).filter(|&j| w[row * t + j] > 0.0).collect();
                let Some(&last) = pos.last() else { continue };
                let rewards: Vec<f32> = pos
                    .iter()
                    .map(|&j| {
                        let r = -cfg.kl_coef * kl_tok[row * t + j];
                        if j == last { r + scores[row] } else { r }
                    })
                    .collect();
                let v: Vec<f32> = pos.iter().map(|&j| values[row * t + j]).collect();
                let (a, r) = gae(&rewards, &v, cfg.gamma, cfg.lambda);
                for (n, &j) in pos.iter().enumerate() {
                    adv[row * t + j] = a[n];
                    ret[row * t + j] = r[n];
                }
            }
        }
        Algorithm::Rloo => {
            let rewards: Vec<f32> =
                scores.iter().zip(&seq_kl).map(|(s, kl)| s - cfg.kl_coef * kl).collect();
            let seq_adv = rloo_advantages(&rewards, k);
            for row in 0..b {
                for j in 0..t {
                    adv[row * t + j] = seq_adv[row] * w[row * t + j];
                }
            }
        }
    }
    // Whiten over the response tokens only.
    let idx: Vec<usize> = (0..b * t).filter(|&i| w[i] > 0.0).collect();
    let mut live: Vec<f32> = idx.iter().map(|&i| adv[i]).collect();
    whiten(&mut live);
    for (&i, a) in idx.iter().zip(live) {
        adv[i] = a;
    }
    let n = b as f32;
    Ok(Rollout {
        batch: Batch::new(&refs, device),
        old_logprobs: tensor(to_vec(old_lp), [b, t], device),
        old_values: tensor(values, [b, t], device),
        advantages: tensor(adv, [b, t], device),
        returns: tensor(ret, [b, t], device),
        reward: scores.iter().sum::<f32>() / n,
        true_score: true_score as f32 / n,
        kl: seq_kl.iter().sum::<f32>() / n,
    })
}

/// Demonstrations of `prompts` (the instruction playground's) whose trained part is the
/// answer only: the courtesy sentence and the closing `<|end|>` are masked out. RLHF's and
/// DPO's anchor against answers drifting.
pub fn answer_demonstrations(
    prompts: &[Instance],
    tok: &dyn genlab_tokenizer::Tokenizer,
    template: &genlab_tokenizer::ChatTemplate,
    seed: u64,
) -> Result<Vec<Sequence>, GptError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD3);
    prompts
        .iter()
        .map(|inst| {
            let response = genlab_data::instructions::demonstration(inst, &mut rng);
            let (ids, mut mask) = template.render_pair(tok, &inst.prompt, &response)?;
            let mut keep = tok.encode(&inst.answer)?.len();
            for m in mask.iter_mut() {
                if *m {
                    *m = keep > 0;
                    keep = keep.saturating_sub(1);
                }
            }
            Ok(Sequence { ids, mask })
        })
        .collect()
}
