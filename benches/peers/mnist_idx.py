"""MNIST in the IDX format, for the peer scripts beside this file (they import it).

`load_split(dir, split)` reads `{split}-images-idx3-ubyte[.gz]` and `{split}-labels-idx1-ubyte[.gz]`
as (images (n, 784) float32 in [0, 1], labels (n,) int64), checking the header of each file.
"""

import gzip
import os

import numpy as np


def read_idx(path):
    """An IDX file of unsigned bytes (gzipped or raw) as a numpy array of its shape."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndims = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndims)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, file has {data.size} values")
    return data.reshape(dims)


def find(mnist_dir, stem):
    """`{stem}.gz` or `{stem}` in `mnist_dir`."""
    for name in (f"{stem}.gz", stem):
        path = os.path.join(mnist_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"no {stem}[.gz] in {mnist_dir}")


def load_split(mnist_dir, split):
    """(images (n, 784) float32 in [0, 1], labels (n,) int64)."""
    images = read_idx(find(mnist_dir, f"{split}-images-idx3-ubyte"))
    labels = read_idx(find(mnist_dir, f"{split}-labels-idx1-ubyte"))
    if len(images) != len(labels):
        raise ValueError(f"{split}: {len(images)} images but {len(labels)} labels")
    return images.reshape(len(images), -1).astype(np.float32) / 255.0, labels.astype(np.int64)
