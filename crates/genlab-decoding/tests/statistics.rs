//! Seeded statistical tests: the sampler draws from the distribution it claims.

use genlab_decoding::{GenerationConfig, Sampler};

const N: usize = 100_000;

/// Chi-square 99.9% quantile for 9 degrees of freedom.
const CHI2_9_999: f64 = 27.877;

fn counts(config: &GenerationConfig, logits: &[f32]) -> Vec<usize> {
    let mut s = Sampler::from_config(config).unwrap();
    let mut c = vec![0; logits.len()];
    for _ in 0..N {
        c[s.sample(logits, &[]).unwrap() as usize] += 1;
    }
    c
}

fn chi_square(counts: &[usize], expected_p: &[f64]) -> f64 {
    counts
        .iter()
        .zip(expected_p)
        .map(|(&o, &p)| {
            let e = p * N as f64;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

fn normalise(w: &[f64]) -> Vec<f64> {
    let z: f64 = w.iter().sum();
    w.iter().map(|x| x / z).collect()
}

fn entropy(counts: &[usize]) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / N as f64;
            -p * p.ln()
        })
        .sum()
}

/// p proportional to 1..=10.
fn known() -> (Vec<f32>, Vec<f64>) {
    let w: Vec<f64> = (1..=10).map(f64::from).collect();
    let logits = w.iter().map(|x| x.ln() as f32).collect();
    (logits, normalise(&w))
}

#[test]
fn sampling_matches_a_known_distribution() {
    let (logits, p) = known();
    let cfg = GenerationConfig { seed: 1234, ..GenerationConfig::unprocessed() };
    let c = counts(&cfg, &logits);
    let chi2 = chi_square(&c, &p);
    assert!(chi2 < CHI2_9_999, "chi2 {chi2} for {c:?}");
}

#[test]
fn temperature_two_flattens_and_half_sharpens() {
    let (logits, _) = known();
    let w: Vec<f64> = (1..=10).map(f64::from).collect();
    let mut entropies = Vec::new();
    for t in [0.5f32, 1.0, 2.0] {
        let cfg = GenerationConfig { temperature: t, seed: 99, ..GenerationConfig::unprocessed() };
        let c = counts(&cfg, &logits);
        // softmax(log w / t) = w^(1/t), normalised.
        let p = normalise(&w.iter().map(|x| x.powf(1.0 / f64::from(t))).collect::<Vec<_>>());
        let chi2 = chi_square(&c, &p);
        assert!(chi2 < CHI2_9_999, "t {t}: chi2 {chi2} for {c:?}");
        entropies.push(entropy(&c));
    }
    assert!(entropies[0] < entropies[1] && entropies[1] < entropies[2], "{entropies:?}");
}

#[test]
fn top_k_then_sample_renormalises_over_the_kept_tokens() {
    // 20 tokens; top-k 10 keeps 11..=20, each drawn in proportion to its weight.
    let w: Vec<f64> = (1..=20).map(f64::from).collect();
    let logits: Vec<f32> = w.iter().map(|x| x.ln() as f32).collect();
    let cfg = GenerationConfig { top_k: 10, seed: 5, ..GenerationConfig::unprocessed() };
    let c = counts(&cfg, &logits);
    assert!(c[..10].iter().all(|&x| x == 0), "{c:?}");
    let chi2 = chi_square(&c[10..], &normalise(&w[10..]));
    assert!(chi2 < CHI2_9_999, "chi2 {chi2}");
}

#[test]
fn temperature_zero_is_greedy() {
    let (logits, _) = known();
    for seed in 0..50 {
        let cfg = GenerationConfig { temperature: 0.0, seed, ..GenerationConfig::default() };
        let mut s = Sampler::from_config(&cfg).unwrap();
        assert_eq!(s.sample(&logits, &[]).unwrap(), 9);
    }
}
