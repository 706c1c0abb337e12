//! Fréchet distance between Gaussians fitted to feature sets (FID, Heusel et al. 2017) and
//! the Inception Score (Salimans et al. 2016), on plain row-major `&[f32]` buffers.
//!
//! The matrix square root is done the stable way: `Tr(sqrtm(S_a·S_b))` equals
//! `Tr(sqrtm(A·S_b·A))` with `A = S_a^{1/2}` (`XY` and `YX` share their non-zero eigenvalues),
//! and that inner matrix is symmetric positive semi-definite, so its square root's trace is
//! `Σ √λᵢ` over the eigenvalues of a symmetric eigenproblem: no complex arithmetic, no
//! non-symmetric `sqrtm`. Both eigenproblems are solved by [`symmetric_eigen`] (cyclic Jacobi,
//! f64, in [`crate::linalg`]).

use crate::EvalError;
use crate::linalg::{matmul, sqrtm_psd, symmetric_eigen, symmetrize};

/// A Gaussian fitted to `n` feature vectors of length `dim`.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianFit {
    /// Feature dimension.
    pub dim: usize,
    /// Number of feature vectors the fit was made from.
    pub n: usize,
    /// Mean, `dim` values.
    pub mean: Vec<f64>,
    /// Covariance, `dim × dim` row-major, unbiased (divides by `n − 1`, like `numpy.cov`).
    pub cov: Vec<f64>,
}

/// Fits a Gaussian (mean and unbiased covariance) to `features`, `n × dim` row-major;
/// accumulates in f64. Costs `O(n·dim²)`.
///
/// # Errors
/// `dim` is 0 or does not divide `features.len()`, fewer than 2 rows, or a non-finite value.
pub fn fit_gaussian(features: &[f32], dim: usize) -> Result<GaussianFit, EvalError> {
    let n = rows(features, dim)?;
    if n < 2 {
        let expected = "at least 2 (a covariance needs two samples)";
        return Err(EvalError::OutOfRange { name: "feature rows", value: n as f64, expected });
    }
    if let Some((index, &value)) = features.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(EvalError::BadValue { what: "fit_gaussian: features", index, value });
    }
    let mut mean = vec![0.0f64; dim];
    for row in features.chunks_exact(dim) {
        mean.iter_mut().zip(row).for_each(|(m, &x)| *m += x as f64);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    // Two-pass (centred) accumulation of the upper triangle, then mirror.
    let mut cov = vec![0.0f64; dim * dim];
    let mut d = vec![0.0f64; dim];
    for row in features.chunks_exact(dim) {
        d.iter_mut().zip(row).zip(&mean).for_each(|((d, &x), m)| *d = x as f64 - m);
        for i in 0..dim {
            let di = d[i];
            let out = &mut cov[i * dim..(i + 1) * dim];
            (i..dim).for_each(|j| out[j] += di * d[j]);
        }
    }
    cov.iter_mut().for_each(|c| *c /= (n - 1) as f64);
    (0..dim).for_each(|i| (0..i).for_each(|j| cov[i * dim + j] = cov[j * dim + i]));
    Ok(GaussianFit { dim, n, mean, cov })
}

/// Fréchet distance between two Gaussians,
/// `‖μ_a − μ_b‖² + Tr(S_a) + Tr(S_b) − 2·Tr(sqrtm(S_a·S_b))`, the formula of pytorch-fid,
/// with the square-root trace computed as `Σ √max(λᵢ, 0)` over the eigenvalues of the
/// symmetric `S_a^{1/2}·S_b·S_a^{1/2}` (see the module docs). Eigenvalues that round-off
/// makes slightly negative are clamped to 0, and so is a result that comes out a hair below 0
/// (the true distance is never negative). Costs `O(dim³)`.
///
/// # Errors
/// The dimensions differ, a fit's `mean`/`cov` lengths do not match its `dim`, or a fit holds
/// a non-finite value (possible only in a hand-made [`GaussianFit`]).
pub fn frechet_distance(a: &GaussianFit, b: &GaussianFit) -> Result<f64, EvalError> {
    let n = a.dim;
    let checks = [
        ("frechet_distance: dims of a and b", b.dim, n),
        ("frechet_distance: a.mean vs dim", a.mean.len(), n),
        ("frechet_distance: b.mean vs dim", b.mean.len(), n),
        ("frechet_distance: a.cov vs dim²", a.cov.len(), n * n),
        ("frechet_distance: b.cov vs dim²", b.cov.len(), n * n),
    ];
    if let Some(&(what, left, right)) = checks.iter().find(|(_, l, r)| l != r) {
        return Err(EvalError::LengthMismatch { what, left, right });
    }
    let fields = [
        ("frechet_distance: a.mean", &a.mean),
        ("frechet_distance: a.cov", &a.cov),
        ("frechet_distance: b.mean", &b.mean),
        ("frechet_distance: b.cov", &b.cov),
    ];
    for (what, values) in fields {
        if let Some((index, &x)) = values.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(EvalError::BadValue { what, index, value: x as f32 });
        }
    }
    let mean_term: f64 = a.mean.iter().zip(&b.mean).map(|(x, y)| (x - y) * (x - y)).sum();
    let trace = |m: &[f64]| (0..n).map(|i| m[i * n + i]).sum::<f64>();
    let root_a = sqrtm_psd(&a.cov, n);
    let mut inner = matmul(&matmul(&root_a, &b.cov, n), &root_a, n);
    symmetrize(&mut inner, n);
    let (eigenvalues, _) = symmetric_eigen(&inner, n);
    let tr_covmean: f64 = eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).sum();
    Ok((mean_term + trace(&a.cov) + trace(&b.cov) - 2.0 * tr_covmean).max(0.0))
}

/// FID between two feature sets (`n × dim` row-major each; the row counts may differ):
/// [`fit_gaussian`] on both, then [`frechet_distance`].
///
/// ```
/// # use genlab_eval::fid;
/// let real = [0.0, 1.0, 2.0, 3.0]; // four 1-D features: mean 1.5
/// let fake = [2.0, 3.0, 4.0, 5.0]; // same spread, mean 3.5
/// assert!((fid(&real, &fake, 1).unwrap() - 4.0).abs() < 1e-12);
/// ```
///
/// # Errors
/// As [`fit_gaussian`] for either set.
pub fn fid(real: &[f32], fake: &[f32], dim: usize) -> Result<f64, EvalError> {
    frechet_distance(&fit_gaussian(real, dim)?, &fit_gaussian(fake, dim)?)
}

/// Inception Score from class probabilities `probs` (`n × classes` row-major, rows summing to
/// 1): `exp(E_x KL(p(y|x) ‖ p(y)))`, with `p(y)` the mean row of each split. As in the
/// reference implementation (openai/improved-gan), the rows are cut into `splits` contiguous
/// parts at `i·n/splits` (equal when `splits` divides `n`), and the result is the mean and the
/// population standard deviation (numpy's `std`, ddof = 0) of the per-split scores. Logs
/// take `p + 1e-12`, so zero probabilities are harmless.
///
/// ```
/// # use genlab_eval::inception_score;
/// // Two confident predictions, one per class: IS = 2 (the number of classes used).
/// let (mean, std) = inception_score(&[1.0, 0.0, 0.0, 1.0], 2, 1).unwrap();
/// assert!((mean - 2.0).abs() < 1e-9 && std == 0.0);
/// ```
///
/// # Errors
/// `classes` is 0 or does not divide `probs.len()`, `splits` not in `1..=n`, a negative or
/// non-finite probability, or a row whose sum is off 1 by more than 1e-3 (logits passed by
/// mistake).
pub fn inception_score(
    probs: &[f32],
    classes: usize,
    splits: usize,
) -> Result<(f64, f64), EvalError> {
    const EPS: f64 = 1e-12;
    let n = rows(probs, classes)?;
    if splits == 0 || splits > n {
        let expected = "between 1 and the number of rows";
        return Err(EvalError::OutOfRange { name: "splits", value: splits as f64, expected });
    }
    if let Some((index, &value)) =
        probs.iter().enumerate().find(|(_, p)| !(**p >= 0.0 && p.is_finite()))
    {
        return Err(EvalError::BadValue { what: "inception_score: probs", index, value });
    }
    for row in probs.chunks_exact(classes) {
        let sum: f64 = row.iter().map(|&p| p as f64).sum();
        if (sum - 1.0).abs() > 1e-3 {
            let (name, expected) = ("probability row sum", "1 (probabilities, not logits)");
            return Err(EvalError::OutOfRange { name, value: sum, expected });
        }
    }
    let scores: Vec<f64> = (0..splits)
        .map(|s| {
            let part = &probs[s * n / splits * classes..(s + 1) * n / splits * classes];
            let rows = (part.len() / classes) as f64;
            let mut marginal = vec![0.0f64; classes];
            for row in part.chunks_exact(classes) {
                marginal.iter_mut().zip(row).for_each(|(m, &p)| *m += p as f64 / rows);
            }
            let kl: f64 = part
                .chunks_exact(classes)
                .flat_map(|row| row.iter().zip(&marginal))
                .map(|(&p, &py)| p as f64 * ((p as f64 + EPS).ln() - (py + EPS).ln()))
                .sum();
            (kl / rows).exp()
        })
        .collect();
    let mean = scores.iter().sum::<f64>() / splits as f64;
    let var = scores.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / splits as f64;
    Ok((mean, var.sqrt()))
}

/// Number of rows of a flat row-major buffer with rows of `dim` values.
fn rows(values: &[f32], dim: usize) -> Result<usize, EvalError> {
    if dim == 0 || !values.len().is_multiple_of(dim) {
        let expected = "a positive divisor of the number of values (rows × dim)";
        return Err(EvalError::OutOfRange { name: "dim", value: dim as f64, expected });
    }
    Ok(values.len() / dim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::test_util::Lcg;

    /// The two 50 × 4 feature sets of the scipy reference (exact in f32: integers / 2^k).
    fn lcg_features(seed: u32, make: fn([f32; 4]) -> [f32; 4]) -> Vec<f32> {
        let mut rng = Lcg(seed);
        (0..50).flat_map(|_| make([(); 4].map(|_| rng.next() as f32))).collect()
    }
    fn set_a(r: [f32; 4]) -> [f32; 4] {
        [r[0], r[0] + r[1], r[2] - r[1], r[3] + 2.0 * r[2]].map(|x| x / 64.0)
    }
    fn set_b(r: [f32; 4]) -> [f32; 4] {
        [r[0] + r[3] + 64.0, r[1] - r[0], 2.0 * r[2] + 32.0, r[3] - r[2] + 2.0 * r[1]]
            .map(|x| x / 32.0)
    }
    /// As `set_b` but with a singular covariance: x3 = x0 + x1 − x2/2 (up to offsets).
    fn set_b_singular(r: [f32; 4]) -> [f32; 4] {
        [r[0] + r[3] + 64.0, r[1] - r[0], 2.0 * r[2] + 32.0, r[3] - r[2] + r[1]].map(|x| x / 32.0)
    }

    #[test]
    fn fid_matches_scipy_reference() {
        let (a, b) = (lcg_features(1, set_a), lcg_features(2, set_b));
        assert_eq!(&a[..4], &[7.75, 10.875, -2.40625, 4.484375]);
        // Computed once with target/peers-venv (numpy 2.4.6, scipy 1.17.1) by pytorch-fid's
        // formula: mu, sigma = X.mean(0), np.cov(X, rowvar=False) on the same f32 features cast
        // to f64; covmean = scipy.linalg.sqrtm(sigma1 @ sigma2).real;
        // d = diff @ diff + tr(sigma1) + tr(sigma2) − 2·tr(covmean).
        // mpmath at 50 digits on the same covariances gives 2757.7303948747986619.
        let scipy = 2757.7303948747985;
        let got = fid(&a, &b, 4).unwrap();
        assert!((got - scipy).abs() < 1e-11 * scipy, "{got} vs scipy {scipy}");
        assert!((fid(&b, &a, 4).unwrap() - scipy).abs() < 1e-11 * scipy, "symmetric");
        // With a singular S_b the same recipe gives 2805.8729718558075 (mpmath:
        // 2805.8729718558076485). √ of an eigenvalue that round-off leaves at ~1e-13 instead of
        // 0 moves any f64 method by ~1e-6 here, so the tolerance is looser.
        let singular = lcg_features(2, set_b_singular);
        let (scipy, got) = (2805.8729718558075, fid(&a, &singular, 4).unwrap());
        assert!((got - scipy).abs() < 1e-8 * scipy, "{got} vs scipy {scipy}");
    }

    #[test]
    fn fid_of_a_set_with_itself_is_zero() {
        let a = lcg_features(5, set_a);
        let fit = fit_gaussian(&a, 4).unwrap();
        let scale: f64 = (0..4).map(|i| fit.cov[i * 5]).sum();
        assert!(frechet_distance(&fit, &fit).unwrap().abs() < 1e-6 * scale);
        // A rank-deficient set (last feature constant, third = first): still ~0, no NaN.
        let flat: Vec<f32> = a.chunks(4).flat_map(|r| [r[0], r[1], r[0], 1.0]).collect();
        assert!(fid(&flat, &flat, 4).unwrap() < 1e-6 * scale);
    }

    #[test]
    fn fid_matches_closed_forms() {
        // 1-D: (m1 − m2)² + (s1 − s2)² for the fitted means and standard deviations.
        let mut rng = Lcg(11);
        let x: Vec<f32> = (0..200).map(|_| rng.uniform() as f32).collect();
        let y: Vec<f32> = (0..150).map(|_| 3.0 * rng.uniform() as f32 + 2.0).collect();
        let (fx, fy) = (fit_gaussian(&x, 1).unwrap(), fit_gaussian(&y, 1).unwrap());
        let want =
            (fx.mean[0] - fy.mean[0]).powi(2) + (fx.cov[0].sqrt() - fy.cov[0].sqrt()).powi(2);
        assert!((fid(&x, &y, 1).unwrap() - want).abs() < 1e-12 * want);
        // Diagonal covariances: Σᵢ (m_aᵢ − m_bᵢ)² + (√va_i − √vb_i)².
        let diag = |v: &[f64]| -> Vec<f64> {
            (0..9).map(|i| if i % 4 == 0 { v[i / 4] } else { 0.0 }).collect()
        };
        let (ma, va, mb, vb) =
            ([1.0, -2.0, 0.5], [4.0, 0.25, 9.0], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0]);
        let a = GaussianFit { dim: 3, n: 10, mean: ma.to_vec(), cov: diag(&va) };
        let b = GaussianFit { dim: 3, n: 10, mean: mb.to_vec(), cov: diag(&vb) };
        let want: f64 =
            (0..3).map(|i| (ma[i] - mb[i]).powi(2) + (va[i].sqrt() - vb[i].sqrt()).powi(2)).sum();
        assert!((frechet_distance(&a, &b).unwrap() - want).abs() < 1e-12 * want);
        assert!((frechet_distance(&b, &a).unwrap() - want).abs() < 1e-12 * want);
    }

    #[test]
    fn fit_and_fid_reject_bad_input() {
        let fit = fit_gaussian(&[1.0, 2.0, 3.0, 5.0], 2).unwrap();
        assert_eq!(
            (fit.n, fit.mean.clone(), fit.cov.clone()),
            (2, vec![2.0, 3.5], vec![2.0, 3.0, 3.0, 4.5])
        );
        // dim not dividing the length, dim 0, a single row.
        for bad in [
            fit_gaussian(&[1.0, 2.0, 3.0], 2),
            fit_gaussian(&[1.0], 0),
            fit_gaussian(&[1.0, 2.0], 2),
        ] {
            assert!(matches!(bad, Err(EvalError::OutOfRange { .. })));
        }
        assert!(matches!(
            fit_gaussian(&[1.0, f32::NAN], 1),
            Err(EvalError::BadValue { index: 1, .. })
        ));
        let mut broken = fit.clone();
        broken.cov[1] = f64::NAN; // a hand-made fit with a NaN is an error, not a distance
        let got = frechet_distance(&fit, &broken);
        assert!(matches!(got, Err(EvalError::BadValue { index: 1, .. })), "{got:?}");
        let other = fit_gaussian(&[1.0, 2.0, 3.0], 1).unwrap();
        assert!(matches!(frechet_distance(&fit, &other), Err(EvalError::LengthMismatch { .. })));
    }

    #[test]
    fn inception_score_matches_numpy_reference() {
        // 23 rows of 3 classes, cut unevenly into 4 splits (5, 6, 6, 6 rows).
        let mut rng = Lcg(9);
        let probs: Vec<f32> = (0..23)
            .flat_map(|_| {
                let r = [(); 3].map(|_| (rng.next() + 1) as f32);
                r.map(|x| x / (r[0] + r[1] + r[2]))
            })
            .collect();
        // Computed once with target/peers-venv (numpy 2.4.6) by openai/improved-gan's
        // inception_score.py loop (parts at i·n//splits, exp(mean KL), np.mean / np.std) on the
        // same f32 probabilities cast to f64, without an epsilon.
        let (want_mean, want_std) = (1.1780588233997091, 0.05235529431300522);
        let (mean, std) = inception_score(&probs, 3, 4).unwrap();
        assert!((mean - want_mean).abs() < 1e-9 && (std - want_std).abs() < 1e-9, "{mean} ± {std}");
    }

    #[test]
    fn inception_score_extremes() {
        let one_hot = |class: usize| (0..5).map(move |c| f32::from(u8::from(c == class)));
        // All the same confident class: p(y|x) = p(y), KL = 0, IS = 1.
        let same: Vec<f32> = (0..30).flat_map(|_| one_hot(2)).collect();
        let (mean, std) = inception_score(&same, 5, 3).unwrap();
        assert!((mean - 1.0).abs() < 1e-12 && std < 1e-12, "{mean} ± {std}");
        // Confident one-hots spread evenly over 5 classes in every split: IS = 5.
        let spread: Vec<f32> = (0..40).flat_map(|i| one_hot(i % 5)).collect();
        let (mean, std) = inception_score(&spread, 5, 8).unwrap();
        assert!((mean - 5.0).abs() < 1e-9 && std < 1e-9, "{mean} ± {std}");
        // Uniform predictions carry no information: IS = 1.
        assert!((inception_score(&[0.25; 16], 4, 2).unwrap().0 - 1.0).abs() < 1e-12);
        assert!(matches!(inception_score(&[2.0, -1.0], 2, 1), Err(EvalError::BadValue { .. })));
        // splits 0 or > n, a row summing to 3 (logits?), classes not dividing the length.
        let bad = [(&spread[..], 5, 0), (&spread, 5, 41), (&[2.0, 1.0], 2, 1), (&[1.0; 3], 2, 1)];
        for (probs, classes, splits) in bad {
            let got = inception_score(probs, classes, splits);
            assert!(matches!(got, Err(EvalError::OutOfRange { .. })), "{got:?}");
        }
    }
}
