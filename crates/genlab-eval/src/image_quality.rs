//! Pixel-wise reconstruction quality: mean squared error and PSNR.

use crate::EvalError;

/// Mean squared error between two images (or any two equally long signals), accumulated in
/// f64.
///
/// # Errors
/// Lengths differ, or the inputs are empty.
pub fn mse(a: &[f32], b: &[f32]) -> Result<f64, EvalError> {
    if a.len() != b.len() {
        return Err(EvalError::LengthMismatch { what: "mse", left: a.len(), right: b.len() });
    }
    if a.is_empty() {
        return Err(EvalError::Empty { what: "mse" });
    }
    let sum: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = x as f64 - y as f64;
            d * d
        })
        .sum();
    Ok(sum / a.len() as f64)
}

/// Peak signal-to-noise ratio in decibels, `10·log10(peak² / mse)`; `peak` is the largest
/// possible pixel value (1.0 for images in [0, 1], 255.0 for bytes). Identical inputs give
/// `+∞`.
///
/// ```
/// # use genlab_eval::psnr;
/// // An error of 0.1 on every pixel: mse = 0.01, PSNR = 20 dB.
/// let db = psnr(&[0.5, 0.5], &[0.6, 0.4], 1.0).unwrap();
/// assert!((db - 20.0).abs() < 1e-5);
/// ```
///
/// # Errors
/// As [`mse`], or `peak` not a positive finite number.
pub fn psnr(a: &[f32], b: &[f32], peak: f32) -> Result<f64, EvalError> {
    if !(peak > 0.0 && peak.is_finite()) {
        return Err(EvalError::OutOfRange {
            name: "peak",
            value: peak as f64,
            expected: "a positive finite number",
        });
    }
    let mse = mse(a, b)?;
    let peak = peak as f64;
    Ok(10.0 * (peak * peak / mse).log10())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mse_of_known_differences() {
        assert_eq!(mse(&[0.0, 1.0, 2.0, 3.0], &[1.0, 1.0, 0.0, 3.0]).unwrap(), 1.25);
        assert!(matches!(mse(&[1.0], &[1.0, 2.0]), Err(EvalError::LengthMismatch { .. })));
        assert!(matches!(mse(&[], &[]), Err(EvalError::Empty { .. })));
    }

    #[test]
    fn psnr_of_known_mse() {
        // Every pixel off by 16 on a 0..255 scale: mse = 256, PSNR = 10·log10(255²/256).
        let a = vec![100.0f32; 64];
        let b = vec![116.0f32; 64];
        let want = 10.0 * (255.0f64 * 255.0 / 256.0).log10(); // 24.0580...
        assert!((psnr(&a, &b, 255.0).unwrap() - want).abs() < 1e-9);
        // Halving the error adds 20·log10(2) ≈ 6.02 dB.
        let c = vec![108.0f32; 64];
        let gain = psnr(&a, &c, 255.0).unwrap() - psnr(&a, &b, 255.0).unwrap();
        assert!((gain - 20.0 * 2f64.log10()).abs() < 1e-9);
        assert_eq!(psnr(&a, &a, 255.0).unwrap(), f64::INFINITY);
        assert!(matches!(psnr(&a, &b[..3], 1.0), Err(EvalError::LengthMismatch { .. })));
        assert!(matches!(psnr(&a, &b, 0.0), Err(EvalError::OutOfRange { .. })));
    }
}
