"""PyTorch CPU peer for genlab's MNIST VAE: the variational autoencoder of the PyTorch examples
repository, https://github.com/pytorch/examples/blob/main/vae/main.py (Kingma & Welling,
"Auto-Encoding Variational Bayes", https://arxiv.org/abs/1312.6114), rewritten here with the
same model, loss and training recipe, timed per epoch. Prints ONE JSON object on stdout.

Same as the example:
  * fc1 784->400, ReLU; fc21 / fc22 400->20 (mu, logvar); fc3 20->400, ReLU; fc4 400->784,
    sigmoid; torch's default (Kaiming-uniform) initialisation.
  * z = mu + exp(logvar / 2) * eps, one sample per image, also at test time.
  * loss = BCE(recon, x, reduction="sum") + KLD, KLD = -1/2 sum(1 + logvar - mu^2 - e^logvar).
  * Adam lr 1e-3, batch 128, reshuffled every epoch, last partial batch kept.
  * Pixels x / 255 as floats in [0, 1] (what ToTensor gives, not binarised).
Different: MNIST is read from the IDX files given (--mnist-dir) and kept in memory as one
tensor, indexed per batch, instead of torchvision's DataLoader, so that the epoch time measures
the model's training and not image decoding.

Reported, all in nats per image: the training loss averaged over the last epoch (the number the
example prints), and the test negative ELBO, sum over t10k of BCE + KLD / number of test images,
with one z sample (as the example) and with z = mu (deterministic, no sampling noise).

    OMP_NUM_THREADS=1 python benches/peers/vae.py --mnist-dir ../shared/data/mnist --threads 1
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mnist_idx import load_split


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))  # (b, 400)
        return self.fc21(h), self.fc22(h)  # mu, logvar: (b, 20) each

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))  # (b, 784)

    def forward(self, x, sample=True):
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
        return self.decode(z), mu, logvar


def neg_elbo_sum(recon, x, mu, logvar):
    """BCE + KLD summed over the batch (the example's loss_function)."""
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train_epoch(model, opt, train, batch_size):
    model.train()
    total = 0.0
    order = torch.randperm(len(train))
    for start in range(0, len(train), batch_size):
        x = train[order[start:start + batch_size]]  # (b, 784)
        opt.zero_grad()
        recon, mu, logvar = model(x)
        loss = neg_elbo_sum(recon, x, mu, logvar)
        loss.backward()
        opt.step()
        total += loss.item()
    return total / len(train)


@torch.no_grad()
def test_neg_elbo(model, test, batch_size, sample):
    model.eval()
    total = 0.0
    for start in range(0, len(test), batch_size):
        x = test[start:start + batch_size]
        recon, mu, logvar = model(x, sample=sample)
        total += neg_elbo_sum(recon, x, mu, logvar).item()
    return total / len(test)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist-dir", default="../shared/data/mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=1, help="the example's default seed is 1")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train = torch.from_numpy(load_split(args.mnist_dir, "train")[0])
    test = torch.from_numpy(load_split(args.mnist_dir, "t10k")[0])
    print(f"train {tuple(train.shape)}, test {tuple(test.shape)}, "
          f"torch {torch.__version__}, {args.threads} thread(s)", file=sys.stderr)

    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    epoch_seconds, train_loss = [], float("nan")
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        train_loss = train_epoch(model, opt, train, args.batch_size)
        epoch_seconds.append(time.perf_counter() - t0)
        print(f"epoch {epoch}: train loss {train_loss:.4f} nats/image, "
              f"{epoch_seconds[-1]:.3f} s", file=sys.stderr)

    neg_elbo = test_neg_elbo(model, test, args.batch_size, sample=True)
    neg_elbo_mu = test_neg_elbo(model, test, args.batch_size, sample=False)
    print(f"test -ELBO {neg_elbo:.4f} (z sampled), {neg_elbo_mu:.4f} (z = mu)", file=sys.stderr)
    print(json.dumps({
        "peer": "pytorch-vae",
        "torch": torch.__version__,
        "threads": args.threads,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "train_images": len(train),
        "test_images": len(test),
        "epoch_seconds": [round(s, 4) for s in epoch_seconds],
        "median_epoch_seconds":
            round(statistics.median(epoch_seconds), 4) if epoch_seconds else None,
        "test_neg_elbo": neg_elbo,
        "test_neg_elbo_mu": neg_elbo_mu,
        "train_neg_elbo_last_epoch": train_loss,
    }))


if __name__ == "__main__":
    main()
