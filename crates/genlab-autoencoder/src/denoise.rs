//! Cleaning whole photos with a trained denoiser, and the baselines it must beat: seeded
//! Gaussian noise, Gaussian blur (with the best sigma found against the clean image), PSNR.

use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::Photo;
use crate::model::AeModel;

impl Photo {
    /// Planar `[c, h, w]` values.
    pub fn new(channels: usize, height: usize, width: usize, values: Vec<f32>) -> Self {
        assert_eq!(values.len(), channels * height * width, "values do not fill the photo");
        Self { channels, height, width, values }
    }

    /// As a `[1, c, h, w]` tensor.
    pub fn to_tensor(&self, device: &Device) -> Tensor<4> {
        let shape = [1, self.channels, self.height, self.width];
        Tensor::from_data(TensorData::new(self.values.clone(), shape), device)
    }

    /// Interleaved `h × w × c` values (numpy's layout), e.g. for `.npy` files.
    pub fn to_hwc(&self) -> Vec<f32> {
        let (c, hw) = (self.channels, self.height * self.width);
        (0..hw)
            .flat_map(|i| (0..c).map(move |k| (k, i)))
            .map(|(k, i)| self.values[k * hw + i])
            .collect()
    }
}

/// `photo + N(0, sigma²)` per value from a ChaCha8 stream seeded by `seed` (Box-Muller), not
/// clipped: the same seed gives the same noise on every backend.
pub fn add_gaussian_noise(photo: &Photo, sigma: f32, seed: u64) -> Photo {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values = photo
        .values
        .iter()
        .map(|&v| {
            let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
            let u2: f64 = rng.random();
            let n = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            v + sigma * n as f32
        })
        .collect();
    Photo { values, ..photo.clone() }
}

/// Cleans a whole photo with the denoiser (any size: odd sides are padded by reflection and
/// cropped back). Values of the result are clipped to [0, 1].
pub fn denoise_photo(model: &AeModel, photo: &Photo, device: &Device) -> Photo {
    let (h2, w2) = (photo.height.next_multiple_of(2), photo.width.next_multiple_of(2));
    let padded = pad_reflect(photo, h2, w2);
    let out = model.reconstruct(padded.to_tensor(device)).clamp(0.0, 1.0);
    let values = out.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
    let full = Photo::new(photo.channels, h2, w2, values);
    crop(&full, photo.height, photo.width)
}

fn pad_reflect(p: &Photo, h: usize, w: usize) -> Photo {
    let mut values = Vec::with_capacity(p.channels * h * w);
    for c in 0..p.channels {
        for y in 0..h {
            let sy = reflect(y as isize, p.height);
            for x in 0..w {
                values.push(p.values[(c * p.height + sy) * p.width + reflect(x as isize, p.width)]);
            }
        }
    }
    Photo::new(p.channels, h, w, values)
}

fn crop(p: &Photo, h: usize, w: usize) -> Photo {
    let mut values = Vec::with_capacity(p.channels * h * w);
    for c in 0..p.channels {
        for y in 0..h {
            let row = (c * p.height + y) * p.width;
            values.extend_from_slice(&p.values[row..row + w]);
        }
    }
    Photo::new(p.channels, h, w, values)
}

/// scipy's `reflect` boundary: `d c b a | a b c d | d c b a`.
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let period = 2 * n;
    let m = i.rem_euclid(period);
    (if m < n { m } else { period - 1 - m }) as usize
}

/// Gaussian blur of every channel (separable, kernel truncated at 4 sigma, reflect boundary:
/// what `scipy.ndimage.gaussian_filter` does by default).
pub fn gaussian_blur(photo: &Photo, sigma: f32) -> Photo {
    let radius = (4.0 * sigma + 0.5) as isize;
    let mut kernel: Vec<f32> =
        (-radius..=radius).map(|i| (-0.5 * (i as f32 / sigma).powi(2)).exp()).collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= total);
    let (h, w) = (photo.height, photo.width);
    let mut tmp = vec![0.0f32; photo.values.len()];
    let mut out = vec![0.0f32; photo.values.len()];
    for c in 0..photo.channels {
        let plane = c * h * w..(c + 1) * h * w;
        blur_pass(&photo.values[plane.clone()], &mut tmp[plane.clone()], h, w, &kernel, false);
        blur_pass(&tmp[plane.clone()], &mut out[plane], h, w, &kernel, true);
    }
    Photo { values: out, ..photo.clone() }
}

/// One pass of the odd-length `kernel` over an `h × w` plane, along rows (`vertical` false)
/// or columns, with scipy's reflect boundary.
fn blur_pass(src: &[f32], dst: &mut [f32], h: usize, w: usize, kernel: &[f32], vertical: bool) {
    let radius = (kernel.len() / 2) as isize;
    for y in 0..h {
        for x in 0..w {
            dst[y * w + x] = kernel
                .iter()
                .enumerate()
                .map(|(k, kv)| {
                    let d = k as isize - radius;
                    let at = if vertical {
                        reflect(y as isize + d, h) * w + x
                    } else {
                        y * w + reflect(x as isize + d, w)
                    };
                    kv * src[at]
                })
                .sum();
        }
    }
}

/// PSNR in dB of `a` against `b` with peak 1.0.
pub fn psnr(a: &Photo, b: &Photo) -> f64 {
    genlab_eval::psnr(&a.values, &b.values, 1.0).expect("photos of the same size")
}

/// The Gaussian blur of `noisy` with the highest PSNR against `clean`, over sigma = 0.3, 0.4,
/// ..., 3.0 (an oracle: no real denoiser knows the clean image). Returns (sigma, PSNR).
pub fn best_blur(noisy: &Photo, clean: &Photo) -> (f32, f64) {
    (3..=30)
        .map(|i| {
            let sigma = i as f32 / 10.0;
            (sigma, psnr(&gaussian_blur(noisy, sigma), clean))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a non-empty grid")
}

/// A float32 array as a `.npy` file (version 1.0, little-endian, C order).
pub fn npy_bytes(values: &[f32], shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let tuple =
        if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Photo {
        Photo::new(1, 4, 5, (0..20).map(|i| i as f32 / 20.0).collect())
    }

    #[test]
    fn reflect_matches_scipy() {
        let idx: Vec<usize> = (-3..7).map(|i| reflect(i, 4)).collect();
        assert_eq!(idx, [2, 1, 0, 0, 1, 2, 3, 3, 2, 1]);
    }

    #[test]
    fn blur_keeps_constants_and_mean() {
        let flat = Photo::new(1, 6, 7, vec![0.25; 42]);
        assert!(gaussian_blur(&flat, 1.3).values.iter().all(|v| (v - 0.25).abs() < 1e-6));
        let b = gaussian_blur(&ramp(), 0.8);
        assert_eq!(b.values.len(), 20);
    }

    #[test]
    fn noise_is_seeded_with_the_right_sigma() {
        let p = Photo::new(1, 100, 100, vec![0.5; 10_000]);
        let a = add_gaussian_noise(&p, 0.1, 3);
        assert_eq!(a.values, add_gaussian_noise(&p, 0.1, 3).values);
        let var = a.values.iter().map(|v| (v - 0.5).powi(2)).sum::<f32>() / 10_000.0;
        assert!((var.sqrt() - 0.1).abs() < 0.003);
        let db = psnr(&a, &p);
        assert!((db - 20.0).abs() < 0.3, "{db}");
    }

    #[test]
    fn pad_and_crop_round_trip() {
        let p = Photo::new(1, 3, 5, (0..15).map(|i| i as f32).collect());
        let padded = pad_reflect(&p, 4, 6);
        assert_eq!(crop(&padded, 3, 5).values, p.values);
        assert_eq!(padded.values[5], 4.0); // reflected last column of row 0
    }

    #[test]
    fn npy_header_is_aligned() {
        let bytes = npy_bytes(&[1.0, 2.0], &[1, 2]);
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        assert_eq!(bytes.len(), 10 + hlen + 8);
    }
}
