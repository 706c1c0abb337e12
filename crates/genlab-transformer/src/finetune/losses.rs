//! The objectives of fine-tuning, as plain functions of log-probabilities, rewards and masks,
//! so each one can be checked against its formula (tests below): masked next-token loss
//! (SFT), Bradley-Terry (reward model), DPO, PPO's clipped surrogate and value loss, GAE,
//! RLOO baselines and the KL to the reference.
//!
//! Shapes: `b` sequences, `t` positions, `v` ids. A `weights` tensor is 1.0 on the positions
//! that count (response tokens) and 0.0 on prompt and padding.

use burn::tensor::activation::{log_sigmoid, log_softmax, softmax};
use burn::tensor::{Int, Tensor};

/// Log-probability of each target under `logits`: `[b, t, v]`, `[b, t] -> [b, t]`.
pub fn token_logprobs(logits: Tensor<3>, targets: Tensor<2, Int>) -> Tensor<2> {
    log_softmax(logits, 2).gather(2, targets.unsqueeze_dim::<3>(2)).squeeze_dim::<2>(2)
}

/// Mean negative log-likelihood over the weighted positions (SFT's loss: response tokens
/// only). `[b, t]` each -> `[1]`.
pub fn masked_nll(logprobs: Tensor<2>, weights: Tensor<2>) -> Tensor<1> {
    let count = weights.clone().sum().clamp_min(1.0);
    (logprobs * weights).sum().neg() / count
}

/// Sum of the weighted log-probabilities of each sequence: `[b, t]` -> `[b]`.
pub fn sequence_logprob(logprobs: Tensor<2>, weights: Tensor<2>) -> Tensor<1> {
    (logprobs * weights).sum_dim(1).squeeze_dim::<1>(1)
}

/// Bradley-Terry: mean of `-log sigmoid(r_chosen - r_rejected)` over pairs `[n]`.
pub fn bradley_terry(r_chosen: Tensor<1>, r_rejected: Tensor<1>) -> Tensor<1> {
    log_sigmoid(r_chosen - r_rejected).mean().neg()
}

/// DPO (Rafailov et al. 2023) from sequence log-probs `[n]` of the policy and the frozen
/// reference on chosen and rejected responses: the mean of
/// `-log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))`, with the implicit rewards
/// `beta * (pi - ref)` of chosen and rejected (detached).
pub fn dpo(
    pi_chosen: Tensor<1>,
    pi_rejected: Tensor<1>,
    ref_chosen: Tensor<1>,
    ref_rejected: Tensor<1>,
    beta: f32,
) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
    let chosen = (pi_chosen - ref_chosen).mul_scalar(beta);
    let rejected = (pi_rejected - ref_rejected).mul_scalar(beta);
    let loss = log_sigmoid(chosen.clone() - rejected.clone()).mean().neg();
    (loss, chosen.detach(), rejected.detach())
}

/// PPO's clipped surrogate (Schulman et al. 2017) over weighted tokens: the mean of
/// `-min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)` with `ratio = exp(logp - old_logp)`,
/// and the fraction of tokens where the clipped term was the one taken.
pub fn ppo_policy_loss(
    logprobs: Tensor<2>,
    old_logprobs: Tensor<2>,
    advantages: Tensor<2>,
    weights: Tensor<2>,
    clip: f32,
) -> (Tensor<1>, Tensor<1>) {
    let ratio = (logprobs - old_logprobs).exp();
    let unclipped = ratio.clone() * advantages.clone();
    let clipped = ratio.clamp(1.0 - clip, 1.0 + clip) * advantages;
    let taken = unclipped.clone().greater(clipped.clone()).float().detach();
    let surrogate = unclipped.min_pair(clipped);
    let count = weights.clone().sum().clamp_min(1.0);
    let loss = (surrogate * weights.clone()).sum().neg() / count.clone();
    let clip_fraction = (taken * weights).sum() / count;
    (loss, clip_fraction)
}

/// PPO's clipped value loss: the mean over weighted tokens of
/// `0.5 * max((v - R)^2, (clip(v, v_old - eps, v_old + eps) - R)^2)`.
pub fn ppo_value_loss(
    values: Tensor<2>,
    old_values: Tensor<2>,
    returns: Tensor<2>,
    weights: Tensor<2>,
    clip: f32,
) -> Tensor<1> {
    let clipped = old_values.clone() + (values.clone() - old_values).clamp(-clip, clip);
    let a = (values - returns.clone()).powi_scalar(2);
    let b = (clipped - returns).powi_scalar(2);
    let count = weights.clone().sum().clamp_min(1.0);
    (a.max_pair(b) * weights).sum().mul_scalar(0.5) / count
}

/// Generalised advantage estimation (Schulman et al. 2016) over one response:
/// `delta_t = r_t + gamma * V_{t+1} - V_t` (with `V` after the last token = 0), advantages
/// `A_t = sum_k (gamma * lambda)^k delta_{t+k}`, returns `A_t + V_t`.
pub fn gae(rewards: &[f32], values: &[f32], gamma: f32, lambda: f32) -> (Vec<f32>, Vec<f32>) {
    let n = rewards.len();
    let mut adv = vec![0.0; n];
    let mut next = 0.0;
    for t in (0..n).rev() {
        let next_value = if t + 1 < n { values[t + 1] } else { 0.0 };
        let delta = rewards[t] + gamma * next_value - values[t];
        next = delta + gamma * lambda * next;
        adv[t] = next;
    }
    let returns = adv.iter().zip(values).map(|(a, v)| a + v).collect();
    (adv, returns)
}

/// REINFORCE leave-one-out (Ahmadian et al. 2024): in each group of `k` consecutive
/// rewards, a sample's advantage is its reward minus the mean of the other `k - 1`.
pub fn rloo_advantages(rewards: &[f32], k: usize) -> Vec<f32> {
    assert!(k >= 2 && rewards.len().is_multiple_of(k), "groups of at least 2");
    rewards
        .chunks(k)
        .flat_map(|group| {
            let sum: f32 = group.iter().sum();
            group.iter().map(move |&r| r - (sum - r) / (k - 1) as f32)
        })
        .collect()
}

/// Standardises `x` to mean 0 and standard deviation 1 (advantage whitening).
pub fn whiten(x: &mut [f32]) {
    let n = x.len().max(1) as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
    let std = var.sqrt().max(1e-8);
    x.iter_mut().for_each(|v| *v = (*v - mean) / std);
}

/// The exact KL(p || q) at every position, from the logits of the policy `p` and the
/// reference `q` over the whole vocabulary: `[b, t, v]` each -> `[b, t]`.
pub fn exact_kl(logits_p: Tensor<3>, logits_q: Tensor<3>) -> Tensor<2> {
    let lp = log_softmax(logits_p.clone(), 2);
    let lq = log_softmax(logits_q, 2);
    (softmax(logits_p, 2) * (lp - lq)).sum_dim(2).squeeze_dim::<2>(2)
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    fn t1(v: &[f32]) -> Tensor<1> {
        Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), &Device::default())
    }
    fn t2(v: &[f32], b: usize) -> Tensor<2> {
        Tensor::from_data(TensorData::new(v.to_vec(), [b, v.len() / b]), &Device::default())
    }
    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5 * (1.0 + b.abs())
    }

    #[test]
    fn ppo_loss_equals_a_hand_computation() {
        // Two sequences of two tokens; the last token of the second is padding.
        let logp = [-1.0f32, -0.5, -2.0, -0.1];
        let old = [-1.2f32, -0.5, -1.5, -3.0];
        let adv = [1.0f32, -2.0, 0.5, 9.0];
        let w = [1.0f32, 1.0, 1.0, 0.0];
        let eps = 0.2f32;
        let mut sum = 0.0;
        let mut clipped = 0.0;
        for i in 0..3 {
            let r = (logp[i] - old[i]).exp();
            let (u, c) = (r * adv[i], r.clamp(1.0 - eps, 1.0 + eps) * adv[i]);
            sum += u.min(c);
            clipped += f32::from(u > c);
        }
        let (loss, frac) = ppo_policy_loss(t2(&logp, 2), t2(&old, 2), t2(&adv, 2), t2(&w, 2), eps);
        assert!(close(loss.into_scalar::<f32>(), -sum / 3.0));
        assert!(close(frac.into_scalar::<f32>(), clipped / 3.0));
        assert!(clipped > 0.0, "the example exercises the clip");

        let (v, vo, ret) =
            ([0.5f32, 1.0, -1.0, 4.0], [0.0f32, 1.1, 0.0, 0.0], [1.0f32, 1.0, 0.0, 0.0]);
        let mut vsum = 0.0;
        for i in 0..3 {
            let vc = vo[i] + (v[i] - vo[i]).clamp(-eps, eps);
            vsum += (v[i] - ret[i]).powi(2).max((vc - ret[i]).powi(2));
        }
        let vl = ppo_value_loss(t2(&v, 2), t2(&vo, 2), t2(&ret, 2), t2(&w, 2), eps);
        assert!(close(vl.into_scalar::<f32>(), 0.5 * vsum / 3.0));
    }

    #[test]
    fn gae_equals_the_recursion_and_lambda_one_gives_monte_carlo_returns() {
        let (r, v) = ([0.0f32, 0.0, 1.0], [0.2f32, 0.4, 0.6]);
        let (adv, ret) = gae(&r, &v, 1.0, 1.0);
        // lambda = gamma = 1: the return is the sum of future rewards.
        assert!(ret.iter().all(|&x| close(x, 1.0)));
        assert!(close(adv[0], 0.8) && close(adv[2], 0.4));
        let (adv, _) = gae(&r, &v, 1.0, 0.5);
        let d = [0.0 + 0.4 - 0.2, 0.0 + 0.6 - 0.4, 1.0 - 0.6];
        assert!(close(adv[2], d[2]));
        assert!(close(adv[1], d[1] + 0.5 * d[2]));
        assert!(close(adv[0], d[0] + 0.5 * d[1] + 0.25 * d[2]));
    }

    #[test]
    fn rloo_subtracts_the_mean_of_the_others() {
        let a = rloo_advantages(&[1.0, 2.0, 3.0, 0.0, 0.0, 4.0], 3);
        assert_eq!(a, [1.0 - 2.5, 2.0 - 2.0, 3.0 - 1.5, -2.0, -2.0, 4.0]);
    }

    #[test]
    fn dpo_loss_matches_the_formula_on_fixed_logprobs() {
        let (pc, pr, rc, rr) = ([-3.0f32, -1.0], [-4.0f32, -0.5], [-3.5f32, -1.2], [-3.0f32, -0.4]);
        let beta = 0.1f32;
        let expected: f32 = (0..2)
            .map(|i| {
                let z = beta * ((pc[i] - rc[i]) - (pr[i] - rr[i]));
                (1.0 + (-z).exp()).ln()
            })
            .sum::<f32>()
            / 2.0;
        let (loss, chosen, rejected) = dpo(t1(&pc), t1(&pr), t1(&rc), t1(&rr), beta);
        assert!(close(loss.into_scalar::<f32>(), expected));
        let chosen = chosen.into_data().try_to_vec::<f32>().unwrap();
        let rejected = rejected.into_data().try_to_vec::<f32>().unwrap();
        assert!(close(chosen[0], beta * 0.5) && close(rejected[1], beta * -0.1));
    }

    #[test]
    fn bradley_terry_is_the_log_loss_of_the_reward_gap() {
        let loss = bradley_terry(t1(&[2.0, 0.0]), t1(&[1.0, 0.0])).into_scalar::<f32>();
        let expected = ((1.0 + (-1.0f32).exp()).ln() + 2f32.ln()) / 2.0;
        assert!(close(loss, expected));
    }

    #[test]
    fn masked_nll_ignores_weighted_out_positions() {
        let lp = t2(&[-1.0, -100.0, -3.0, -100.0], 2);
        let w = t2(&[1.0, 0.0, 1.0, 0.0], 2);
        assert!(close(masked_nll(lp.clone(), w.clone()).into_scalar::<f32>(), 2.0));
        let seq = sequence_logprob(lp, w).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(seq, [-1.0, -3.0]);
    }

    #[test]
    fn kl_estimate_equals_the_exact_kl_on_a_small_vocabulary() {
        use rand::{Rng, SeedableRng};
        let (p, q) = ([2.0f32, 0.5, -1.0, 0.0], [0.0f32, 1.0, 0.0, -0.5]);
        let soft = |l: &[f32]| {
            let z: f32 = l.iter().map(|x| x.exp()).sum();
            l.iter().map(|x| x.exp() / z).collect::<Vec<_>>()
        };
        let (pp, qq) = (soft(&p), soft(&q));
        let exact: f32 = pp.iter().zip(&qq).map(|(a, b)| a * (a / b).ln()).sum();
        let d = Device::default();
        let lt = |l: &[f32]| Tensor::<3>::from_data(TensorData::new(l.to_vec(), [1, 1, 4]), &d);
        let tensor_kl = exact_kl(lt(&p), lt(&q)).into_scalar::<f32>();
        assert!(close(tensor_kl, exact), "{tensor_kl} vs {exact}");
        // The per-token estimator RLHF logs, log p(x) - log q(x) with x ~ p, is unbiased.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let n = 200_000;
        let mut sum = 0.0f64;
        for _ in 0..n {
            let u: f32 = rng.random();
            let mut acc = 0.0;
            let x = pp.iter().position(|&w| {
                acc += w;
                u < acc
            });
            let x = x.unwrap_or(3);
            sum += (pp[x].ln() - qq[x].ln()) as f64;
        }
        let estimate = (sum / n as f64) as f32;
        assert!((estimate - exact).abs() < 0.01, "estimate {estimate} vs exact {exact}");
    }
}
