//! Strided convolution stacks shared by the convolutional autoencoder and VAE: an encoder that
//! halves the image at each layer (kernel 4, stride 2, padding 1, as DCGAN does) down to a
//! vector, and the mirrored decoder that grows a vector back into an image.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, check};
use serde::{Deserialize, Serialize};

/// Image shape and channel widths of a conv stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvStackConfig {
    /// Image channels (1 grey, 3 RGB).
    pub in_channels: usize,
    /// Image height and width; each must be divisible by `2^channels.len()`.
    pub size: [usize; 2],
    /// Feature maps after each stride-2 layer, e.g. `[32, 64, 128, 256]`.
    pub channels: Vec<usize>,
    /// Width of the vector at the end of the encoder (the start of the decoder).
    pub out_features: usize,
}

impl ConvStackConfig {
    /// Spatial size after all stride-2 layers.
    pub fn bottom(&self) -> [usize; 2] {
        let f = 1 << self.channels.len();
        [self.size[0] / f, self.size[1] / f]
    }

    /// Checks that the image halves cleanly at every layer; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let channels = format!("{:?}", self.channels);
        check(!self.channels.is_empty(), "channels", channels, "at least one layer")?;
        let f = 1 << self.channels.len();
        let halves = |side: usize| side.is_multiple_of(f) && side >= f;
        let expected = format!(
            "height and width a multiple of {f} for {} stride-2 layers",
            self.channels.len()
        );
        let size = format!("{}x{}", self.size[0], self.size[1]);
        check(halves(self.size[0]) && halves(self.size[1]), "size", size, expected)
    }

    /// [`validate`](Self::validate) for a config with `shape: [channels, height, width]`
    /// that this stack was built from: a bad image size is reported as that `shape`.
    pub(crate) fn validate_for_shape(&self, shape: [usize; 3]) -> Result<(), ConfigError> {
        self.validate().map_err(|e| {
            if e.field == "size" {
                ConfigError::new("shape", format!("{shape:?}"), e.expected)
            } else {
                e
            }
        })
    }

    fn flat(&self) -> usize {
        let [h, w] = self.bottom();
        self.channels.last().copied().unwrap_or(1) * h * w
    }

    /// The encoder: convolutions, then one Linear to `out_features`.
    pub fn init_encoder(&self, device: &Device) -> ConvEncoder {
        let mut convs = Vec::new();
        let mut c_in = self.in_channels;
        for &c in &self.channels {
            convs.push(
                Conv2dConfig::new([c_in, c], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init(device),
            );
            c_in = c;
        }
        ConvEncoder {
            convs,
            head: LinearConfig::new(self.flat(), self.out_features).init(device),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }

    /// The decoder: one Linear from `out_features`, then transposed convolutions back to the
    /// image (logits: no output activation).
    pub fn init_decoder(&self, device: &Device) -> ConvDecoder {
        let mut deconvs = Vec::new();
        let widths: Vec<usize> = self.channels.iter().rev().copied().collect();
        for (i, &c) in widths.iter().enumerate() {
            let c_out = widths.get(i + 1).copied().unwrap_or(self.in_channels);
            deconvs.push(
                ConvTranspose2dConfig::new([c, c_out], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .init(device),
            );
        }
        let [h, w] = self.bottom();
        ConvDecoder {
            head: LinearConfig::new(self.out_features, self.flat()).init(device),
            deconvs,
            relu: Relu::new(),
            bottom: [widths[0], h, w],
        }
    }
}

/// `[batch, c, h, w] -> [batch, out_features]`.
#[derive(Module, Debug)]
pub struct ConvEncoder {
    convs: Vec<Conv2d>,
    head: Linear,
    act: LeakyRelu,
}

impl ConvEncoder {
    /// `[batch, c, h, w] -> [batch, out_features]`.
    pub fn forward(&self, mut x: Tensor<4>) -> Tensor<2> {
        for conv in &self.convs {
            x = self.act.forward(conv.forward(x)); // [batch, c_i, h / 2^i, w / 2^i]
        }
        self.head.forward(x.flatten(1, 3))
    }

    /// Width of the output vector.
    pub fn out_features(&self) -> usize {
        self.head.weight.dims()[1]
    }
}

/// `[batch, in_features] -> [batch, c, h, w]` logits.
#[derive(Module, Debug)]
pub struct ConvDecoder {
    head: Linear,
    deconvs: Vec<ConvTranspose2d>,
    relu: Relu,
    #[module(skip)]
    bottom: [usize; 3],
}

impl ConvDecoder {
    /// `[batch, in_features] -> [batch, c, h, w]` (no output activation).
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let batch = z.dims()[0];
        let [c, h, w] = self.bottom;
        let mut x = self.relu.forward(self.head.forward(z)).reshape([batch, c, h, w]);
        let last = self.deconvs.len() - 1;
        for (i, deconv) in self.deconvs.iter().enumerate() {
            x = deconv.forward(x); // doubles h and w
            if i < last {
                x = self.relu.forward(x);
            }
        }
        x
    }
}
