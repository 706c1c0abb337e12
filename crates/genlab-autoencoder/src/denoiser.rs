//! The denoising autoencoder for photos: fully convolutional, so it trains on small patches and
//! then cleans a whole photo of any size in one pass.
//!
//! The encoder keeps full-resolution features, halves the resolution once (stride 2) and works
//! at the bottom; the decoder doubles it back and joins the full-resolution features (one U-Net
//! skip), so fine detail is not lost in the bottleneck. With `residual` the network predicts
//! the noise and subtracts it from the input (DnCNN's residual learning, Zhang et al. 2017),
//! which trains much faster than predicting the clean image.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

/// Configuration of [`Denoiser`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenoiserConfig {
    /// Image channels (1 grey, 3 RGB).
    pub channels: usize,
    /// Feature maps at full resolution (twice this at half resolution).
    pub features: usize,
    /// 3×3 convolutions at half resolution.
    pub depth: usize,
    /// Predict the noise and subtract it (true), or predict the clean image (false).
    pub residual: bool,
}

/// Fully convolutional encoder-decoder with one skip connection.
#[derive(Module, Debug)]
pub struct Denoiser {
    stem: Conv2d,
    down: Conv2d,
    body: Vec<Conv2d>,
    up: ConvTranspose2d,
    fuse: Conv2d,
    head: Conv2d,
    relu: Relu,
    #[module(skip)]
    residual: bool,
}

fn conv3(c_in: usize, c_out: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([c_in, c_out], [3, 3]).with_padding(PaddingConfig2d::Same).init(device)
}

impl DenoiserConfig {
    /// RGB photos: 32 maps, 3 convolutions at the bottom, residual.
    pub fn rgb() -> Self {
        Self { channels: 3, features: 32, depth: 3, residual: true }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let grey_or_rgb = self.channels == 1 || self.channels == 3;
        check(grey_or_rgb, "channels", self.channels, "1 (grey) or 3 (RGB)")?;
        at_least("features", self.features, 1)
    }

    /// Builds the model.
    pub fn init(&self, device: &Device) -> Denoiser {
        let (c, f) = (self.channels, self.features);
        Denoiser {
            stem: conv3(c, f, device),
            down: Conv2dConfig::new([f, 2 * f], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            body: (0..self.depth).map(|_| conv3(2 * f, 2 * f, device)).collect(),
            up: ConvTranspose2dConfig::new([2 * f, f], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device),
            fuse: conv3(2 * f, f, device),
            head: conv3(f, c, device),
            relu: Relu::new(),
            residual: self.residual,
        }
    }
}

impl Denoiser {
    /// `[batch, c, h, w] -> [batch, c, h, w]`; h and w must be even (see
    /// [`crate::denoise::denoise_image`], which pads).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let full = self.relu.forward(self.stem.forward(x.clone())); // [b, f, h, w]
        let mut low = self.relu.forward(self.down.forward(full.clone())); // [b, 2f, h/2, w/2]
        for conv in &self.body {
            low = self.relu.forward(conv.forward(low));
        }
        let up = self.relu.forward(self.up.forward(low)); // [b, f, h, w]
        let joined = Tensor::cat(vec![up, full], 1); // [b, 2f, h, w]
        let out = self.head.forward(self.relu.forward(self.fuse.forward(joined)));
        if self.residual { x - out } else { out }
    }
}
