"""Transforms of one image, an array of shape (channels, height, width)."""
from __future__ import annotations

import numpy as np


def _generator(generator: np.random.Generator | None) -> np.random.Generator:
    from ..init import generator as default
    return generator if generator is not None else default()


class RandomFlipHorizontal:
    """Mirror the image left to right with probability p."""

    def __init__(self, p: float = 0.5, generator: np.random.Generator | None = None):
        self.p, self.generator = p, generator

    def __call__(self, image: np.ndarray) -> np.ndarray:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class RandomCrop:
    """Zero-pad by `padding` on each side, then cut a window of the original size at random."""

    def __init__(self, padding: int = 4, generator: np.random.Generator | None = None):
        self.padding, self.generator = padding, generator

    def __call__(self, image: np.ndarray) -> np.ndarray:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class Normalize:
    """(image - mean) / std per channel."""

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")
