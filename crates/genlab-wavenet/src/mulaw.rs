//! mu-law companding (ITU-T G.711's curve with mu = 255): amplitudes in [-1, 1] to 256 classes
//! and back, as `torchaudio.functional.mu_law_encoding` / `mu_law_decoding` compute them.
//! Quiet sounds get fine steps and loud ones coarse steps, which is how 8 bits carry speech.

/// Number of classes (8-bit mu-law).
pub const CLASSES: usize = 256;
const MU: f32 = (CLASSES - 1) as f32;

/// The class of silence (amplitude 0).
pub const SILENCE: u8 = 128;

/// The class of amplitude `x` (clamped to [-1, 1]; NaN is silence).
pub fn encode(x: f32) -> u8 {
    if x.is_nan() {
        return SILENCE;
    }
    let x = x.clamp(-1.0, 1.0);
    let y = x.signum() * (MU * x.abs()).ln_1p() / MU.ln_1p(); // [-1, 1]
    ((y + 1.0) / 2.0 * MU + 0.5).floor() as u8
}

/// The amplitude class `c` stands for.
pub fn decode(c: u8) -> f32 {
    let y = c as f32 / MU * 2.0 - 1.0;
    y.signum() * ((y.abs() * MU.ln_1p()).exp() - 1.0) / MU
}

/// Every sample's class.
pub fn encode_all(samples: &[f32]) -> Vec<u8> {
    samples.iter().map(|&x| encode(x)).collect()
}

/// Every class's amplitude.
pub fn decode_all(classes: &[u8]) -> Vec<f32> {
    classes.iter().map(|&c| decode(c)).collect()
}

/// The amplitudes `[lo, hi)` that [`encode`] maps to class `c`; the outer classes extend to
/// infinity (everything beyond [-1, 1] is clamped into them). Used to turn a continuous
/// predictive distribution into class probabilities.
pub fn bin_edges(c: u8) -> (f64, f64) {
    let mu = MU as f64;
    // encode(x) = floor((y + 1) / 2 * mu + 0.5), so class c holds y in [(c - 0.5), (c + 0.5)) * 2 / mu - 1.
    let inverse = |y: f64| y.signum() * ((y.abs() * mu.ln_1p()).exp() - 1.0) / mu;
    let lo = if c == 0 { f64::NEG_INFINITY } else { inverse((c as f64 - 0.5) * 2.0 / mu - 1.0) };
    let hi = if c as usize == CLASSES - 1 {
        f64::INFINITY
    } else {
        inverse((c as f64 + 0.5) * 2.0 / mu - 1.0)
    };
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_torchaudio_on_known_values() {
        // torchaudio's formula, sign(x) ln(1 + mu|x|) / ln(1 + mu) scaled to [0, 255] and
        // rounded half up, worked by hand for these amplitudes.
        let got: Vec<u8> = [-1.0, -0.5, 0.0, 0.01, 0.5, 1.0].iter().map(|&x| encode(x)).collect();
        assert_eq!(got, [0, 16, 128, 157, 239, 255]);
        assert!(decode(SILENCE).abs() < 1e-2);
        assert!((decode(255) - 1.0).abs() < 1e-6 && (decode(0) + 1.0).abs() < 1e-6);
    }

    #[test]
    fn every_class_decodes_to_an_amplitude_that_encodes_back_to_it() {
        for c in 0..=255u8 {
            assert_eq!(encode(decode(c)), c, "class {c}");
            let (lo, hi) = bin_edges(c);
            assert!(lo < decode(c) as f64 && (decode(c) as f64) < hi, "class {c} edges");
        }
    }

    proptest! {
        /// The round trip lands in the same quantisation bin: the error is at most the width
        /// of the bin the sample fell in.
        #[test]
        fn round_trip_error_is_within_the_bin(x in -1.0f32..=1.0) {
            let c = encode(x);
            let (lo, hi) = bin_edges(c);
            prop_assert!(lo <= x as f64 + 1e-6 && (x as f64) < hi + 1e-6, "{x} not in bin {c}");
            let width = (hi.min(1.0) - lo.max(-1.0)) as f32;
            prop_assert!((decode(c) - x).abs() <= width + 1e-6);
        }
    }
}
