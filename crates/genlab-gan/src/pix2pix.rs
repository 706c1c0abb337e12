//! pix2pix (Isola et al., 2017): image-to-image translation with a conditional GAN. A U-Net
//! generator turns an input picture A into an output, a PatchGAN judges (A, output) pairs
//! against (A, B) pairs, and the generator minimises the GAN loss plus `lambda` times the L1
//! distance to B. This file holds the configuration, the pair of networks, paired data and
//! held-out evaluation; [`crate::pix2pix_train`] trains them.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use genlab_config::{ConfigError, check};
use genlab_data::images::Pairs;
use serde::{Deserialize, Serialize};

use crate::data::gather_signed;
use crate::patchgan::{PatchGan, PatchGanConfig};
use crate::unet::{UNet, UNetConfig};

/// The shape of a pix2pix model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pix2PixConfig {
    /// Side of the square training pictures.
    pub size: usize,
    /// The built-in task it learns (`bw2color`, ...), if any: lets `translate --from-photo`
    /// make its inputs from photos.
    #[serde(default)]
    pub task: Option<String>,
    /// The generator.
    pub generator: UNetConfig,
    /// The discriminator.
    pub discriminator: PatchGanConfig,
}

impl Pix2PixConfig {
    /// pix2pix for `size`×`size` pictures: a U-Net halving as often as `size` allows, up to
    /// 8 times (six for 64 pixels: down to 1×1, as pix2pix's eight for 256), with
    /// `ngf = features`, and a 70×70 PatchGAN with `ndf = features` (fewer layers, so smaller
    /// patches, when the pictures are under 32 pixels: its map of logits must be at least 2×2).
    pub fn new(size: usize, in_channels: usize, out_channels: usize, features: usize) -> Self {
        let depth = (size.trailing_zeros() as usize).min(8);
        let layers = (1..=3).rev().find(|&n| size >> n >= 4).unwrap_or(1);
        Self {
            size,
            task: None,
            generator: UNetConfig {
                depth,
                ..UNetConfig::pix2pix64(in_channels, out_channels, features)
            },
            discriminator: PatchGanConfig {
                in_channels: in_channels + out_channels,
                features,
                layers,
                norm: Default::default(),
            },
        }
    }

    /// Checks the parts and that they fit together; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.generator.validate().map_err(|e| e.within("generator"))?;
        self.discriminator.validate().map_err(|e| e.within("discriminator"))?;
        let g = &self.generator;
        let d_channels = self.discriminator.in_channels;
        let pair = format!(
            "generator.in_channels + generator.out_channels ({} + {})",
            g.in_channels, g.out_channels
        );
        let matches = d_channels == g.in_channels + g.out_channels;
        check(matches, "discriminator.in_channels", d_channels, pair)?;
        let multiple = g.multiple();
        let halves = format!("a positive multiple of {multiple} (2^generator.depth)");
        let divides = self.size != 0 && self.size.is_multiple_of(multiple);
        check(divides, "size", self.size, halves)?;
        // Each stride-2 layer halves the side, the two stride-1 layers take one pixel each.
        let layers = self.discriminator.layers;
        let patches = format!(
            "few enough stride-2 layers to leave patches on {} pixels (size >> layers at least 3; \
             with these there are no patches left): use fewer layers or larger pictures",
            self.size
        );
        check((self.size >> layers) >= 3, "discriminator.layers", layers, patches)
    }

    /// Builds both networks.
    pub fn init(&self, device: &Device) -> Pix2Pix {
        Pix2Pix {
            generator: self.generator.init(device),
            discriminator: self.discriminator.init(device),
        }
    }
}

/// The generator and its discriminator.
#[derive(Module, Debug)]
pub struct Pix2Pix {
    /// Translates A to B.
    pub generator: UNet,
    /// Judges (A, B) pairs patch by patch.
    pub discriminator: PatchGan,
}

/// Paired pictures, planar and in [0, 1]: input A `[ca, h, w]` and target B `[cb, h, w]`.
#[derive(Debug, Clone)]
pub struct PairData {
    /// `[ca, h, w]` of A.
    pub a_shape: [usize; 3],
    /// `[cb, h, w]` of B.
    pub b_shape: [usize; 3],
    /// All inputs.
    pub a: Vec<f32>,
    /// All targets, in the same order.
    pub b: Vec<f32>,
}

impl From<Pairs> for PairData {
    fn from(p: Pairs) -> Self {
        Self {
            a_shape: [p.a.channels, p.a.height, p.a.width],
            b_shape: [p.b.channels, p.b.height, p.b.width],
            a: p.a.pixels,
            b: p.b.pixels,
        }
    }
}

impl PairData {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.a.len() / self.a_shape.iter().product::<usize>().max(1)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The same pairs the other way round: B becomes the input, A the target.
    pub fn reversed(self) -> Self {
        Self { a_shape: self.b_shape, b_shape: self.a_shape, a: self.b, b: self.a }
    }

    /// The pairs at `idx`, scaled to [-1, 1]: `([batch, ca, h, w], [batch, cb, h, w])`.
    pub fn batch(&self, idx: &[usize], device: &Device) -> (Tensor<4>, Tensor<4>) {
        (
            gather_signed(&self.a, self.a_shape, idx, device),
            gather_signed(&self.b, self.b_shape, idx, device),
        )
    }
}

/// How close translations are to their targets, in [0, 1] pixel units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fidelity {
    /// Mean absolute error per value.
    pub l1: f64,
    /// Peak signal-to-noise ratio of the mean squared error, in dB.
    pub psnr: f64,
}

/// Translates every pair's input with `generator` (in evaluation mode: running batch-norm
/// statistics, no dropout) and measures the outputs against the targets, `batch` pairs at a
/// time.
pub fn fidelity(generator: &UNet, data: &PairData, batch: usize, device: &Device) -> Fidelity {
    let (mut abs, mut sq, mut count) = (0.0f64, 0.0f64, 0usize);
    let idx: Vec<usize> = (0..data.len()).collect();
    for chunk in idx.chunks(batch.max(1)) {
        let (a, b) = data.batch(chunk, device);
        // Both in [-1, 1]: halve the difference for [0, 1] units.
        let diff = (generator.forward(a) - b).mul_scalar(0.5);
        abs += diff.clone().abs().sum().into_scalar::<f32>() as f64;
        sq += diff.powi_scalar(2).sum().into_scalar::<f32>() as f64;
        count += chunk.len() * data.b_shape.iter().product::<usize>();
    }
    let (l1, mse) = (abs / count as f64, sq / count as f64);
    Fidelity { l1, psnr: 10.0 * (1.0 / mse.max(1e-12)).log10() }
}

/// Inputs, outputs and targets of the first `n` pairs as one batch for a grid with three
/// columns (input | output | target), in [-1, 1]; grey inputs are repeated to RGB.
pub fn triptych(generator: &UNet, data: &PairData, n: usize, device: &Device) -> Tensor<4> {
    let idx: Vec<usize> = (0..n.min(data.len())).collect();
    let (a, b) = data.batch(&idx, device);
    let out = generator.forward(a.clone());
    let rgb = |t: Tensor<4>| if t.dims()[1] == 1 { t.repeat_dim(1, 3) } else { t };
    let [k, _, h, w] = b.dims();
    let rows: Vec<Tensor<4>> = vec![rgb(a), rgb(out), rgb(b)];
    // [3, k, 3, h, w] -> [k, 3 (column), 3, h, w] -> [3k, 3, h, w]
    Tensor::stack::<5>(rows, 0).swap_dims(0, 1).reshape([3 * k, 3, h, w])
}

/// Translates one picture of any size: pads it (repeating the edge) to multiples of the U-Net's
/// `2^depth`, runs the generator and crops back. `input` is `[c, h, w]` in [0, 1]; the output
/// `[out_channels, h, w]` too.
pub fn translate(
    generator: &UNet,
    cfg: &UNetConfig,
    input: &[f32],
    shape: [usize; 3],
    device: &Device,
) -> Vec<f32> {
    let [c, h, w] = shape;
    let m = cfg.multiple();
    let (ph, pw) = (h.div_ceil(m) * m, w.div_ceil(m) * m);
    let mut padded = Vec::with_capacity(c * ph * pw);
    for k in 0..c {
        for y in 0..ph {
            for x in 0..pw {
                padded.push(input[(k * h + y.min(h - 1)) * w + x.min(w - 1)] * 2.0 - 1.0);
            }
        }
    }
    let x = Tensor::<4>::from_data(TensorData::new(padded, [1, c, ph, pw]), device);
    let y = generator.forward(x).slice([0..1, 0..cfg.out_channels, 0..h, 0..w]);
    let v: Vec<f32> = y.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 output");
    v.into_iter().map(|v| ((v + 1.0) * 0.5).clamp(0.0, 1.0)).collect()
}
