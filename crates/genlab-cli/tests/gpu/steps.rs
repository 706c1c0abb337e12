//! One training step of every family on the device under test, against flex: the losses,
//! the gradients each update takes, and the loss after the update (which checks the
//! optimiser step ran on the device too).
//!
//! Tolerance: 1e-3 relative (losses) and 1e-3 of the largest gradient (gradients). Both
//! backends compute in f32 but sum in different orders and use their own exp, erf and tanh;
//! the differences seen are around 1e-6 to 1e-5, so a real bug (a wrong kernel, a dropped
//! term) is orders of magnitude above the bar.

use burn::tensor::{Device, Int, Tensor};
use genlab_autoencoder::conv_vae::ConvVaeConfig;
use genlab_autoencoder::denoiser::DenoiserConfig;
use genlab_autoencoder::{AeModel, Losses, ModelConfig, ReconLoss};
use genlab_gan::data::one_hot;
use genlab_gan::norm::NormKind;
use genlab_gan::{Arch, GanConfig, GanLoss, GanPair, Pix2Pix, Pix2PixConfig};
use genlab_tensor::burn;
use genlab_transformer::finetune::losses::{bradley_terry, dpo, sequence_logprob, token_logprobs};
use genlab_transformer::finetune::reward::{RewardConfig, RewardModel};
use genlab_transformer::pretrain::NextTokenModel;
use genlab_transformer::rnn::config::Cell;
use genlab_transformer::{CharRnn, Gpt, GptConfig, PosEncoding, RnnConfig};
use genlab_wavenet::{WaveNet, WaveNetConfig};

use super::{float_tensor, ids, int_tensor, matches_flex, signed};

const RTOL: f32 = 1e-3;

/// The GPT shape every GPU test shares: small enough for software Vulkan, with every part
/// (rotary positions, tied weights, biases, two heads, two blocks).
pub fn tiny_gpt() -> GptConfig {
    GptConfig {
        vocab_size: 32,
        block_size: 16,
        n_layer: 2,
        n_head: 2,
        n_embd: 32,
        dropout: 0.0,
        bias: true,
        pos_encoding: PosEncoding::Rotary,
        tie_weights: true,
    }
}

/// The DCGAN every GPU test shares: conditional (three classes), 28×28, 8 maps wide.
pub fn tiny_dcgan() -> GanConfig {
    GanConfig {
        arch: Arch::Dcgan,
        shape: [1, 28, 28],
        z_dim: 8,
        g_width: 8,
        d_width: 8,
        cond_dim: 3,
    }
}

/// A batch of next-token windows `[2, 16]`: inputs and targets shifted by one.
fn windows(vocab: usize, device: &Device) -> (Tensor<2, Int>, Tensor<2, Int>) {
    let seq = ids(2 * 17, vocab, 1);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for row in seq.chunks(17) {
        x.extend_from_slice(&row[..16]);
        y.extend_from_slice(&row[1..]);
    }
    (int_tensor(x, [2, 16], device), int_tensor(y, [2, 16], device))
}

#[test]
fn gpt_training_step_matches_flex() {
    matches_flex(
        "GPT",
        RTOL,
        |d| tiny_gpt().init(d),
        |model: Gpt, d, t| {
            let (x, y) = windows(32, d);
            t.step("next-token loss", model, |m| model_loss(m, &x, &y));
        },
    );
}

fn model_loss<M: NextTokenModel>(model: &M, x: &Tensor<2, Int>, y: &Tensor<2, Int>) -> Tensor<1> {
    model.loss(x.clone(), y.clone())
}

#[test]
fn char_rnn_training_steps_match_flex() {
    for cell in [Cell::Lstm, Cell::Gru] {
        let name = format!("char-RNN ({})", cell.name());
        let cfg = RnnConfig::tiny(cell, 32);
        matches_flex(
            &name,
            RTOL,
            |d| cfg.init(d),
            |model: CharRnn, d, t| {
                let (x, y) = windows(32, d);
                t.step("next-token loss", model, |m| model_loss(m, &x, &y));
            },
        );
    }
}

/// The fine-tuning losses on the tiny GPT: a reward model's Bradley-Terry step, then DPO
/// against a frozen copy of the policy.
#[test]
fn reward_model_and_dpo_steps_match_flex() {
    let cfg = RewardConfig { backbone: tiny_gpt() };
    matches_flex(
        "reward model",
        RTOL,
        |d| cfg.init_with(tiny_gpt().init(d), d),
        |model: RewardModel, d, t| {
            let (chosen, rejected) = windows(32, d);
            let last = [15, 11];
            let bt = |m: &RewardModel| {
                bradley_terry(m.forward(chosen.clone(), &last), m.forward(rejected.clone(), &last))
            };
            t.step("Bradley-Terry loss", model, bt);
        },
    );
    matches_flex(
        "DPO",
        RTOL,
        |d| tiny_gpt().init(d),
        |policy: Gpt, d, t| {
            let (x, y) = windows(32, d);
            let (chosen_x, rejected_x) = (x.clone().slice([0..1, 0..16]), x.slice([1..2, 0..16]));
            let (chosen_y, rejected_y) = (y.clone().slice([0..1, 0..16]), y.slice([1..2, 0..16]));
            // Only the response (the last 10 positions) counts.
            let mask =
                float_tensor((0..16).map(|i| f32::from(u8::from(i >= 6))).collect(), [1, 16], d);
            let logp = |m: &Gpt, x: &Tensor<2, Int>, y: &Tensor<2, Int>| {
                sequence_logprob(token_logprobs(m.forward(x.clone()), y.clone()), mask.clone())
            };
            let reference = burn::module::Module::valid(&policy);
            let ref_c = logp(&reference, &chosen_x, &chosen_y).detach();
            let ref_r = logp(&reference, &rejected_x, &rejected_y).detach();
            let loss = |m: &Gpt| {
                let pi_c = logp(m, &chosen_x, &chosen_y);
                let pi_r = logp(m, &rejected_x, &rejected_y);
                dpo(pi_c, pi_r, ref_c.clone(), ref_r.clone(), 0.1).0
            };
            t.step("DPO loss", policy, loss);
        },
    );
}

/// A convolutional VAE with the reparameterisation noise given (the device's generator
/// differs between backends), and the photo denoiser.
#[test]
fn autoencoder_training_steps_match_flex() {
    let vae = ModelConfig::ConvVae(ConvVaeConfig {
        shape: [1, 28, 28],
        channels: vec![4, 8],
        latent: 4,
        loss: ReconLoss::Bce,
        sigma: 1.0,
    });
    vae.validate().unwrap();
    matches_flex(
        "conv VAE",
        RTOL,
        |d| vae.init(d),
        |model: AeModel, d, t| {
            let x = float_tensor(signed(2 * 28 * 28, 2), [2, 1, 28, 28], d).abs();
            let eps = float_tensor(signed(2 * 4, 3), [2, 4], d);
            let elbo = |m: &AeModel| {
                let q = m.posterior(x.clone()).expect("a VAE");
                let z = q.mu.clone() + q.logvar.clone().mul_scalar(0.5).exp() * eps.clone();
                let raw = m.decode_raw(z).expect("a decoder");
                Losses { recon: m.nll(raw, x.clone()), kl: Some(q.kl()) }.objective(1.0)
            };
            t.step("negative ELBO", model, elbo);
        },
    );
    let dae =
        ModelConfig::Dae(DenoiserConfig { channels: 3, features: 8, depth: 2, residual: true });
    dae.validate().unwrap();
    matches_flex(
        "denoiser",
        RTOL,
        |d| dae.init(d),
        |model: AeModel, d, t| {
            let clean = float_tensor(signed(2 * 3 * 16 * 16, 4), [2, 3, 16, 16], d).abs();
            let noisy =
                clean.clone() + float_tensor(signed(2 * 3 * 16 * 16, 5), [2, 3, 16, 16], d) * 0.1;
            let mse = |m: &AeModel| m.losses(noisy.clone(), clean.clone()).objective(0.0);
            t.step("MSE", model, mse);
        },
    );
}

/// A conditional DCGAN step as `train_gan` takes it: the discriminator on real and detached
/// fakes, then the generator through the updated discriminator, with the noise given.
#[test]
fn dcgan_training_step_matches_flex() {
    let cfg = tiny_dcgan();
    cfg.validate().unwrap();
    matches_flex(
        "conditional DCGAN",
        RTOL,
        |d| cfg.init(d),
        |pair: GanPair, d, t| {
            let GanPair { generator, discriminator } = pair;
            let real = float_tensor(signed(4 * 28 * 28, 6), [4, 1, 28, 28], d);
            let z = float_tensor(signed(4 * 8, 7), [4, 8], d);
            let cond = Some(one_hot(&[0, 1, 2, 0], 3, d));
            let loss = GanLoss::NonSaturating;
            let fake = generator.forward(z, cond.clone());
            let d_loss = loss.discriminator(
                discriminator.forward(real, cond.clone()),
                discriminator.forward(fake.clone().detach(), cond.clone()),
                0.1,
            );
            let discriminator = t.update("discriminator loss", d_loss, discriminator);
            let g_loss = loss.generator(discriminator.forward(fake, cond));
            t.update("generator loss", g_loss, generator);
        },
    );
}

/// A pix2pix step as `train_pix2pix` takes it (L1 + GAN), on a U-Net with the full-size
/// skip and dropout off (its masks come from the device's generator).
#[test]
fn pix2pix_training_step_matches_flex() {
    let mut cfg = Pix2PixConfig::new(32, 3, 3, 8);
    cfg.generator.dropout = 0.0;
    cfg.generator.input_skip = true;
    cfg.discriminator.norm = NormKind::Batch;
    cfg.validate().unwrap();
    matches_flex(
        "pix2pix",
        RTOL,
        |d| cfg.init(d),
        |pair: Pix2Pix, d, t| {
            let Pix2Pix { generator, discriminator } = pair;
            let a = float_tensor(signed(2 * 3 * 32 * 32, 8), [2, 3, 32, 32], d);
            let b = float_tensor(signed(2 * 3 * 32 * 32, 9), [2, 3, 32, 32], d);
            let loss = GanLoss::NonSaturating;
            let fake = generator.forward(a.clone());
            let real_logit = discriminator.forward(a.clone(), b.clone()).flatten::<1>(0, 3);
            let fake_logit =
                discriminator.forward(a.clone(), fake.clone().detach()).flatten::<1>(0, 3);
            let d_loss = loss.discriminator(real_logit, fake_logit, 0.0).mul_scalar(0.5);
            let discriminator = t.update("discriminator loss", d_loss, discriminator);
            let l1 = (fake.clone() - b).abs().mean().mul_scalar(100.0);
            let g_gan = loss.generator(discriminator.forward(a, fake).flatten::<1>(0, 3));
            t.update("generator loss", l1 + g_gan, generator);
        },
    );
}

/// The tiny WaveNet, conditioned on two speakers.
#[test]
fn wavenet_training_step_matches_flex() {
    let cfg = WaveNetConfig { speakers: 2, ..WaveNetConfig::preset("tiny").unwrap() };
    matches_flex(
        "WaveNet",
        RTOL,
        |d| cfg.init(d),
        |model: WaveNet, d, t| {
            let seq = ids(2 * 65, 256, 10);
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for row in seq.chunks(65) {
                x.extend_from_slice(&row[..64]);
                y.extend_from_slice(&row[1..]);
            }
            let (x, y) = (int_tensor(x, [2, 64], d), int_tensor(y, [2, 64], d));
            let speaker = Some(int_tensor(vec![0, 1], [2], d));
            let ce = |m: &WaveNet| m.loss(x.clone(), y.clone(), speaker.clone());
            t.step("cross-entropy", model, ce);
        },
    );
}

/// The part of a wgpu bug in burn 0.22 that genlab cannot work around (seen on Mesa's
/// lavapipe): a convolution with one output channel, used twice in one loss, gets the sum of
/// its two weight-gradient contributions wrong (the other part, the optimiser misreading
/// such a gradient, is handled by `genlab_train::optim::plain_grads`). No genlab model's step
/// hits it (pix2pix's PatchGAN, which ends in such a convolution, passes above at 32, 64 and
/// 128 pixels). Run with `--ignored` to see whether a burn update fixed it.
#[test]
#[ignore = "upstream: burn 0.22's wgpu sums a one-output-channel conv's weight gradients wrong"]
fn one_output_channel_conv_used_twice_matches_flex() {
    use burn::nn::PaddingConfig2d;
    use burn::nn::conv::{Conv2d, Conv2dConfig};
    let conv =
        Conv2dConfig::new([64, 1], [4, 4]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1));
    matches_flex(
        "conv 64 -> 1",
        RTOL,
        |d| conv.init(d),
        |model: Conv2d, d, t| {
            let x = float_tensor(signed(2 * 64 * 5 * 5, 1), [2, 64, 5, 5], d);
            let y = float_tensor(signed(2 * 64 * 5 * 5, 2), [2, 64, 5, 5], d);
            let loss = model.forward(x).powi_scalar(2).sum() + model.forward(y).sum();
            t.update("loss", loss, model);
        },
    );
}
