"""How genlab's `relative` anomaly score got its exponent, without looking at the test digits.

The score is ||x - x_hat||^2 / ||x||^p. This script picks p by MNIST one-class-out on the
TRAINING split only: the 8,000 training digits are shuffled by --seed into 7,000 to fit and
1,000 to score; for each digit k an autoencoder of genlab's detector shape (784-256-64-16 and
back, ReLU, linear output, squared-error loss, Adam 1e-3, batch 128, 10 epochs; PyTorch, not
genlab, so it runs beside genlab's bench and shares no code with it) is fitted on the 7,000
without k, and the 1,000 are scored with every p, anomaly = (label == k). It prints the mean
AUROC over the ten digits for each p (and for 1 - cos(x, x_hat)) as ONE JSON object.

    OMP_NUM_THREADS=1 python benches/peers/anomaly_power.py --mnist-dir ../shared/data/mnist --seed 1
"""

import argparse
import json
import sys

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from mnist_idx import load_split

POWERS = [0.0, 0.5, 1.0, 1.5, 2.0]


def mlp(dims):
    layers = []
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist-dir", default="../shared/data/mnist")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load_split(args.mnist_dir, "train")
    order = np.random.default_rng(args.seed).permutation(len(x))
    fit_idx, val_idx = order[:7000], order[7000:]
    val = torch.tensor(x[val_idx])
    aurocs = {str(p): [] for p in POWERS}
    aurocs["cosine"] = []
    for k in range(10):
        torch.manual_seed(args.seed * 100 + k)
        normal = torch.tensor(x[fit_idx][y[fit_idx] != k])
        labels = y[val_idx] == k
        enc, dec = mlp([784, 256, 64, 16]), mlp([16, 64, 256, 784])
        opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=1e-3)
        for _ in range(args.epochs):
            perm = torch.randperm(len(normal))
            for i in range(0, len(normal), 128):
                batch = normal[perm[i:i + 128]]
                loss = ((dec(enc(batch)) - batch) ** 2).sum(1).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            recon = dec(enc(val)).numpy()
        v = val.numpy()
        err = ((recon - v) ** 2).sum(1)
        norm = np.sqrt((v ** 2).sum(1))
        for p in POWERS:
            aurocs[str(p)].append(float(roc_auc_score(labels, err / norm ** p)))
        cos = 1 - (recon * v).sum(1) / (np.linalg.norm(recon, axis=1) * norm)
        aurocs["cosine"].append(float(roc_auc_score(labels, cos)))
        print(f"digit {k}: " + ", ".join(f"{n} {a[-1]:.3f}" for n, a in aurocs.items()),
              file=sys.stderr)
    print(json.dumps({
        "seed": args.seed,
        "mean_auroc": {n: round(float(np.mean(a)), 4) for n, a in aurocs.items()},
        "auroc": aurocs,
    }))


if __name__ == "__main__":
    main()
