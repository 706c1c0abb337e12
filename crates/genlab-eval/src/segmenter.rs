//! The small segmentation network behind the FCN-score (Isola et al., 2017, after Long et
//! al.'s FCN): trained on real photos to read back their per-pixel classes, then applied to
//! generated photos; how well it reads them is how plausible they are. Its bottleneck,
//! averaged over the picture, is also a feature space for a Fréchet distance between generated
//! and real photos.
//!
//! A small U-Net: two stride-2 3×3 convolutions down to a quarter of the side, one more 3×3
//! convolution there, and two 2×2 transposed convolutions back up, each joined with the
//! encoder map of its size, then per-pixel class logits.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{PaddingConfig2d, Relu};
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_train::fit_supervised;
use serde::{Deserialize, Serialize};

/// Configuration of [`Segmenter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmenterConfig {
    /// Classes to tell apart.
    pub classes: usize,
    /// Feature maps at full size (twice and four times that further down).
    pub width: usize,
}

/// Encoder 3 -> w -> 2w -> 4w, decoder back with skips, per-pixel logits.
#[derive(Module, Debug)]
pub struct Segmenter {
    enc1: Conv2d,
    enc2: Conv2d,
    enc3: Conv2d,
    mid: Conv2d,
    up2: ConvTranspose2d,
    dec2: Conv2d,
    up1: ConvTranspose2d,
    out: Conv2d,
    relu: Relu,
}

impl SegmenterConfig {
    /// Builds the network.
    pub fn init(&self, device: &Device) -> Segmenter {
        let w = self.width;
        let conv = |i, o, stride| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let up = |i, o| ConvTranspose2dConfig::new([i, o], [2, 2]).with_stride([2, 2]).init(device);
        Segmenter {
            enc1: conv(3, w, 1),
            enc2: conv(w, 2 * w, 2),
            enc3: conv(2 * w, 4 * w, 2),
            mid: conv(4 * w, 4 * w, 1),
            up2: up(4 * w, 2 * w),
            dec2: conv(4 * w, 2 * w, 1),
            up1: up(2 * w, w),
            out: Conv2dConfig::new([2 * w, self.classes], [1, 1]).init(device),
            relu: Relu::new(),
        }
    }
}

impl Segmenter {
    /// The bottleneck: `[batch, 3, s, s] -> [batch, 4w, s/4, s/4]`, and the two skip maps.
    fn encode(&self, x: Tensor<4>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let e1 = self.relu.forward(self.enc1.forward(x)); // [b, w, s, s]
        let e2 = self.relu.forward(self.enc2.forward(e1.clone())); // [b, 2w, s/2, s/2]
        let e3 = self.relu.forward(self.enc3.forward(e2.clone())); // [b, 4w, s/4, s/4]
        (self.relu.forward(self.mid.forward(e3)), e2, e1)
    }

    /// Per-pixel class logits: `[batch, 3, s, s] -> [batch, classes, s, s]` (s divisible by 4).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let (m, e2, e1) = self.encode(x);
        let d2 = self.relu.forward(self.up2.forward(m)); // [b, 2w, s/2, s/2]
        let d2 = self.relu.forward(self.dec2.forward(Tensor::cat(vec![d2, e2], 1))); // [b, 2w, ..]
        let d1 = self.relu.forward(self.up1.forward(d2)); // [b, w, s, s]
        self.out.forward(Tensor::cat(vec![d1, e1], 1)) // [b, classes, s, s]
    }

    /// The bottleneck averaged over the picture: `[batch, 3, s, s] -> [batch, 4w]`.
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let (m, _, _) = self.encode(x);
        m.mean_dim(3).mean_dim(2).flatten(1, 3)
    }

    /// The class of every pixel of `images` (planar `[n, 3, size, size]` in [0, 1]) and their
    /// features (`n × 4w`), in batches.
    pub fn segment(&self, images: &[f32], size: usize, device: &Device) -> (Vec<u8>, Vec<f32>) {
        let (mut classes, mut features) = (Vec::new(), Vec::new());
        for chunk in images.chunks(32 * 3 * size * size) {
            let n = chunk.len() / (3 * size * size);
            let x =
                Tensor::<4>::from_data(TensorData::new(chunk.to_vec(), [n, 3, size, size]), device);
            let guess = self.forward(x.clone()).argmax(1); // [n, 1, s, s]
            let guess = guess.into_data().convert::<i64>().try_to_vec::<i64>().expect("ints");
            classes.extend(guess.into_iter().map(|c| c as u8));
            let f = self.features(x).into_data().convert::<f32>();
            features.extend(f.try_to_vec::<f32>().expect("f32"));
        }
        (classes, features)
    }
}

/// Trains a segmenter on `photos` (planar `[n, 3, size, size]` in [0, 1]) and their per-pixel
/// `classes` (`[n, size, size]`): per-pixel cross-entropy, Adam 1e-3, batches of 16, seeded.
/// Returns the model in validation mode.
pub fn train_segmenter(
    config: &SegmenterConfig,
    photos: &[f32],
    classes: &[u8],
    size: usize,
    epochs: u64,
    seed: u64,
    device: &Device,
) -> Segmenter {
    let device = device.clone().autodiff();
    device.seed(seed);
    let (hw, n) = (size * size, classes.len() / (size * size));
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let model = fit_supervised(config.init(&device), n, 16, epochs, seed, 1e-3, |model, idx| {
        let mut x = Vec::with_capacity(idx.len() * 3 * hw);
        let mut y = Vec::with_capacity(idx.len() * hw);
        for &i in idx {
            x.extend_from_slice(&photos[i * 3 * hw..(i + 1) * 3 * hw]);
            y.extend(classes[i * hw..(i + 1) * hw].iter().map(|&c| c as i64));
        }
        let x = Tensor::<4>::from_data(TensorData::new(x, [idx.len(), 3, size, size]), &device);
        let y = Tensor::<1, Int>::from_data(TensorData::new(y, [idx.len() * hw]), &device);
        // [b, k, s, s] -> [b * s * s, k], pixel-major as the targets are.
        let logits =
            model.forward(x).permute([0, 2, 3, 1]).reshape([idx.len() * hw, config.classes]);
        loss_fn.forward(logits, y)
    });
    model.valid()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pictures split by a random vertical line: class 0 (reddish) left of it, class 1
    /// (bluish) right, with noise in the colours.
    fn halves(n: usize, size: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        let (mut photos, mut classes) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let cut = (0.2 + 0.6 * next()) * size as f32;
            let mut img = vec![0.0f32; 3 * size * size];
            for y in 0..size {
                for x in 0..size {
                    let right = (x as f32) >= cut;
                    classes.push(u8::from(right));
                    let base = if right { [0.3, 0.35, 0.7] } else { [0.7, 0.35, 0.3] };
                    for k in 0..3 {
                        img[k * size * size + y * size + x] = base[k] + 0.2 * (next() - 0.5);
                    }
                }
            }
            photos.extend(img);
        }
        (photos, classes)
    }

    #[test]
    fn the_segmenter_learns_to_read_classes_back() {
        let device = genlab_tensor::DeviceSpec::Cpu.device().unwrap();
        let (photos, classes) = halves(48, 16, 1);
        let config = SegmenterConfig { classes: 2, width: 8 };
        let model = train_segmenter(&config, &photos, &classes, 16, 40, 1, &device);
        let (test, truth) = halves(8, 16, 2);
        let (guess, features) = model.segment(&test, 16, &device);
        assert_eq!((guess.len(), features.len()), (8 * 256, 8 * 32));
        let scores = crate::segmentation_scores(&guess, &truth, 2).unwrap();
        assert!(scores.pixel_accuracy > 0.95, "{scores:?}");
    }
}
