//! GANs on burn: the generator-versus-discriminator game of Goodfellow et al. (2014) with MLP
//! networks, DCGAN (Radford et al., 2016) for 28×28 grey and 64×64 colour images, and
//! class-conditional generation (one-hot condition into the generator, projection in the
//! discriminator). [`train::train_gan`] plays the game with minimax, non-saturating, hinge or
//! WGAN-GP losses, and [`pix2pix`] translates pictures (a U-Net against a PatchGAN, trained
//! by [`pix2pix_train::train_pix2pix`]). See `docs/gans.md`.

pub mod captions;
pub mod data;
pub mod datasets;
pub mod dcgan_discriminator;
pub mod dcgan_generator;
pub mod loss;
pub mod mlp_discriminator;
pub mod mlp_generator;
pub mod model;
pub mod norm;
pub mod patchgan;
pub mod pix2pix;
pub mod pix2pix_train;
pub mod run;
pub mod scenes;
pub mod text_encoder;
pub mod train;
pub mod unet;

pub use data::GanData;
pub use genlab_train::LoadError;
pub use loss::GanLoss;
pub use model::{Arch, Discriminator, GanConfig, GanPair, Generator};
pub use pix2pix::{PairData, Pix2Pix, Pix2PixConfig};
pub use pix2pix_train::{Pix2PixTrainConfig, train_pix2pix};
pub use run::{GanRun, TextFrontEnd, load, preset};
pub use train::{GanError, GanTrainConfig, train_gan};
