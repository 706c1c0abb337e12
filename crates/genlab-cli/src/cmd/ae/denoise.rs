//! `genlab ae denoise`: clean a photo with a trained denoiser. Given a clean photo and
//! `--sigma`, it adds seeded noise first and measures PSNR against the clean photo, with the
//! best Gaussian blur (an oracle that knows the clean image) as the baseline.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use genlab_autoencoder::Photo;
use genlab_autoencoder::denoise::{add_gaussian_noise, best_blur, denoise_photo, npy_bytes, psnr};
use genlab_tensor::image::{PixelRange, save_grid};
use genlab_tensor::{Device, Tensor};

use super::data::read_photo;

#[derive(Args, Debug)]
pub struct DenoiseArgs {
    /// Run folder of a `--model dae` training run.
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "runs/dae")]
    pub checkpoint: PathBuf,
    /// The photo: clean (with --sigma > 0, noise is added and PSNR measured) or already noisy
    /// (--sigma 0).
    #[arg(long, value_parser = crate::cmd::path_arg)]
    pub input: PathBuf,
    /// Gaussian noise to add, in 8-bit units (25 means 25/255).
    #[arg(long, default_value_t = 25.0)]
    pub sigma: f32,
    /// Seed of the noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output PNG: noisy | denoised | clean side by side (or just the result with --sigma 0).
    #[arg(long, value_parser = crate::cmd::path_arg, default_value = "denoise.png")]
    pub out: PathBuf,
}

fn strip(photos: &[&Photo], device: &Device) -> Tensor<4> {
    Tensor::cat(photos.iter().map(|p| p.to_tensor(device)).collect(), 0)
}

pub fn run(args: DenoiseArgs, device: &Device) -> Result<()> {
    let run = genlab_autoencoder::load(&args.checkpoint, device)?;
    let (model, cfg) = (&run.model, &run.config);
    if cfg.name() != "dae" {
        bail!(
            "{} holds a {} model; denoising needs a run of --model dae",
            args.checkpoint.display(),
            cfg.name()
        );
    }
    if !(args.sigma.is_finite() && args.sigma >= 0.0) {
        bail!("--sigma must be >= 0, got {}", args.sigma);
    }
    let photo = read_photo(&args.input, cfg.channels())?;
    if args.sigma == 0.0 {
        let clean = denoise_photo(model, &photo, device);
        save_grid(strip(&[&clean], device), 1, PixelRange::ZeroOne, &args.out)?;
        println!("wrote {}", args.out.display());
        return Ok(());
    }
    let noisy = add_gaussian_noise(&photo, args.sigma / 255.0, args.seed);
    let started = std::time::Instant::now();
    let denoised = denoise_photo(model, &noisy, device);
    let seconds = started.elapsed().as_secs_f64();
    let (blur_sigma, blur_psnr) = best_blur(&noisy, &photo);
    let noisy_clipped =
        Photo { values: noisy.values.iter().map(|v| v.clamp(0.0, 1.0)).collect(), ..noisy.clone() };
    save_grid(
        strip(&[&noisy_clipped, &denoised, &photo], device),
        3,
        PixelRange::ZeroOne,
        &args.out,
    )?;
    // The exact noisy input (unclipped float32, h × w × c) for benches/peers/denoise.py.
    let npy = args.out.with_extension("noisy.npy");
    std::fs::write(&npy, npy_bytes(&noisy.to_hwc(), &[noisy.height, noisy.width, noisy.channels]))?;
    let report = serde_json::json!({
        "image": args.input.display().to_string(),
        "noise": format!("gaussian sigma {}/255, seed {}", args.sigma, args.seed),
        "psnr_noisy": psnr(&noisy, &photo),
        "psnr_best_blur": blur_psnr,
        "best_blur_sigma": blur_sigma,
        "psnr_denoiser": psnr(&denoised, &photo),
        "gain_over_best_blur_db": psnr(&denoised, &photo) - blur_psnr,
        "denoise_seconds": seconds,
    });
    println!("{}", serde_json::to_string(&report)?);
    eprintln!("wrote {} (noisy | denoised | clean) and {}", args.out.display(), npy.display());
    Ok(())
}
