"""Classical denoising peer for genlab's denoising autoencoder: PSNR of a noisy colour image,
of the best Gaussian blur, and of scikit-image's non-local means with the settings its gallery
recommends ("Non-local means denoising for preserving textures",
https://scikit-image.org/docs/stable/auto_examples/filters/plot_nonlocal_means.html; Buades,
Coll & Morel 2005; fast mode: Darbon et al. 2008). Prints ONE JSON object on stdout.

  * clean = PNG / 255 (float64, HxWx3); noisy = --noisy (a float32 .npy in the same [0, 1]
    scale, e.g. written by genlab, noise not clipped) or clean + N(0, (--sigma/255)^2) drawn
    with numpy's default_rng(--seed), not clipped either.
  * PSNR = 10 log10(1 / MSE) over all pixels and channels (peak 1.0), no clipping.
  * Blur: scipy.ndimage.gaussian_filter on each channel, mode "reflect", sigma in
    np.arange(0.3, 3.01, 0.1); the best PSNR is reported with its sigma (an oracle: it uses
    the clean image to choose).
  * NLM: sigma_est = mean(estimate_sigma(noisy, channel_axis=-1)), then
    denoise_nl_means(noisy, h=0.8 * sigma_est, patch_size=5, patch_distance=6,
    fast_mode=True, channel_axis=-1), timed.

    python benches/peers/denoise.py --clean ../shared/data/images/chelsea.png --noisy noisy.npy
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy
import skimage
from scipy.ndimage import gaussian_filter
from skimage import io
from skimage.restoration import denoise_nl_means, estimate_sigma


def psnr(clean, x):
    mse = np.mean((np.asarray(clean, np.float64) - np.asarray(x, np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def load_clean(path):
    image = io.imread(path)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.dtype != np.uint8:
        raise ValueError(f"{path}: expected an 8-bit PNG, got {image.dtype}")
    return image[..., :3].astype(np.float64) / 255.0  # drop alpha if any


def blur(noisy, sigma):
    channels = [gaussian_filter(noisy[..., c], sigma, mode="reflect")
                for c in range(noisy.shape[-1])]
    return np.stack(channels, axis=-1)


def to_u8(x):
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clean", required=True, help="the clean PNG")
    ap.add_argument("--noisy", help="float32 .npy, HxWx3 in [0, 1] scale; default: add noise here")
    ap.add_argument("--sigma", type=float, default=25.0, help="noise std on the 0..255 scale")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out-png", help="write a noisy | best blur | NLM strip here")
    ap.add_argument("--threads", type=int, default=1,
                    help="accepted for symmetry with the other peers; NLM and the blur run on one thread")
    args = ap.parse_args()

    clean = load_clean(args.clean)
    if args.noisy:
        noisy = np.load(args.noisy).astype(np.float64)
        if noisy.shape != clean.shape:
            sys.exit(f"{args.noisy}: shape {noisy.shape} differs from the clean image's "
                     f"{clean.shape}")
        source = args.noisy
    else:
        rng = np.random.default_rng(args.seed)
        noise = rng.normal(0.0, args.sigma / 255.0, size=clean.shape).astype(np.float32)
        noisy = (clean.astype(np.float32) + noise).astype(np.float64)
        source = f"gaussian sigma {args.sigma}/255, seed {args.seed}"
    print(f"clean {clean.shape}, noisy from {source}", file=sys.stderr)

    psnr_noisy = psnr(clean, noisy)
    best_sigma, best_blur, best_psnr = None, None, -np.inf
    for sigma in np.arange(0.3, 3.01, 0.1):
        candidate = blur(noisy, sigma)
        p = psnr(clean, candidate)
        if p > best_psnr:
            best_sigma, best_blur, best_psnr = float(sigma), candidate, p
    print(f"noisy {psnr_noisy:.3f} dB, best blur {best_psnr:.3f} dB at sigma {best_sigma:.1f}",
          file=sys.stderr)

    sigma_est = float(np.mean(estimate_sigma(noisy, channel_axis=-1)))
    t0 = time.perf_counter()
    nlm = denoise_nl_means(noisy, h=0.8 * sigma_est, patch_size=5, patch_distance=6,
                           fast_mode=True, channel_axis=-1)
    nlm_seconds = time.perf_counter() - t0
    psnr_nlm = psnr(clean, nlm)
    print(f"NLM {psnr_nlm:.3f} dB in {nlm_seconds:.3f} s (sigma_est {sigma_est:.4f})",
          file=sys.stderr)

    if args.out_png:
        io.imsave(args.out_png, np.hstack([to_u8(noisy), to_u8(best_blur), to_u8(nlm)]),
                  check_contrast=False)

    print(json.dumps({
        "peer": "skimage-nlm",
        "skimage": skimage.__version__,
        "scipy": scipy.__version__,
        "image": args.clean,
        "shape": list(clean.shape),
        "noise": source,
        "psnr_noisy": psnr_noisy,
        "psnr_best_blur": best_psnr,
        "best_blur_sigma": round(best_sigma, 1),
        "sigma_est": sigma_est,
        "psnr_nlm": psnr_nlm,
        "nlm_seconds": round(nlm_seconds, 4),
    }))


if __name__ == "__main__":
    main()
