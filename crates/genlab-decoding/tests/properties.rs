//! Property tests of the processors against their definitions.

use genlab_decoding::{Candidates, LogitsChain, LogitsProcessor};
use proptest::prelude::*;

/// Logits with frequent exact ties (a small grid) or arbitrary values.
fn logits() -> impl Strategy<Value = Vec<f32>> {
    prop_oneof![
        prop::collection::vec((-8i32..8).prop_map(|x| x as f32 * 0.5), 1..300),
        prop::collection::vec(-20.0f32..20.0, 1..300),
    ]
}

fn run(processors: Vec<LogitsProcessor>, logits: &[f32], history: &[u32]) -> Candidates {
    let mut chain = LogitsChain::new(processors).unwrap();
    let mut c = Candidates::new();
    chain.process(logits, history, &mut c).unwrap();
    c
}

fn probs(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let e: Vec<f64> = logits.iter().map(|&l| (l as f64 - max).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|x| x / z).collect()
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn top_k_1_is_argmax(l in logits()) {
        let c = run(vec![LogitsProcessor::TopK(1)], &l, &[]);
        let kept: Vec<(u32, f32)> = c.iter().collect();
        prop_assert_eq!(kept, vec![(argmax(&l), l[argmax(&l) as usize])]);
    }

    #[test]
    fn top_k_keeps_only_the_k_largest(l in logits(), k in 1usize..50) {
        let c = run(vec![LogitsProcessor::TopK(k)], &l, &[]);
        prop_assert_eq!(c.len(), k.min(l.len()));
        for (id, logit) in c.iter() {
            prop_assert_eq!(logit, l[id as usize]);
            let strictly_greater = l.iter().filter(|&&x| x > logit).count();
            prop_assert!(strictly_greater < k, "id {} has {} larger logits", id, strictly_greater);
        }
        // Every dropped token is no larger than every kept one.
        let min_kept = c.logits().iter().copied().fold(f32::INFINITY, f32::min);
        let kept_ids: Vec<u32> = c.iter().map(|p| p.0).collect();
        for (i, &x) in l.iter().enumerate() {
            if !kept_ids.contains(&(i as u32)) {
                prop_assert!(x <= min_kept);
            }
        }
    }

    #[test]
    fn top_p_keeps_smallest_set_reaching_mass_with_ties(l in logits(), p in 0.01f32..0.99) {
        let c = run(vec![LogitsProcessor::TopP(p)], &l, &[]);
        let pr = probs(&l);
        let kept: Vec<u32> = c.iter().map(|x| x.0).collect();
        let min_kept = kept.iter().map(|&i| l[i as usize]).fold(f32::INFINITY, f32::min);
        // Upward closed, ties with the boundary included.
        for (i, &x) in l.iter().enumerate() {
            prop_assert_eq!(kept.contains(&(i as u32)), x >= min_kept, "token {}", i);
        }
        let mass: f64 = kept.iter().map(|&i| pr[i as usize]).sum();
        prop_assert!(mass >= f64::from(p) - 1e-6, "mass {} < p {}", mass, p);
        // Dropping the boundary tie group falls below p: the set is the smallest.
        let above: f64 = kept.iter().filter(|&&i| l[i as usize] > min_kept).map(|&i| pr[i as usize]).sum();
        prop_assert!(above < f64::from(p) + 1e-6, "without the boundary {} >= p {}", above, p);
    }

    #[test]
    fn min_p_keeps_exactly_p_at_least_min_p_times_p_max(l in logits(), m in 0.001f32..1.0) {
        let c = run(vec![LogitsProcessor::MinP(m)], &l, &[]);
        let pr = probs(&l);
        let p_max = pr.iter().copied().fold(0.0, f64::max);
        let kept: Vec<u32> = c.iter().map(|x| x.0).collect();
        for (i, &pi) in pr.iter().enumerate() {
            let ratio = pi / p_max / f64::from(m);
            if ratio > 1.0 + 1e-5 {
                prop_assert!(kept.contains(&(i as u32)), "token {} (ratio {}) dropped", i, ratio);
            } else if ratio < 1.0 - 1e-5 {
                prop_assert!(!kept.contains(&(i as u32)), "token {} (ratio {}) kept", i, ratio);
            }
        }
    }

    #[test]
    fn chain_never_changes_the_id_mapping(
        l in logits(),
        history in prop::collection::vec(0u32..300, 0..40),
        bias in prop::collection::vec((0u32..300, -3.0f32..3.0), 0..10),
        k in 0usize..60,
        p in 0.05f32..1.0,
        m in 0.0f32..0.5,
        t in 0.1f32..3.0,
    ) {
        let v = l.len() as u32;
        let history: Vec<u32> = history.into_iter().map(|x| x % v).collect();
        let bias: Vec<(u32, f32)> = bias.into_iter().map(|(i, b)| (i % v, b)).collect();
        let chain = vec![
            LogitsProcessor::logit_bias(bias.clone()).unwrap(),
            LogitsProcessor::RepetitionPenalty { penalty: 1.3, last_n: 16 },
            LogitsProcessor::PresenceFrequency { presence: 0.4, frequency: 0.2, last_n: 16 },
            LogitsProcessor::TopK(k),
            LogitsProcessor::TopP(p),
            LogitsProcessor::MinP(m),
            LogitsProcessor::Temperature(t),
        ];
        let c = run(chain, &l, &history);
        // Reference: the same maths on the dense row, by id.
        let mut expected = l.clone();
        for &(i, b) in &bias {
            expected[i as usize] += b;
        }
        let window = &history[history.len().saturating_sub(16)..];
        for id in 0..v {
            let n = window.iter().filter(|&&h| h == id).count();
            if n > 0 {
                let x = &mut expected[id as usize];
                *x = if *x > 0.0 { *x / 1.3 } else { *x * 1.3 };
                *x -= n as f32 * 0.2 + 0.4;
            }
        }
        let mut seen = std::collections::HashSet::new();
        prop_assert!(!c.is_empty());
        for (id, logit) in c.iter() {
            prop_assert!(id < v);
            prop_assert!(seen.insert(id), "id {} twice", id);
            let want = expected[id as usize] / t;
            prop_assert!((logit - want).abs() <= 1e-4 * want.abs().max(1.0), "id {}: {} vs {}", id, logit, want);
        }
    }
}

#[test]
fn off_values_are_identity() {
    let l: Vec<f32> = (0..50).map(|i| ((i * 7919) % 13) as f32 - 6.0).collect();
    for p in [
        LogitsProcessor::TopK(0),
        LogitsProcessor::TopK(50),
        LogitsProcessor::TopK(1000),
        LogitsProcessor::TopP(1.0),
        LogitsProcessor::MinP(0.0),
        LogitsProcessor::TypicalP(1.0),
        LogitsProcessor::Temperature(1.0),
        LogitsProcessor::RepetitionPenalty { penalty: 1.0, last_n: 64 },
    ] {
        let c = run(vec![p.clone()], &l, &[1, 2, 3]);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            l.iter().copied().enumerate().map(|(i, x)| (i as u32, x)).collect::<Vec<_>>(),
            "{p:?}"
        );
    }
}
