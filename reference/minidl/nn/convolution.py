"""Convolution, transposed convolution, pooling and upsampling over images (NCHW, PyTorch's
names and shapes)."""
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
        ### BEGIN SOLUTION hw4
        out = ops.conv(x, self.weight, self.stride, self.padding)
        if self.bias is None:
            return out
        return out + self.bias.reshape(1, self.out_channels, 1, 1).broadcast_to(out.shape)
        ### END SOLUTION

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1,
                     padding: int = 0, output_padding: int = 0) -> Tensor:
    """Transposed 2-D convolution (ops.conv_transpose), plus bias (C_out,) per channel."""
    check_images("conv_transpose2d", x, weight.shape[0] if weight.ndim == 4 else None)
    ### BEGIN SOLUTION hw6
    out = ops.conv_transpose(x, weight, stride, padding, output_padding)
    if bias is None:
        return out
    return out + bias.reshape(1, out.shape[1], 1, 1).broadcast_to(out.shape)
    ### END SOLUTION


class ConvTranspose2d(Module):
    """Transposed 2-D convolution, PyTorch's layout: weight (in_channels, out_channels, k, k),
    bias (out_channels,); H_out = (H - 1) * stride - 2 * padding + k + output_padding."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, output_padding: int = 0, bias: bool = True,
                 dtype: str = "float32"):
        if not 0 <= output_padding < stride:
            raise ValueError(f"ConvTranspose2d needs 0 <= output_padding < stride, got "
                             f"output_padding={output_padding} with stride={stride}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.output_padding = output_padding
        shape = (in_channels, out_channels, kernel_size, kernel_size)
        # As PyTorch: the fans come from weight.shape[1] (out_channels) * k * k
        self.weight = Parameter(init.kaiming_uniform(*shape, dtype=dtype))
        bound = 1 / math.sqrt(out_channels * kernel_size * kernel_size)
        self.bias = Parameter(init.rand(out_channels, low=-bound, high=bound, dtype=dtype)) \
            if bias else None

    def forward(self, x: Tensor) -> Tensor:
        check_images("ConvTranspose2d", x, self.in_channels)
        return conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                self.output_padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, "
                f"output_padding={self.output_padding}")


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
        ### BEGIN SOLUTION hw4
        return _windows(x, self.kernel_size).max(axes=(3, 5))
        ### END SOLUTION


class AvgPool2d(Module):
    """The mean of each non-overlapping size x size window (stride = kernel_size)."""

    def __init__(self, kernel_size: int):
        self.kernel_size = kernel_size

    def forward(self, x: Tensor) -> Tensor:
        check_images("AvgPool2d", x)
        ### BEGIN SOLUTION hw4
        return _windows(x, self.kernel_size).sum(axes=(3, 5)) / self.kernel_size ** 2
        ### END SOLUTION


def interpolate(x: Tensor, scale_factor: int, mode: str = "nearest") -> Tensor:
    """x (N, C, *spatial) with every spatial axis `scale_factor` times longer, each value
    repeated (nearest neighbour, integer scale only)."""
    if mode != "nearest":
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented, only "
                                  "'nearest'")
    if int(scale_factor) != scale_factor or scale_factor < 1:
        raise ValueError(f"interpolate needs a positive integer scale_factor, got {scale_factor}")
    if x.ndim < 3:
        raise ValueError(f"interpolate expects (N, C, *spatial), got shape {x.shape}")
    s = int(scale_factor)
    ### BEGIN SOLUTION hw6
    # A new axis of size s after each spatial axis, broadcast, then merged into it
    spatial = x.shape[2:]
    spread = x.reshape(x.shape[:2] + tuple(d for n in spatial for d in (n, 1)))
    repeated = spread.broadcast_to(x.shape[:2] + tuple(d for n in spatial for d in (n, s)))
    return repeated.reshape(x.shape[:2] + tuple(n * s for n in spatial))
    ### END SOLUTION


class Upsample(Module):
    """Nearest-neighbour upsampling by an integer `scale_factor` (see `interpolate`)."""

    def __init__(self, scale_factor: int, mode: str = "nearest"):
        if mode != "nearest":
            raise NotImplementedError(f"Upsample: mode {mode!r} is not implemented, only "
                                      "'nearest'")
        self.scale_factor, self.mode = scale_factor, mode

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(x, self.scale_factor, self.mode)

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}, mode={self.mode!r}"
