"""PyTorch peer of `genlab gan train --model dcgan` on MNIST (run by `cargo xtask bench gan`).

The same DCGAN as genlab's `GanConfig::mnist_dcgan()` (Radford et al., 2016, sized for 28x28):
  G: z(100) -> ConvT 128x7x7 -> BN, ReLU -> ConvT 64x14x14 -> BN, ReLU -> ConvT 1x28x28 -> tanh
  D: Conv 32x14x14 -> LReLU(0.2) -> Conv 64x7x7 -> BN, LReLU -> Conv 128x1x1 (7x7 kernel) -> LReLU
     -> Linear 128 -> 1 logit
Conv weights N(0, 0.02); non-saturating loss (BCE with logits); Adam lr 2e-4, betas (0.5,
0.999); batch 64, shuffled each epoch, last short batch dropped; images scaled to [-1, 1].
One generator pass per step serves both players (D on the detached fakes, then G on the same
fakes through the updated D), as in the PyTorch DCGAN example (pytorch/examples, dcgan/main.py).
It records the training time of each epoch and writes --n-samples generated digits as an IDX
file, which `genlab eval fid` scores with the same classifier as genlab's samples.
"""

import argparse
import json
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from mnist_idx import load_split


class Generator(nn.Module):
    def __init__(self, z_dim=100, g=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 2 * g, 7, 1, 0, bias=False), nn.BatchNorm2d(2 * g), nn.ReLU(True),
            nn.ConvTranspose2d(2 * g, g, 4, 2, 1, bias=False), nn.BatchNorm2d(g), nn.ReLU(True),
            nn.ConvTranspose2d(g, 1, 4, 2, 1, bias=True), nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z.view(z.shape[0], -1, 1, 1))


class Discriminator(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, d, 4, 2, 1, bias=True), nn.LeakyReLU(0.2, True),
            nn.Conv2d(d, 2 * d, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * d), nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * d, 128, 7, 1, 0, bias=True), nn.LeakyReLU(0.2, True),
        )
        self.head = nn.Linear(128, 1)

    def forward(self, x):
        return self.head(self.net(x).flatten(1)).squeeze(1)


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mnist-dir", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n-samples", type=int, default=1000)
    p.add_argument("--out-idx", required=True)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    x, _ = load_split(a.mnist_dir, "train")
    x = torch.from_numpy(x * 2.0 - 1.0).view(-1, 1, 28, 28)
    g, d = Generator(), Discriminator()
    g.apply(init_weights)
    d.apply(init_weights)
    opt_g = torch.optim.Adam(g.parameters(), lr=a.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=a.lr, betas=(0.5, 0.999))
    print(f"train {tuple(x.shape)}, torch {torch.__version__}, {a.threads} thread(s)", file=sys.stderr)
    epoch_seconds = []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(x.shape[0])
        sums = np.zeros(4)
        steps = x.shape[0] // a.batch_size
        for s in range(steps):
            real = x[order[s * a.batch_size : (s + 1) * a.batch_size]]
            b = real.shape[0]
            fake = g(torch.randn(b, 100))
            r, f = d(real), d(fake.detach())
            loss_d = F.softplus(-r).mean() + F.softplus(f).mean()
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = F.softplus(-d(fake)).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            sums += [loss_d.item(), loss_g.item(), torch.sigmoid(r).mean().item(), torch.sigmoid(f).mean().item()]
        epoch_seconds.append(time.perf_counter() - t0)
        m = sums / steps
        print(f"epoch {epoch + 1}: D loss {m[0]:.4f}, G loss {m[1]:.4f}, D(x) {m[2]:.3f}, "
              f"D(G(z)) {m[3]:.3f} ({epoch_seconds[-1]:.1f} s)", file=sys.stderr)
    g.eval()
    with torch.no_grad():
        samples = g(torch.randn(a.n_samples, 100))
    pixels = ((samples.squeeze(1).numpy() + 1.0) * 0.5).clip(0, 1) * 255.0
    header = bytes([0, 0, 8, 3]) + b"".join(v.to_bytes(4, "big") for v in (a.n_samples, 28, 28))
    with open(a.out_idx, "wb") as f:
        f.write(header + np.round(pixels).astype(np.uint8).tobytes())
    print(json.dumps({
        "peer": "pytorch-dcgan", "torch": torch.__version__, "threads": a.threads,
        "epochs": a.epochs, "train_images": int(x.shape[0]), "epoch_seconds": epoch_seconds,
        "median_epoch_seconds": float(np.median(epoch_seconds)), "samples": a.out_idx,
    }))


if __name__ == "__main__":
    main()
