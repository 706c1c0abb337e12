//! Small numeric helpers: a vectorisable `exp` for the emission rows, and the draws sampling
//! and random starts need.

use rand::Rng;

/// Draws an index from the distribution `p` (hmmlearn's `(cumsum(p) > u).argmax()`).
pub(crate) fn draw<R: Rng>(p: &[f64], rng: &mut R) -> usize {
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    for (k, &pk) in p.iter().enumerate() {
        cumulative += pk;
        if cumulative > u {
            return k;
        }
    }
    // Rounding left the total a hair below u: the last symbol with any mass.
    p.iter().rposition(|&pk| pk > 0.0).unwrap_or(0)
}

/// `e^x` for `x <= 0` (what the shifted emission rows need), within a few ulp of `f64::exp`
/// and written so the compiler can vectorise it: `x = k ln 2 + r` with `|r| <= ln 2 / 2`,
/// `e^r` by its Taylor series to `r^13 / 13!` (the next term is below 1e-17), and `2^k` put
/// straight into the exponent bits. Below -708 (where `e^x` leaves the normal range) it returns
/// `e^-708`, about 3e-308, which is zero next to the row's largest entry of 1.
#[inline(always)]
pub(crate) fn exp_non_positive(x: f64) -> f64 {
    // ln 2 = LN2_HI + LN2_LO (fdlibm's split: LN2_HI has its low bits zero, so k * LN2_HI is exact).
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    let x = x.clamp(-708.0, 0.0);
    let y = x * std::f64::consts::LOG2_E + ROUND;
    let k = y - ROUND; // round(x / ln 2), as a float
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Σ_{n ≤ 13} r^n / n!, in Estrin's order (pairs, then pairs of pairs) so that the
    // multiplications do not wait on one another as they would in Horner's.
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let (r2, pair) = (r * r, |k: usize| C[k] + C[k + 1] * r);
    let r4 = r2 * r2;
    let low = (pair(0) + r2 * pair(2)) + r4 * (pair(4) + r2 * pair(6));
    let high = (pair(8) + r2 * pair(10)) + r4 * pair(12);
    let p = low + (r4 * r4) * high;
    // y's low mantissa bits hold 2^51 + k, so this is k as an integer.
    let k_int = y.to_bits() as i64 - ROUND.to_bits() as i64;
    p * f64::from_bits(((k_int + 1023) as u64) << 52)
}

/// A standard normal draw (Box-Muller; rand 0.9 has no normal distribution without
/// rand_distr).
pub(crate) fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1], so the log is finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_non_positive_matches_std_exp_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        for k in 0..200_000 {
            let x = -(k as f64) * 0.003_5 - (k % 7) as f64 * 1e-4;
            let want = x.exp();
            if want > 1e-300 {
                worst = worst.max((exp_non_positive(x) - want).abs() / want);
            }
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
        assert_eq!(exp_non_positive(0.0), 1.0);
        assert!(exp_non_positive(-1e6) < 1e-307);
    }
}
