//! The normal equations of the AR regression without building the regressor matrix.
//!
//! The regression of `y[t]` on `[trend(t), y[t-1], ..., y[t-p]]` over rows
//! `t = hold_back..n` needs the cross-products of its columns. Writing lag 0 for `y` itself,
//! the lag-by-lag cross-products are shifted sums of the series,
//!
//! ```text
//! S(a, b) = sum_{t=h}^{n-1} y[t-a] y[t-b]
//!         = S(a-1, b-1) + y[h-a] y[h-b] - y[n-a] y[n-b]      (one row earlier, one fewer at the end)
//! ```
//!
//! so only the first row `S(0, b)` takes a pass over the data and every other entry is two
//! products away from its upper-left neighbour. The deterministic columns take one more
//! pass per lag. A million points and 40 lags cost ~100 million multiply-adds instead of the
//! ~900 million of forming `X^T X` row by row (and no 300 MB lag matrix).

use super::Trend;

/// The cross-products of `[deterministic..., lag 1..=p, y]` over the rows the fit uses.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    trend: Trend,
    p: usize,
    nobs: usize,
    /// Columns: `trend.columns()` deterministic, `p` lags, then `y`.
    dim: usize,
    /// `dim x dim`, row-major, symmetric.
    gram: Vec<f64>,
}

impl Design {
    /// Cross-products for lags up to `p` over rows `hold_back..y.len()`. Callers ensure
    /// `p <= hold_back < y.len()`.
    pub(crate) fn new(y: &[f64], trend: Trend, p: usize, hold_back: usize) -> Self {
        let (n, h) = (y.len(), hold_back);
        debug_assert!(p <= h && h < n);
        let d = trend.columns();
        let dim = d + p + 1;
        let mut gram = vec![0.0; dim * dim];
        // Column index of lag a (lag 0 is y, the last column).
        let lag_col = |a: usize| if a == 0 { d + p } else { d + a - 1 };
        let mut s = vec![0.0; (p + 1) * (p + 1)];
        for b in 0..=p {
            s[b] = dot(&y[h..n], &y[h - b..n - b]);
        }
        for a in 1..=p {
            for b in a..=p {
                s[a * (p + 1) + b] =
                    s[(a - 1) * (p + 1) + b - 1] + y[h - a] * y[h - b] - y[n - a] * y[n - b];
            }
        }
        for a in 0..=p {
            for b in a..=p {
                let (i, j) = (lag_col(a), lag_col(b));
                gram[i * dim + j] = s[a * (p + 1) + b];
                gram[j * dim + i] = s[a * (p + 1) + b];
            }
        }
        // Deterministic columns: against each other and against every lag.
        let times: Vec<f64> = (h..n).map(|t| (t + 1) as f64).collect();
        let ones = vec![1.0; n - h];
        let columns: Vec<&[f64]> = match trend {
            Trend::None => vec![],
            Trend::Constant => vec![&ones],
            Trend::Time => vec![&times],
            Trend::ConstantTime => vec![&ones, &times],
        };
        for (i, ci) in columns.iter().enumerate() {
            for (j, cj) in columns.iter().enumerate() {
                gram[i * dim + j] = dot(ci, cj);
            }
            for a in 0..=p {
                let v = dot(ci, &y[h - a..n - a]);
                gram[i * dim + lag_col(a)] = v;
                gram[lag_col(a) * dim + i] = v;
            }
        }
        Self { trend, p, nobs: n - h, dim, gram }
    }

    /// Rows in the regression.
    pub(crate) fn nobs(&self) -> usize {
        self.nobs
    }

    /// `(X^T X, X^T y, y^T y)` for the model with lags `1..=q` (`q <= p`): the columns are
    /// the deterministic ones followed by the first `q` lags.
    pub(crate) fn system(&self, q: usize) -> (Vec<f64>, Vec<f64>, f64) {
        assert!(q <= self.p, "order {q} above the design's {}", self.p);
        let k = self.trend.columns() + q;
        let y_col = self.dim - 1;
        let mut xtx = Vec::with_capacity(k * k);
        for i in 0..k {
            xtx.extend_from_slice(&self.gram[i * self.dim..i * self.dim + k]);
        }
        let xty = (0..k).map(|i| self.gram[i * self.dim + y_col]).collect();
        (xtx, xty, self.gram[y_col * self.dim + y_col])
    }
}

/// A dot product with four running sums, so the compiler can keep them in vector registers.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f64; 4];
    let (ac, bc) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ac.remainder().iter().zip(bc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ac.zip(bc) {
        for m in 0..4 {
            acc[m] += x[m] * y[m];
        }
    }
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recursion gives what forming the regressor matrix row by row gives.
    #[test]
    fn shifted_sums_equal_the_explicit_cross_products() {
        let y: Vec<f64> = (0..50).map(|t| ((t * 37 % 11) as f64).sin() * 10.0 + t as f64).collect();
        let (p, h) = (4, 6);
        for trend in [Trend::None, Trend::Constant, Trend::Time, Trend::ConstantTime] {
            let design = Design::new(&y, trend, p, h);
            let rows: Vec<Vec<f64>> = (h..y.len())
                .map(|t| {
                    let mut row: Vec<f64> = trend.regressors(t).collect();
                    row.extend((1..=p).map(|a| y[t - a]));
                    row.push(y[t]);
                    row
                })
                .collect();
            let dim = trend.columns() + p + 1;
            for i in 0..dim {
                for j in 0..dim {
                    let want: f64 = rows.iter().map(|r| r[i] * r[j]).sum();
                    let got = design.gram[i * dim + j];
                    assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{i},{j}");
                }
            }
        }
    }
}
