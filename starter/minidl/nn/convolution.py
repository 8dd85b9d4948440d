"""Convolution and pooling over images (NCHW, PyTorch's names and shapes)."""
from __future__ import annotations

import math

from .. import init, ops
from ..autograd import Tensor
from .module import Module, Parameter, check_images


class Conv2d(Module):
    """2-D convolution: weight (out_channels, in_channels, k, k), bias (out_channels,)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, bias: bool = True, dtype: str = "float32"):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(init.kaiming_uniform(*shape, dtype=dtype))
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        self.bias = Parameter(init.rand(out_channels, low=-bound, high=bound, dtype=dtype)) \
            if bias else None

    def forward(self, x: Tensor) -> Tensor:
        check_images("Conv2d", x, self.in_channels)
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


def _windows(x: Tensor, size: int) -> Tensor:
    """x (N, C, H, W) cropped to multiples of `size`, as (N, C, H/size, size, W/size, size)."""
    n, c, h, w = x.shape
    rows, cols = h // size, w // size
    if (rows * size, cols * size) != (h, w):
        x = ops.getitem(x, (slice(None), slice(None), slice(0, rows * size),
                            slice(0, cols * size)))
    return x.reshape(n, c, rows, size, cols, size)


class MaxPool2d(Module):
    """The maximum of each non-overlapping size x size window (stride = kernel_size)."""

    def __init__(self, kernel_size: int):
        self.kernel_size = kernel_size

    def forward(self, x: Tensor) -> Tensor:
        check_images("MaxPool2d", x)
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class AvgPool2d(Module):
    """The mean of each non-overlapping size x size window (stride = kernel_size)."""

    def __init__(self, kernel_size: int):
        self.kernel_size = kernel_size

    def forward(self, x: Tensor) -> Tensor:
        check_images("AvgPool2d", x)
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")
