//! The pix2pix generator (Isola et al., 2017): a U-Net. The encoder halves the picture with
//! 4×4 stride-2 convolutions down to a 1×1 (or small) bottleneck; the decoder doubles it back
//! with transposed convolutions, and every decoder layer also sees the encoder's map of its
//! size (a skip connection), so fine detail need not pass through the bottleneck. LeakyReLU
//! 0.2 in the encoder, ReLU in the decoder, batch norm everywhere but the first and innermost
//! encoder layers, dropout 0.5 in the innermost decoder layers (pix2pix's only noise source),
//! tanh at the end. Optionally (not in pix2pix) a full-size skip lets a 3×3 output layer see
//! the input's own pixels.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{
    Dropout, DropoutConfig, Initializer, LeakyRelu, LeakyReluConfig, PaddingConfig2d, Relu,
};
use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check, in_half_open};
use serde::{Deserialize, Serialize};

use crate::norm::{Norm, NormKind};

/// Configuration of [`UNet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UNetConfig {
    /// Input channels (1 for grey or edges, 3 for colour or label maps).
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Feature maps of the first layer (pix2pix's `ngf`); each layer doubles them, up to 8×.
    pub features: usize,
    /// Halvings: the input side must be a multiple of `2^depth` (6 takes 64 pixels to 1).
    pub depth: usize,
    /// Dropout in the innermost three decoder layers (0.5 in pix2pix; 0 turns it off).
    pub dropout: f64,
    /// Normalisation between layers.
    #[serde(default)]
    pub norm: NormKind,
    /// A full-size skip: the last transposed convolution makes `features` maps at full size,
    /// which are concatenated with the input picture and mixed into the output by a 3×3
    /// convolution. pix2pix's U-Net has none (its first layer already halves the picture), so
    /// its finest decisions are made at half size; a map that must be right to the pixel
    /// (aerial2map's one-pixel casings and outlines) needs the input's own pixels.
    #[serde(default)]
    pub input_skip: bool,
}

impl UNetConfig {
    /// pix2pix's U-Net sized for 64×64 pictures: six halvings to a 1×1 bottleneck.
    pub fn pix2pix64(in_channels: usize, out_channels: usize, features: usize) -> Self {
        Self {
            in_channels,
            out_channels,
            features,
            depth: 6,
            dropout: 0.5,
            norm: NormKind::default(),
            input_skip: false,
        }
    }

    /// Feature maps of encoder layer `i`.
    fn width(&self, i: usize) -> usize {
        self.features << i.min(3)
    }

    /// The multiple of which input sides must be.
    pub fn multiple(&self) -> usize {
        1 << self.depth
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        at_least("in_channels", self.in_channels, 1)?;
        at_least("out_channels", self.out_channels, 1)?;
        at_least("features", self.features, 1)?;
        check((1..=10).contains(&self.depth), "depth", self.depth, "1 to 10")?;
        in_half_open("dropout", self.dropout, 0.0, 1.0)
    }

    /// Builds the network (weights N(0, 0.02), pix2pix's initialisation).
    pub fn init(&self, device: &Device) -> UNet {
        let init = Initializer::Normal { mean: 0.0, std: 0.02 };
        let innermost = self.depth - 1;
        let mut downs = Vec::new();
        let mut down_norms = Vec::new();
        for i in 0..self.depth {
            let c_in = if i == 0 { self.in_channels } else { self.width(i - 1) };
            downs.push(
                Conv2dConfig::new([c_in, self.width(i)], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .with_bias(i == 0 || i == innermost)
                    .with_initializer(init.clone())
                    .init(device),
            );
            if i > 0 && i < innermost {
                down_norms.push(self.norm.init(self.width(i), device));
            }
        }
        let mut ups = Vec::new();
        let mut up_norms = Vec::new();
        for j in 0..self.depth {
            // Decoder layer j makes the map of encoder layer j - 1 (the image for j = 0) from
            // the one below it, concatenated with encoder layer j's skip (except innermost).
            let c_in = if j == innermost { self.width(j) } else { 2 * self.width(j) };
            let c_out = match j {
                0 if self.input_skip => self.features,
                0 => self.out_channels,
                _ => self.width(j - 1),
            };
            ups.push(
                ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
                    .with_stride([2, 2])
                    .with_padding([1, 1])
                    .with_bias(j == 0)
                    .with_initializer(init.clone())
                    .init(device),
            );
            if j > 0 {
                up_norms.push(self.norm.init(c_out, device));
            }
        }
        let head = self.input_skip.then(|| {
            Conv2dConfig::new([self.features + self.in_channels, self.out_channels], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .with_initializer(init.clone())
                .init(device)
        });
        UNet {
            downs,
            down_norms,
            ups,
            up_norms,
            head,
            dropout: DropoutConfig::new(self.dropout).init(),
            dropout_from: self.depth.saturating_sub(3).max(1),
            leaky: LeakyReluConfig::new().with_negative_slope(0.2).init(),
            relu: Relu::new(),
        }
    }
}

/// A U-Net from an input picture to an output picture of the same size.
#[derive(Module, Debug)]
pub struct UNet {
    downs: Vec<Conv2d>,
    down_norms: Vec<Norm>,
    ups: Vec<ConvTranspose2d>,
    up_norms: Vec<Norm>,
    /// The full-size mixing convolution of [`UNetConfig::input_skip`].
    head: Option<Conv2d>,
    dropout: Dropout,
    /// Decoder layers `j >= dropout_from` (and `j > 0`) drop out.
    dropout_from: usize,
    leaky: LeakyRelu,
    relu: Relu,
}

impl UNet {
    /// `[batch, in_channels, h, w]` in [-1, 1] -> `[batch, out_channels, h, w]` in [-1, 1];
    /// `h` and `w` must be multiples of `2^depth`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let depth = self.downs.len();
        let mut skips: Vec<Tensor<4>> = Vec::with_capacity(depth);
        let mut h = x.clone();
        for (i, down) in self.downs.iter().enumerate() {
            if i > 0 {
                h = self.leaky.forward(h);
            }
            h = down.forward(h); // [batch, width(i), side / 2^(i+1), ...]
            if i > 0 && i + 1 < depth {
                h = self.down_norms[i - 1].forward(h);
            }
            skips.push(h.clone());
        }
        let mut y = skips.pop().expect("depth >= 1"); // the bottleneck
        for j in (0..depth).rev() {
            if j + 1 < depth {
                y = Tensor::cat(vec![skips.pop().expect("one skip per layer"), y], 1);
            }
            y = self.ups[j].forward(self.relu.forward(y)); // doubles the side
            if j > 0 {
                y = self.up_norms[j - 1].forward(y);
                if j >= self.dropout_from {
                    y = self.dropout.forward(y);
                }
            }
        }
        if let Some(head) = &self.head {
            // [batch, features + in_channels, h, w] -> [batch, out_channels, h, w]
            y = head.forward(Tensor::cat(vec![self.relu.forward(y), x], 1));
        }
        tanh(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_round_trip() {
        let device = genlab_tensor::DeviceSpec::Cpu.device().unwrap();
        for (depth, side) in [(6, 64), (3, 24), (1, 2)] {
            let cfg = UNetConfig { depth, ..UNetConfig::pix2pix64(1, 3, 4) };
            cfg.validate().unwrap();
            let net = cfg.init(&device);
            let y = net.forward(Tensor::zeros([2, 1, side, side], &device));
            assert_eq!(y.dims(), [2, 3, side, side]);
        }
        let skip = UNetConfig { input_skip: true, ..UNetConfig::pix2pix64(1, 3, 4) }.init(&device);
        let y = skip.forward(Tensor::zeros([2, 1, 64, 64], &device));
        assert_eq!(y.dims(), [2, 3, 64, 64]);
        let err = UNetConfig { depth: 0, ..UNetConfig::pix2pix64(1, 3, 4) }.validate().unwrap_err();
        assert_eq!(err.field, "depth");
    }
}
