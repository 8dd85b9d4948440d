"""Initial values for parameters, drawn from a seedable generator.

Fans follow PyTorch: for a weight of shape (out, in, *kernel), fan_in = in * prod(kernel) and
fan_out = out * prod(kernel).
"""
from __future__ import annotations

import math

import numpy as np

from .autograd import Tensor

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Make every later random draw of minidl (init, Dropout) reproducible."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator minidl draws its random numbers from."""
    return _generator


def _tensor(array: np.ndarray, dtype: str, requires_grad: bool) -> Tensor:
    return Tensor(array, dtype=dtype, requires_grad=requires_grad)


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape` (at least 2-D)."""
    if len(shape) < 2:
        raise ValueError(f"fans need a weight of at least 2 dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def zeros(*shape, dtype: str = "float32", requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    return _tensor(np.zeros(shape), dtype, requires_grad)


def ones(*shape, dtype: str = "float32", requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _tensor(np.ones(shape), dtype, requires_grad)


def rand(*shape, low: float = 0.0, high: float = 1.0, dtype: str = "float32",
         requires_grad: bool = False) -> Tensor:
    """Uniform samples from [low, high)."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def randn(*shape, mean: float = 0.0, std: float = 1.0, dtype: str = "float32",
          requires_grad: bool = False) -> Tensor:
    """Normal samples with the given mean and standard deviation."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def xavier_uniform(*shape, gain: float = 1.0, **kwargs) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def xavier_normal(*shape, gain: float = 1.0, **kwargs) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def kaiming_uniform(*shape, **kwargs) -> Tensor:
    """U(-b, b) with b = sqrt(2) * sqrt(3 / fan_in), for layers followed by ReLU (He et al., 2015)."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def kaiming_normal(*shape, **kwargs) -> Tensor:
    """N(0, std^2) with std = sqrt(2) / sqrt(fan_in), for layers followed by ReLU."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")
