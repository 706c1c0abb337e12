//! Dense symmetric linear algebra in f64 on row-major `n × n` buffers, as much as the Fréchet
//! distance needs: a symmetric eigendecomposition (cyclic Jacobi), the PSD matrix square root,
//! a product and a symmetrisation.

/// Eigen-decomposition of the symmetric `n × n` row-major matrix `a` by cyclic Jacobi
/// rotations in f64: returns the eigenvalues in ascending order and the orthonormal
/// eigenvectors as the columns of an `n × n` row-major matrix `V`, so `A ≈ V·diag(λ)·Vᵀ`.
/// Each sweep rotates away every off-diagonal pair once, `O(n³)` work (about `6n³` flops);
/// convergence is quadratic, typically 6–10 sweeps. Measured (release, one core): a whole
/// [`crate::frechet_distance`] (two decompositions) takes ~8 ms at dim 64, ~0.5 s at 256, ~6.5 s at
/// 512; at 2048 (Inception's pool features) expect many minutes. Stops when the off-diagonal
/// norm is below `1e-2·ε·‖A‖_F`. The input is assumed symmetric (not checked).
///
/// # Panics
/// If `a.len() != n * n`.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n, "symmetric_eigen: {} values for a {n} × {n} matrix", a.len());
    let mut a = a.to_vec();
    let mut w = vec![0.0f64; n * n]; // Vᵀ: row k is eigenvector k
    (0..n).for_each(|i| w[i * n + i] = 1.0);
    let frobenius2: f64 = a.iter().map(|x| x * x).sum();
    for sweep in 0..100 {
        let off2: f64 =
            a.iter().enumerate().filter(|(i, _)| i / n != i % n).map(|(_, x)| x * x).sum();
        if off2 <= f64::EPSILON * f64::EPSILON * frobenius2 * 1e-4 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                // Numerical Recipes: after a few sweeps, an element too small to change either
                // diagonal entry is set to zero instead of rotated.
                let g = 100.0 * apq.abs();
                if sweep > 3 && app.abs() + g == app.abs() && aqq.abs() + g == aqq.abs() {
                    a[p * n + q] = 0.0;
                    a[q * n + p] = 0.0;
                    continue;
                }
                if apq == 0.0 {
                    continue;
                }
                // Rotation J (J_pp = J_qq = c, J_pq = s, J_qp = −s) with (JᵀAJ)_pq = 0, taking
                // the smaller root t = tan θ for stability.
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + theta.hypot(1.0));
                let c = 1.0 / t.hypot(1.0);
                let s = t * c;
                // Only rows and columns p, q change. Rows p, q of JᵀA are contiguous; the
                // columns follow by symmetry; the 2 × 2 block gets NR's exact forms.
                for k in (0..n).filter(|&k| k != p && k != q) {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    let (new_p, new_q) = (c * apk - s * aqk, s * apk + c * aqk);
                    (a[p * n + k], a[q * n + k]) = (new_p, new_q);
                    (a[k * n + p], a[k * n + q]) = (new_p, new_q);
                }
                a[p * n + p] = app - t * apq;
                a[q * n + q] = aqq + t * apq;
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                // V ← V·J, kept transposed (w = Vᵀ) so that this too touches two rows.
                for k in 0..n {
                    let (wpk, wqk) = (w[p * n + k], w[q * n + k]);
                    w[p * n + k] = c * wpk - s * wqk;
                    w[q * n + k] = s * wpk + c * wqk;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[i * n + i].total_cmp(&a[j * n + j]));
    let eigenvalues = order.iter().map(|&i| a[i * n + i]).collect();
    let vectors = (0..n * n).map(|idx| w[order[idx % n] * n + idx / n]).collect();
    (eigenvalues, vectors)
}

/// The symmetric positive semi-definite square root of the symmetric `n × n` matrix `a`:
/// `V·diag(√max(λ, 0))·Vᵀ` from [`symmetric_eigen`]. Negative eigenvalues (round-off on a PSD
/// matrix such as a rank-deficient covariance) are clamped to 0.
///
/// # Panics
/// If `a.len() != n * n`.
pub fn sqrtm_psd(a: &[f64], n: usize) -> Vec<f64> {
    let (eigenvalues, v) = symmetric_eigen(a, n);
    let roots: Vec<f64> = eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).collect();
    let mut out = vec![0.0f64; n * n];
    for i in 0..n {
        for j in i..n {
            let x: f64 = (0..n).map(|k| v[i * n + k] * roots[k] * v[j * n + k]).sum();
            out[i * n + j] = x;
            out[j * n + i] = x;
        }
    }
    out
}

/// `a·b` for square `n × n` row-major matrices.
pub(crate) fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0f64; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            let (row, b_row) = (&mut out[i * n..(i + 1) * n], &b[k * n..(k + 1) * n]);
            row.iter_mut().zip(b_row).for_each(|(o, &bkj)| *o += aik * bkj);
        }
    }
    out
}

/// Replaces `m` with `(m + mᵀ)/2`, removing round-off asymmetry.
pub(crate) fn symmetrize(m: &mut [f64], n: usize) {
    for i in 0..n {
        for j in i + 1..n {
            let x = 0.5 * (m[i * n + j] + m[j * n + i]);
            m[i * n + j] = x;
            m[j * n + i] = x;
        }
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    /// Numerical Recipes' LCG; `(state >> 16) % 1000`, the same draws as the scipy script.
    pub struct Lcg(pub u32);
    impl Lcg {
        pub fn next(&mut self) -> u32 {
            self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (self.0 >> 16) % 1000
        }
        pub fn uniform(&mut self) -> f64 {
            self.next() as f64 / 1000.0 - 0.5
        }
    }

    pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
    }

    pub fn transpose(m: &[f64], n: usize) -> Vec<f64> {
        (0..n * n).map(|idx| m[idx % n * n + idx / n]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::{Lcg, max_abs_diff, transpose};
    use super::*;

    #[test]
    fn jacobi_reconstructs_random_symmetric_matrices() {
        let mut rng = Lcg(7);
        for n in [1, 2, 3, 5, 17, 40] {
            let mut a: Vec<f64> = (0..n * n).map(|_| rng.uniform()).collect();
            symmetrize(&mut a, n);
            // Also a rank-deficient PSD matrix with a repeated (zero) eigenvalue.
            let b: Vec<f64> =
                (0..n * n).map(|i| if i % n < n / 2 { rng.uniform() } else { 0.0 }).collect();
            let low_rank = matmul(&b, &transpose(&b, n), n);
            for m in [a, low_rank, vec![0.0; n * n]] {
                let (w, v) = symmetric_eigen(&m, n);
                assert!(w.windows(2).all(|p| p[0] <= p[1]), "ascending");
                let scaled: Vec<f64> = (0..n * n).map(|idx| v[idx] * w[idx % n]).collect();
                let rebuilt = matmul(&scaled, &transpose(&v, n), n);
                assert!(max_abs_diff(&rebuilt, &m) < 1e-12 * n as f64, "n = {n}: V·Λ·Vᵀ ≠ A");
                let vtv = matmul(&transpose(&v, n), &v, n);
                let eye: Vec<f64> = (0..n * n).map(|i| f64::from(i % (n + 1) == 0)).collect();
                assert!(max_abs_diff(&vtv, &eye) < 1e-12 * n as f64, "n = {n}: VᵀV ≠ I");
            }
        }
        let (w, _) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!(max_abs_diff(&w, &[1.0, 3.0]) < 1e-15);
    }

    #[test]
    fn sqrtm_of_spd_matrix_squares_back() {
        // [[5, 4], [4, 5]] = [[2, 1], [1, 2]]².
        assert!(max_abs_diff(&sqrtm_psd(&[5.0, 4.0, 4.0, 5.0], 2), &[2.0, 1.0, 1.0, 2.0]) < 1e-14);
        let n = 12;
        let mut rng = Lcg(3);
        let b: Vec<f64> = (0..n * n).map(|_| rng.uniform()).collect();
        let mut spd = matmul(&b, &transpose(&b, n), n);
        (0..n).for_each(|i| spd[i * n + i] += 0.1);
        let root = sqrtm_psd(&spd, n);
        assert_eq!(root, transpose(&root, n));
        assert!(max_abs_diff(&matmul(&root, &root, n), &spd) < 1e-12);
    }
}
