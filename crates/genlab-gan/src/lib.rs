//! GANs on burn: the generator-versus-discriminator game of Goodfellow et al. (2014) with MLP
//! networks, DCGAN (Radford et al., 2016) for 28×28 grey and 64×64 colour images, and
//! class-conditional generation (one-hot condition into the generator, projection in the
//! discriminator). [`train::train_gan`] plays the game with minimax, non-saturating, hinge or
//! WGAN-GP losses. See `docs/gans.md`.

pub mod captions;
pub mod data;
pub mod dcgan_discriminator;
pub mod dcgan_generator;
pub mod loss;
pub mod mlp_discriminator;
pub mod mlp_generator;
pub mod model;
pub mod text_encoder;
pub mod train;

pub use data::GanData;
pub use loss::GanLoss;
pub use model::{Arch, Discriminator, GanConfig, GanPair, Generator};
pub use train::{GanError, GanTrainConfig, train_gan};
