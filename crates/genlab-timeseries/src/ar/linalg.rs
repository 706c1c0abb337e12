//! The little dense linear algebra AR fitting needs: a Cholesky factorisation of a symmetric
//! positive-definite matrix (row-major, `k x k`), with solves and the inverse.
//!
//! Written here rather than pulling in a linear-algebra crate: the matrices are at most
//! about 45 x 45 and these forty lines are the whole need.

/// The Cholesky factor of `D^-1 A D^-1` with `D = sqrt(diag(A))`: scaling the regressors to
/// unit length first keeps the factorisation accurate when columns differ in size by orders
/// of magnitude (a constant beside a time trend beside values in the thousands).
#[derive(Debug, Clone)]
pub(crate) struct Cholesky {
    k: usize,
    /// Lower triangle, row-major.
    l: Vec<f64>,
    /// sqrt of A's diagonal.
    scale: Vec<f64>,
}

impl Cholesky {
    /// Factorises `a` (`k x k`, symmetric); `None` when it is not positive definite to
    /// working precision (linearly dependent regressors).
    pub(crate) fn new(a: &[f64], k: usize) -> Option<Self> {
        debug_assert_eq!(a.len(), k * k);
        let scale: Vec<f64> = (0..k).map(|i| a[i * k + i].sqrt()).collect();
        if scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return None;
        }
        let mut l = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let mut sum = a[i * k + j] / (scale[i] * scale[j]);
                for m in 0..j {
                    sum -= l[i * k + m] * l[j * k + m];
                }
                if i == j {
                    // Relative to the unit diagonal: a pivot this small means the column is
                    // (numerically) a combination of the others.
                    if sum.is_nan() || sum <= 1e-13 {
                        return None;
                    }
                    l[i * k + i] = sum.sqrt();
                } else {
                    l[i * k + j] = sum / l[j * k + j];
                }
            }
        }
        Some(Self { k, l, scale })
    }

    /// Solves `A x = b`.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let k = self.k;
        // Forward: L z = D^-1 b.
        let mut z: Vec<f64> = b.iter().zip(&self.scale).map(|(b, s)| b / s).collect();
        for i in 0..k {
            let sum: f64 = (0..i).map(|m| self.l[i * k + m] * z[m]).sum();
            z[i] = (z[i] - sum) / self.l[i * k + i];
        }
        // Back: L^T w = z, then x = D^-1 w.
        for i in (0..k).rev() {
            let sum: f64 = (i + 1..k).map(|m| self.l[m * k + i] * z[m]).sum();
            z[i] = (z[i] - sum) / self.l[i * k + i];
        }
        z.iter().zip(&self.scale).map(|(w, s)| w / s).collect()
    }

    /// The diagonal of `A^-1` (what standard errors need).
    pub(crate) fn inverse_diagonal(&self) -> Vec<f64> {
        let k = self.k;
        (0..k)
            .map(|j| {
                let mut e = vec![0.0; k];
                e[j] = 1.0;
                self.solve(&e)[j]
            })
            .collect()
    }
}

/// Solves the square system `a x = b` (`k x k`, row-major) by Gaussian elimination with
/// partial pivoting, as `numpy.linalg.solve` does; `None` when `a` is singular.
pub(crate) fn lu_solve(a: &[f64], b: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    for col in 0..k {
        let pivot =
            (col..k).max_by(|&i, &j| m[i * k + col].abs().total_cmp(&m[j * k + col].abs()))?;
        if m[pivot * k + col] == 0.0 {
            return None;
        }
        if pivot != col {
            for j in 0..k {
                m.swap(col * k + j, pivot * k + j);
            }
            x.swap(col, pivot);
        }
        for row in col + 1..k {
            let f = m[row * k + col] / m[col * k + col];
            for j in col..k {
                m[row * k + j] -= f * m[col * k + j];
            }
            x[row] -= f * x[col];
        }
    }
    for row in (0..k).rev() {
        let sum: f64 = (row + 1..k).map(|j| m[row * k + j] * x[j]).sum();
        x[row] = (x[row] - sum) / m[row * k + row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_a_badly_scaled_system() {
        // A = X^T X for columns of very different size.
        let x = [[1.0, 1.0, 1e3], [1.0, 2.0, 3e3], [1.0, 3.0, 2e3], [1.0, 4.0, 7e3]];
        let mut a = [0.0; 9];
        for row in &x {
            for i in 0..3 {
                for j in 0..3 {
                    a[i * 3 + j] += row[i] * row[j];
                }
            }
        }
        let c = Cholesky::new(&a, 3).unwrap();
        let truth = [0.5, -2.0, 1e-3];
        let b: Vec<f64> = (0..3).map(|i| (0..3).map(|j| a[i * 3 + j] * truth[j]).sum()).collect();
        for (x, t) in c.solve(&b).iter().zip(truth) {
            assert!((x - t).abs() <= 1e-10 * t.abs(), "{x} vs {t}");
        }
        // diag(A^-1) against A A^-1 = I column by column.
        let diag = c.inverse_diagonal();
        for j in 0..3 {
            let mut e = [0.0; 3];
            e[j] = 1.0;
            let col = c.solve(&e);
            assert!((col[j] - diag[j]).abs() <= 1e-12 * diag[j].abs());
        }
        // A rank-deficient matrix is refused.
        assert!(Cholesky::new(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }
}
