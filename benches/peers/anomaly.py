"""PyOD peer for genlab's autoencoder anomaly detection: PyOD's AutoEncoder detector
(pyod.models.auto_encoder.AutoEncoder, https://github.com/yzhao062/pyod, Zhao, Nasrullah & Li,
"PyOD: A Python Toolbox for Scalable Outlier Detection", JMLR 2019) on MNIST one-class-out,
the usual protocol of the deep anomaly detection papers with the roles swapped (e.g. Ruff et
al., "Deep One-Class Classification", ICML 2018, https://proceedings.mlr.press/v80/ruff18a.html
train on one digit; here, as in genlab, one digit is the anomaly). Prints ONE JSON object.

For each digit k: fit on the training images whose label is not k (flattened, pixels / 255,
float32), score every t10k image with `decision_function`, anomaly label = (label == k), and
report sklearn's roc_auc_score.

The detector keeps PyOD 3.6.7's defaults except `epoch_num` (--epochs; PyOD's default is 10,
kept here) and `random_state` (--seed; PyOD's default is 42, kept here), plus two settings
that change no result: `device` (--device, "cpu": PyOD would pick CUDA when present) and
`verbose=0` (no progress bar). Those defaults, as of 3.6.7: hidden_neuron_list [64, 32]
(784-64-32-64-784 with BatchNorm, ReLU and dropout 0.2 in every hidden block, linear output),
MSE loss, Adam lr 1e-3 with weight_decay 1e-5, batch 32 (drop_last), preprocessing=True
(each pixel standardised with the training mean and std, std + 1e-8 in the denominator), and
the score is the Euclidean distance between the standardised input and its reconstruction.
Because of that standardisation, a test image with ink on a pixel that is blank in every
training image gets a huge score; `ink_on_blank_pixels` counts such test images per digit.

With `--config genlab` the detector instead has the shape and inputs of genlab's
`ae detect` model: hidden_neuron_list [256, 64, 16] (784-256-64-16-64-256-784, ReLU), no
batch norm and no dropout (genlab's AE has neither), pixels in [0, 1] as they are
(preprocessing=False), batch 128, Adam lr 1e-3 without weight decay, 10 epochs. The score
stays PyOD's (the distance between input and reconstruction).

    OMP_NUM_THREADS=1 python benches/peers/anomaly.py --mnist-dir ../shared/data/mnist --threads 1
"""

import argparse
import json
import sys
import time

import numpy as np
import pyod
import torch
from pyod.models.auto_encoder import AutoEncoder
from sklearn.metrics import roc_auc_score

from mnist_idx import load_split


def parse_digits(text):
    """'0-9', '3', '0,2,5-7' -> sorted list of digits."""
    digits = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        digits.update(range(int(lo), int(hi or lo) + 1))
    if not digits or min(digits) < 0 or max(digits) > 9:
        raise argparse.ArgumentTypeError(f"digits must lie in 0..9, got {text!r}")
    return sorted(digits)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist-dir", default="../shared/data/mnist")
    ap.add_argument("--digits", type=parse_digits, default=list(range(10)),
                    help="anomalous digits to run, e.g. 0-9 (default) or 0,3,5-7")
    ap.add_argument("--epochs", type=int, default=10, help="PyOD's epoch_num (its default: 10)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=42, help="PyOD's random_state (its default: 42)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--config", choices=["default", "genlab"], default="default",
                    help="PyOD's defaults, or the shape and inputs of genlab's detector")
    args = ap.parse_args()
    settings = {}
    if args.config == "genlab":
        settings = dict(hidden_neuron_list=[256, 64, 16], batch_norm=False, dropout_rate=0.0,
                        preprocessing=False, batch_size=128, lr=1e-3,
                        optimizer_params={"weight_decay": 0.0})

    torch.set_num_threads(args.threads)
    x_train, y_train = load_split(args.mnist_dir, "train")
    x_test, y_test = load_split(args.mnist_dir, "t10k")
    print(f"train {x_train.shape}, test {x_test.shape}, pyod {pyod.__version__}, "
          f"torch {torch.__version__}, {args.threads} thread(s)", file=sys.stderr)

    aurocs, seconds, ink, params = {}, {}, {}, None
    start = time.perf_counter()
    for k in args.digits:
        t0 = time.perf_counter()
        normal = x_train[y_train != k]
        detector = AutoEncoder(epoch_num=args.epochs, random_state=args.seed,
                               device=args.device, verbose=0, **settings)
        detector.fit(normal)
        scores = detector.decision_function(x_test)
        aurocs[str(k)] = float(roc_auc_score(y_test == k, scores))
        seconds[str(k)] = round(time.perf_counter() - t0, 3)
        blank = normal.std(axis=0) == 0
        ink[str(k)] = int((x_test[:, blank] > 0).any(axis=1).sum())
        if params is None:
            params = {key: (value if isinstance(value, (bool, int, float, str, list, dict,
                                                         type(None))) else str(value))
                      for key, value in detector.get_params().items()}
        print(f"digit {k} anomalous: {len(normal)} training images, AUROC {aurocs[str(k)]:.4f}, "
              f"{seconds[str(k)]:.1f} s", file=sys.stderr)
    total = time.perf_counter() - start

    print(json.dumps({
        "peer": "pyod-autoencoder",
        "config": args.config,
        "pyod": pyod.__version__,
        "torch": torch.__version__,
        "threads": args.threads,
        "params": params,
        "train_images": len(x_train),
        "test_images": len(x_test),
        "auroc": aurocs,
        "mean_auroc": float(np.mean(list(aurocs.values()))),
        "ink_on_blank_pixels": ink,
        "seconds_per_digit": seconds,
        "seconds": round(total, 3),
    }))


if __name__ == "__main__":
    main()
