//! What a WaveNet must beat on held-out audio, in the same unit (bits per mu-law class):
//!
//! - the **unigram** model: every sample drawn from the training audio's class histogram;
//! - the **best linear predictor**: AR(p) fitted by least squares to the training amplitudes,
//!   its Gaussian or Laplace residual turned into class probabilities by integrating over each
//!   class's amplitude bin ([`crate::mulaw::bin_edges`]). The best `p` and residual law on the
//!   held-out audio is reported, which favours the baseline.

use serde::Serialize;

use crate::data::AudioSet;
use crate::mulaw::{self, CLASSES};

/// Smallest probability a baseline gives a class (keeps the log finite).
const FLOOR: f64 = 1e-12;

/// The unigram model's figures.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Unigram {
    /// Entropy of the training audio's class histogram, bits per sample.
    pub train_entropy_bits: f64,
    /// Cross-entropy of the held-out audio under that histogram (add-one smoothed).
    pub heldout_bits: f64,
}

/// The unigram baseline of `train` scored on `heldout`.
pub fn unigram(train: &AudioSet, heldout: &AudioSet) -> Unigram {
    let mut counts = [1.0f64; CLASSES]; // add-one
    for c in train.clips.iter().flat_map(|c| &c.classes) {
        counts[*c as usize] += 1.0;
    }
    let total: f64 = counts.iter().sum();
    let p: Vec<f64> = counts.iter().map(|c| c / total).collect();
    let train_entropy_bits = -p.iter().map(|p| p * p.log2()).sum::<f64>();
    let (mut bits, mut n) = (0.0, 0usize);
    for c in heldout.clips.iter().flat_map(|c| c.classes.iter().skip(1)) {
        bits -= p[*c as usize].log2();
        n += 1;
    }
    Unigram { train_entropy_bits, heldout_bits: bits / n.max(1) as f64 }
}

/// The residual's law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Residual {
    /// Normal with the residuals' standard deviation.
    Gaussian,
    /// Laplace with the residuals' mean absolute value (its maximum-likelihood scale).
    Laplace,
}

/// One AR(p) fit's figures.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArScore {
    /// The order.
    pub p: usize,
    /// The residual law.
    pub residual: Residual,
    /// Held-out bits per sample.
    pub heldout_bits: f64,
}

/// An AR(p) predictor: `x[t] ≈ Σ_i coef[i] x[t - 1 - i]`.
#[derive(Debug, Clone)]
pub struct ArModel {
    /// Coefficients, lag 1 first.
    pub coef: Vec<f64>,
    /// Standard deviation of the training residuals.
    pub sigma: f64,
    /// Mean absolute training residual.
    pub mean_abs: f64,
}

fn amplitudes(set: &AudioSet) -> Vec<Vec<f64>> {
    set.clips.iter().map(|c| c.classes.iter().map(|&k| mulaw::decode(k) as f64).collect()).collect()
}

/// Least-squares AR(p) on the (mu-law decoded) training amplitudes, clip by clip.
pub fn fit_ar(train: &AudioSet, p: usize) -> ArModel {
    let clips = amplitudes(train);
    let mut ata = vec![0.0f64; p * p];
    let mut atb = vec![0.0f64; p];
    for x in &clips {
        for t in p..x.len() {
            let lags = &x[t - p..t]; // x[t - p] .. x[t - 1]
            for i in 0..p {
                let li = lags[p - 1 - i];
                atb[i] += li * x[t];
                for j in 0..p {
                    ata[i * p + j] += li * lags[p - 1 - j];
                }
            }
        }
    }
    for i in 0..p {
        ata[i * p + i] += 1e-9; // ridge against silence-only data
    }
    let coef = solve(ata, atb, p);
    let (mut sq, mut abs, mut n) = (0.0, 0.0, 0usize);
    for x in &clips {
        for t in p..x.len() {
            let r = x[t] - predict(&coef, &x[..t]);
            sq += r * r;
            abs += r.abs();
            n += 1;
        }
    }
    let n = n.max(1) as f64;
    ArModel { coef, sigma: (sq / n).sqrt().max(1e-6), mean_abs: (abs / n).max(1e-6) }
}

fn predict(coef: &[f64], past: &[f64]) -> f64 {
    coef.iter().zip(past.iter().rev()).map(|(a, x)| a * x).sum()
}

/// Gaussian elimination with partial pivoting for the p×p normal equations.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, p: usize) -> Vec<f64> {
    for col in 0..p {
        let pivot = (col..p).max_by(|&i, &j| a[i * p + col].abs().total_cmp(&a[j * p + col].abs()));
        let pivot = pivot.unwrap_or(col);
        if pivot != col {
            for k in 0..p {
                a.swap(col * p + k, pivot * p + k);
            }
            b.swap(col, pivot);
        }
        let d = a[col * p + col];
        if d.abs() < 1e-300 {
            continue;
        }
        for row in col + 1..p {
            let f = a[row * p + col] / d;
            for k in col..p {
                a[row * p + k] -= f * a[col * p + k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; p];
    for row in (0..p).rev() {
        let s: f64 = (row + 1..p).map(|k| a[row * p + k] * x[k]).sum();
        let d = a[row * p + row];
        x[row] = if d.abs() < 1e-300 { 0.0 } else { (b[row] - s) / d };
    }
    x
}

/// Held-out bits per sample of `model` with the residual law `law`, every sample after the
/// first of each clip (lags before a clip's start are 0, as a WaveNet's padding is).
pub fn score_ar(model: &ArModel, law: Residual, heldout: &AudioSet) -> f64 {
    let edges: Vec<(f64, f64)> = (0..CLASSES).map(|c| mulaw::bin_edges(c as u8)).collect();
    let cdf = |z: f64| match law {
        Residual::Gaussian => 0.5 * erfc(-(z / model.sigma) / std::f64::consts::SQRT_2),
        Residual::Laplace => {
            let u = z / model.mean_abs;
            if u < 0.0 { 0.5 * u.exp() } else { 1.0 - 0.5 * (-u).exp() }
        }
    };
    let p = model.coef.len();
    let (mut bits, mut n) = (0.0, 0usize);
    for (clip, x) in heldout.clips.iter().zip(amplitudes(heldout)) {
        let mut padded = vec![0.0; p];
        padded.extend_from_slice(&x);
        for t in 1..x.len() {
            let pred = predict(&model.coef, &padded[..p + t]);
            let (lo, hi) = edges[clip.classes[t] as usize];
            let prob = cdf(hi - pred) - cdf(lo - pred);
            bits -= prob.max(FLOOR).log2();
            n += 1;
        }
    }
    bits / n.max(1) as f64
}

/// Every AR(p) for `p` in `orders` with both residual laws, scored on `heldout`, best first.
pub fn ar_scores(train: &AudioSet, heldout: &AudioSet, orders: &[usize]) -> Vec<ArScore> {
    let mut scores: Vec<ArScore> = orders
        .iter()
        .flat_map(|&p| {
            let model = fit_ar(train, p);
            [Residual::Gaussian, Residual::Laplace].map(|residual| ArScore {
                p,
                residual,
                heldout_bits: score_ar(&model, residual, heldout),
            })
        })
        .collect();
    scores.sort_by(|a, b| a.heldout_bits.total_cmp(&b.heldout_bits));
    scores
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, relative error below
/// 1.2e-7 everywhere), since std has none.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Clip;

    fn set(classes: Vec<u8>) -> AudioSet {
        AudioSet { sample_rate: 16_000, clips: vec![Clip { name: "a".into(), classes }] }
    }

    #[test]
    fn erfc_matches_known_values() {
        for (x, want) in [
            (0.0, 1.0),
            (0.5, 0.479_500_122),
            (1.0, 0.157_299_207),
            (-1.0, 1.842_700_793),
            (3.0, 2.209_049_7e-5),
        ] {
            assert!((erfc(x) - want).abs() <= 1.2e-7 * want.max(1e-3), "erfc({x})");
        }
    }

    #[test]
    fn ar_recovers_a_known_process_and_beats_the_unigram() {
        // x[t] = 1.6 x[t-1] - 0.8 x[t-2] + small noise: a resonance, like a formant.
        let mut x = vec![0.0f64, 0.1];
        let mut state = 12345u64;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.02;
            let n = x.len();
            x.push(1.6 * x[n - 1] - 0.8 * x[n - 2] + noise);
        }
        let classes = mulaw::encode_all(&x.iter().map(|&v| v as f32 * 0.5).collect::<Vec<_>>());
        let train = set(classes[..15_000].to_vec());
        let test = set(classes[15_000..].to_vec());
        let ar = fit_ar(&train, 2);
        assert!((ar.coef[0] - 1.6).abs() < 0.1 && (ar.coef[1] + 0.8).abs() < 0.1, "{:?}", ar.coef);
        let best = ar_scores(&train, &test, &[1, 2, 4])[0];
        assert!(best.heldout_bits < unigram(&train, &test).heldout_bits - 1.0);
    }
}
