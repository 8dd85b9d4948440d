"""Datasets that work offline (the bundled digits) and readers for MNIST and CIFAR-10 files."""
from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .loader import ArrayDataset

DIGITS_FILE = Path(__file__).with_name("digits.csv.gz")


class DataFormatError(ValueError):
    """A data file that is corrupt, truncated or of another format; names the file."""


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 UCI handwritten digits: images (1797, 1, 8, 8) in [0, 1], labels (1797,)."""
    table = np.loadtxt(DIGITS_FILE, delimiter=",", dtype=np.float32)
    return (table[:, :64] / 16.0).reshape(-1, 1, 8, 8), table[:, 64].astype(np.int64)


def digits(train: bool, test_size: int = 297, transforms=None) -> ArrayDataset:
    """The digits split into 1,500 training and 297 test images by a fixed shuffle."""
    images, labels = load_digits()
    order = np.random.default_rng(0).permutation(len(labels))
    chosen = order[test_size:] if train else order[:test_size]
    return ArrayDataset(images[chosen], labels[chosen], transforms=transforms)


def digits32(train: bool, test_size: int = 297, transforms=None) -> ArrayDataset:
    """The digits in CIFAR-10's shape (3, 32, 32), for convolutional runs with no download:
    each 8x8 image scaled 4x and tinted with a random colour of its own (fixed per split)."""
    images, labels = digits(train, test_size).arrays
    large = images.repeat(4, axis=2).repeat(4, axis=3)
    tints = np.random.default_rng(1 if train else 2).uniform(0.3, 1.0, (len(labels), 3, 1, 1))
    return ArrayDataset((large * tints).astype(np.float32), labels, transforms=transforms)


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_idx(path: Path) -> np.ndarray:
    """An array from an IDX file (MNIST's format), gzipped or not."""
    path = Path(path)
    try:
        with _open(path) as file:
            data = file.read()
    except (OSError, EOFError) as error:
        raise DataFormatError(f"{path}: cannot be read ({error})") from None
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise DataFormatError(f"{path}: not an IDX file of unsigned bytes (magic {data[:4]!r})")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFormatError(f"{path}: truncated header")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataFormatError(f"{path}: {len(data)} bytes, but its header (shape {shape}) "
                              f"needs {expected}: the file is truncated or corrupt")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


MNIST_FILES = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
               False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


def download(url: str, target: Path, progress: bool = True) -> Path:
    """Fetch `url` into `target` (through a partial file, so a failure leaves nothing behind)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(partial, "wb") as file:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name,
                      disable=not progress) as bar:
                while chunk := response.read(1 << 16):
                    file.write(chunk)
                    bar.update(len(chunk))
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OSError(f"downloading {url} to {target} failed: {error}") from None
    return target


def mnist(root: Path, train: bool, download_from: str | None = None, transforms=None,
          progress: bool = True) -> ArrayDataset:
    """MNIST from IDX files in `root`, first fetched from `download_from` (a base URL) if missing."""
    root = Path(root)
    paths = [root / name for name in MNIST_FILES[train]]
    for path in paths:
        if not path.exists():
            if download_from is None:
                raise FileNotFoundError(f"{path} is missing; pass download_from=BASE_URL to fetch it")
            download(f"{download_from.rstrip('/')}/{path.name}", path, progress)
    images, labels = (read_idx(p) for p in paths)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise DataFormatError(f"{paths[0]} holds {images.shape}, {paths[1]} holds "
                              f"{labels.shape}: not matching MNIST images and labels")
    return ArrayDataset((images[:, None] / 255.0).astype(np.float32), labels.astype(np.int64),
                        transforms=transforms)


CIFAR_RECORD = 1 + 3 * 32 * 32


def read_cifar10_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 3, 32, 32) in [0, 1] and labels (n,) from one CIFAR-10 binary batch file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataFormatError(f"{path}: cannot be read ({error})") from None
    if not data or len(data) % CIFAR_RECORD:
        raise DataFormatError(f"{path}: {len(data)} bytes is not a whole number of "
                              f"{CIFAR_RECORD}-byte CIFAR-10 records: truncated or corrupt")
    records = np.frombuffer(data, np.uint8).reshape(-1, CIFAR_RECORD)
    if records[:, 0].max() > 9:
        raise DataFormatError(f"{path}: labels above 9, not a CIFAR-10 batch")
    images = (records[:, 1:].reshape(-1, 3, 32, 32) / 255.0).astype(np.float32)
    return images, records[:, 0].astype(np.int64)


def cifar10(root: Path, train: bool, transforms=None) -> ArrayDataset:
    """CIFAR-10 from its binary batches in `root` (data_batch_1..5.bin, test_batch.bin)."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if train else ["test_batch.bin"]
    batches = [read_cifar10_batch(Path(root) / name) for name in names]
    return ArrayDataset(np.concatenate([b[0] for b in batches]),
                        np.concatenate([b[1] for b in batches]), transforms=transforms)
