//! Roots of the AR polynomial `1 - phi_1 z - ... - phi_p z^p`, and stationarity.
//!
//! The roots are found with the Aberth-Ehrlich iteration (simultaneous Newton steps, each
//! root pushed away from the others), then polished by Newton on the original polynomial.
//! Written here because it is twenty lines and the polynomials have degree ~40 at most.

use num_complex::Complex64;

use super::ArModel;

impl ArModel {
    /// The roots of `1 - phi_1 z - ... - phi_p z^p` (as statsmodels' `AutoRegResults.roots`),
    /// sorted by real then imaginary part. A root at infinity (phi_p = 0) is left out, as
    /// `numpy.roots` leaves it out.
    pub fn roots(&self) -> Vec<Complex64> {
        // Inverse roots solve z^p - phi_1 z^(p-1) - ... - phi_p = 0.
        let mut coeffs = vec![1.0];
        coeffs.extend(self.phi.iter().map(|f| -f));
        while coeffs.len() > 1 && coeffs[coeffs.len() - 1] == 0.0 {
            coeffs.pop();
        }
        let mut roots: Vec<Complex64> = poly_roots(&coeffs).into_iter().map(|z| z.inv()).collect();
        roots.sort_by(|a, b| {
            round9(a.re).total_cmp(&round9(b.re)).then(round9(a.im).total_cmp(&round9(b.im)))
        });
        roots
    }

    /// Whether the AR part is stationary: every root outside the unit circle.
    pub fn is_stationary(&self) -> bool {
        self.roots().iter().all(|z| z.norm() > 1.0)
    }
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The complex roots of `c[0] x^m + c[1] x^(m-1) + ... + c[m]` (`c[0] != 0`, leading
/// coefficient first, as `numpy.roots`).
pub fn poly_roots(c: &[f64]) -> Vec<Complex64> {
    let m = c.len().saturating_sub(1);
    if m == 0 || c[0] == 0.0 {
        return Vec::new();
    }
    let a: Vec<f64> = c.iter().map(|v| v / c[0]).collect();
    // Start on a circle of the Cauchy bound's radius, off the real axis to break symmetry.
    let radius = 1.0 + a[1..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut z: Vec<Complex64> = (0..m)
        .map(|i| {
            Complex64::from_polar(
                radius,
                2.0 * std::f64::consts::PI * (i as f64 + 0.25) / m as f64 + 0.4,
            )
        })
        .collect();
    for _ in 0..500 {
        let mut moved = 0.0f64;
        for i in 0..m {
            let (p, dp) = eval(&a, z[i]);
            if p == Complex64::new(0.0, 0.0) {
                continue;
            }
            let newton = p / dp;
            let repel: Complex64 = (0..m).filter(|&j| j != i).map(|j| (z[i] - z[j]).inv()).sum();
            let step = newton / (Complex64::new(1.0, 0.0) - newton * repel);
            if step.is_finite() {
                z[i] -= step;
                moved = moved.max(step.norm() / z[i].norm().max(1e-300));
            }
        }
        if moved < 1e-15 {
            break;
        }
    }
    for root in &mut z {
        for _ in 0..2 {
            let (p, dp) = eval(&a, *root);
            let step = p / dp;
            if step.is_finite() {
                *root -= step;
            }
        }
    }
    z
}

/// The polynomial and its derivative at `x` (Horner).
fn eval(a: &[f64], x: Complex64) -> (Complex64, Complex64) {
    let mut p = Complex64::new(a[0], 0.0);
    let mut dp = Complex64::new(0.0, 0.0);
    for &coef in &a[1..] {
        dp = dp * x + p;
        p = p * x + coef;
    }
    (p, dp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_real_and_complex_roots() {
        // (x - 2)(x + 0.5)(x^2 + 1) = x^4 - 1.5x^3 + 0x^2 - 1.5x - 1
        let mut r = poly_roots(&[1.0, -1.5, 0.0, -1.5, -1.0]);
        r.sort_by(|a, b| a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im)));
        let want = [(-0.5, 0.0), (0.0, -1.0), (0.0, 1.0), (2.0, 0.0)];
        for (z, (re, im)) in r.iter().zip(want) {
            assert!((z.re - re).abs() < 1e-12 && (z.im - im).abs() < 1e-12, "{z}");
        }
    }

    #[test]
    fn stationarity_follows_the_roots() {
        let m = |phi: Vec<f64>| ArModel::new(super::super::Trend::None, vec![], phi, 1.0).unwrap();
        assert!(m(vec![0.5]).is_stationary());
        assert!(!m(vec![1.0]).is_stationary()); // a random walk: root on the circle
        assert!(!m(vec![0.5, 0.6]).is_stationary());
        assert!(m(vec![1.2, -0.5]).is_stationary());
        let r = m(vec![0.5]).roots();
        assert_eq!(r.len(), 1);
        assert!((r[0].re - 2.0).abs() < 1e-14 && r[0].im == 0.0);
    }
}
