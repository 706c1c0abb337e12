//! One configuration for every GAN here and the generator/discriminator pair it builds.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use genlab_config::{ConfigError, at_least, check};
use serde::{Deserialize, Serialize};

use crate::dcgan_discriminator::{DcganDiscriminator, DcganDiscriminatorConfig};
use crate::dcgan_generator::{DcganGenerator, DcganGeneratorConfig, layout};
use crate::mlp_discriminator::{MlpDiscriminator, MlpDiscriminatorConfig};
use crate::mlp_generator::{MlpGenerator, MlpGeneratorConfig};

/// The two network families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// Fully connected networks (Goodfellow et al., 2014).
    Mlp,
    /// Convolutional networks with batch norm (Radford et al., 2016).
    Dcgan,
}

/// A GAN's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GanConfig {
    /// Network family.
    pub arch: Arch,
    /// Image `[c, h, w]` (DCGAN: square, 28, 32 or 64).
    pub shape: [usize; 3],
    /// Noise dimensions.
    pub z_dim: usize,
    /// Generator width: MLP hidden units of its first layer; DCGAN `ngf`.
    pub g_width: usize,
    /// Discriminator width: MLP hidden units of its last layer; DCGAN `ndf`.
    pub d_width: usize,
    /// Width of the condition vector (number of classes for one-hot labels, or a text
    /// embedding's width); 0 = unconditional.
    pub cond_dim: usize,
}

impl GanConfig {
    /// The MLP GAN for 28×28 digits: G 100 -> 256 -> 512 -> 1024 -> 784, D 784 -> 512 -> 256.
    pub fn mnist_gan() -> Self {
        Self {
            arch: Arch::Mlp,
            shape: [1, 28, 28],
            z_dim: 100,
            g_width: 256,
            d_width: 256,
            cond_dim: 0,
        }
    }

    /// DCGAN for 28×28 digits: G 100 -> 128×7×7 -> 64×14×14 -> 1×28×28, D mirrored (32, 64 maps).
    pub fn mnist_dcgan() -> Self {
        Self {
            arch: Arch::Dcgan,
            shape: [1, 28, 28],
            z_dim: 100,
            g_width: 64,
            d_width: 32,
            cond_dim: 0,
        }
    }

    /// DCGAN for 64×64 colour images (the paper's ngf = ndf = 64).
    pub fn dcgan64() -> Self {
        Self {
            arch: Arch::Dcgan,
            shape: [3, 64, 64],
            z_dim: 100,
            g_width: 64,
            d_width: 64,
            cond_dim: 0,
        }
    }

    /// Checks the sizes; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let shape = format!("{:?}", self.shape);
        check(!self.shape.contains(&0), "shape", &shape, "positive sizes")?;
        at_least("z_dim", self.z_dim, 1)?;
        at_least("g_width", self.g_width, 1)?;
        at_least("d_width", self.d_width, 1)?;
        if self.arch == Arch::Dcgan {
            let square = self.shape[1] == self.shape[2];
            check(square, "shape", &shape, "a square image (height = width) for DCGAN")?;
            let supported = layout(self.shape[1]).is_ok();
            check(supported, "shape", shape, "28, 32 and 64 pixel images for DCGAN")?;
        }
        Ok(())
    }

    /// Builds both networks.
    pub fn init(&self, device: &Device) -> GanPair {
        let [c, size, _] = self.shape;
        let (generator, discriminator) = match self.arch {
            Arch::Mlp => {
                let w = self.g_width;
                let g = MlpGeneratorConfig {
                    z_dim: self.z_dim,
                    shape: self.shape,
                    hidden: vec![w, 2 * w, 4 * w],
                    cond_dim: self.cond_dim,
                };
                let d = MlpDiscriminatorConfig {
                    shape: self.shape,
                    hidden: vec![2 * self.d_width, self.d_width],
                    cond_dim: self.cond_dim,
                };
                (Generator::Mlp(g.init(device)), Discriminator::Mlp(d.init(device)))
            }
            Arch::Dcgan => {
                let g = DcganGeneratorConfig {
                    z_dim: self.z_dim,
                    channels: c,
                    size,
                    features: self.g_width,
                    cond_dim: self.cond_dim,
                };
                let d = DcganDiscriminatorConfig {
                    channels: c,
                    size,
                    features: self.d_width,
                    cond_dim: self.cond_dim,
                };
                (Generator::Dcgan(g.init(device)), Discriminator::Dcgan(d.init(device)))
            }
        };
        GanPair { generator, discriminator }
    }
}

/// Either generator.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Generator {
    /// MLP.
    Mlp(MlpGenerator),
    /// DCGAN.
    Dcgan(DcganGenerator),
}

impl Generator {
    /// `z [batch, z_dim]` (and a condition) -> images in [-1, 1].
    pub fn forward(&self, z: Tensor<2>, cond: Option<Tensor<2>>) -> Tensor<4> {
        match self {
            Self::Mlp(g) => g.forward(z, cond),
            Self::Dcgan(g) => g.forward(z, cond),
        }
    }
}

/// Either discriminator.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Discriminator {
    /// MLP.
    Mlp(MlpDiscriminator),
    /// DCGAN.
    Dcgan(DcganDiscriminator),
}

impl Discriminator {
    /// Images in [-1, 1] (and a condition) -> logits `[batch]`.
    pub fn forward(&self, x: Tensor<4>, cond: Option<Tensor<2>>) -> Tensor<1> {
        match self {
            Self::Mlp(d) => d.forward(x, cond),
            Self::Dcgan(d) => d.forward(x, cond),
        }
    }
}

/// The two players, saved and loaded together.
#[derive(Module, Debug)]
pub struct GanPair {
    /// Makes fakes from noise.
    pub generator: Generator,
    /// Scores real and fake images.
    pub discriminator: Discriminator,
}
