"""Convolution, pooling and 2-D batch normalization (NCHW, PyTorch's names and shapes)."""
from __future__ import annotations

import math

from .. import init, ops
from ..autograd import Tensor
from .basic import BatchNorm1d
from .module import Module, Parameter


def _check_images(layer: str, x: Tensor, channels: int | None = None) -> None:
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        expected = "C" if channels is None else str(channels)
        raise ValueError(f"{layer} expects images (N, {expected}, H, W), got shape {x.shape}")


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
        _check_images("Conv2d", x, self.in_channels)
        ### BEGIN SOLUTION hw4
        out = ops.conv(x, self.weight, self.stride, self.padding)
        if self.bias is None:
            return out
        return out + self.bias.reshape(1, self.out_channels, 1, 1).broadcast_to(out.shape)
        ### END SOLUTION

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
        _check_images("MaxPool2d", x)
        ### BEGIN SOLUTION hw4
        return _windows(x, self.kernel_size).max(axes=(3, 5))
        ### END SOLUTION


class AvgPool2d(Module):
    """The mean of each non-overlapping size x size window (stride = kernel_size)."""

    def __init__(self, kernel_size: int):
        self.kernel_size = kernel_size

    def forward(self, x: Tensor) -> Tensor:
        _check_images("AvgPool2d", x)
        ### BEGIN SOLUTION hw4
        return _windows(x, self.kernel_size).sum(axes=(3, 5)) / self.kernel_size ** 2
        ### END SOLUTION


class BatchNorm2d(BatchNorm1d):
    """BatchNorm1d over the channels of images: statistics over N, H and W, reduced and
    broadcast along those axes (no permuted copy of the images)."""

    def forward(self, x: Tensor) -> Tensor:
        _check_images("BatchNorm2d", x, self.num_features)
        ### BEGIN SOLUTION hw4
        n, c, h, w = x.shape

        def per_channel(t):  # (C,) as (1, C, 1, 1), which broadcasts over N, H and W
            return t.reshape(1, c, 1, 1)

        if self.training:
            mean = x.sum((0, 2, 3)) / (n * h * w)
            centered = x - per_channel(mean)
            var = (centered * centered).sum((0, 2, 3)) / (n * h * w)
            self._track(mean, var, n * h * w)
        else:
            centered, var = x - per_channel(self.running_mean), self.running_var
        scale = per_channel(self.weight / (var + self.eps) ** 0.5)
        return centered * scale + per_channel(self.bias)
        ### END SOLUTION


### BEGIN REFERENCE ONLY
# BatchNorm2d's training step in 2 launches forward (and the count of batches) and 3 backward on
# a device with the fused kernels (its `batch_norm_stats`), where the composed ops take about 19
# and 25; the same numbers. Evaluation keeps the composed ops.
from ..autograd import Op  # noqa: E402

_plain_batch_norm_2d = BatchNorm2d.forward


def _images(x) -> tuple[int, int, int]:
    """An array (n, c, h, w) as (n, c, h * w)."""
    n, c, h, w = x.shape
    return n, c, h * w


def _batch_norm_2d(self: BatchNorm2d, x: Tensor) -> Tensor:
    """BatchNorm2d.forward, fused in training where the device has the kernels."""
    if not self.training or not hasattr(x.device.module, "batch_norm_stats"):
        return _plain_batch_norm_2d(self, x)
    _check_images("BatchNorm2d", x, self.num_features)
    data = x.realize_cached_data().compact()
    n, c, hw = _images(data)
    stats, new_mean, new_var = (data.device.empty(shape, data.dtype)
                                for shape in [(2, c), (c,), (c,)])
    data.device.module.batch_norm_stats(
        data._handle, stats._handle, self.running_mean.realize_cached_data()._handle,
        self.running_var.realize_cached_data()._handle, new_mean._handle, new_var._handle, n, c,
        hw, self.eps, self.momentum)
    self.running_mean.data, self.running_var.data = map(Tensor.make_const, (new_mean, new_var))
    self.num_batches_tracked.data = self.num_batches_tracked + 1.0
    return _BatchNormApply()(x, Tensor.make_const(stats), self.weight, self.bias)


class _BatchNormApply(Op):
    """(x - mean) / std * weight + bias per channel of images x, from stats (2, C): each
    channel's mean and 1 / std; the gradient of x includes the statistics' dependence on x."""

    def compute(self, x, stats, weight, bias):
        x = x.compact()
        out = x.device.empty(x.shape, x.dtype)
        _, c, hw = _images(x)
        x.device.module.batch_norm_apply(x._handle, stats.compact()._handle,
                                         weight.compact()._handle, bias.compact()._handle,
                                         out._handle, c, hw)
        return out

    def gradient(self, out_grad, node):
        x, stats, weight, _ = node.inputs
        grad_sum = _BatchNormSum(False)(x, stats, out_grad)
        normalized_sum = _BatchNormSum(True)(x, stats, out_grad)
        grad_x = _BatchNormGradX()(x, stats, out_grad, weight, grad_sum, normalized_sum)
        return grad_x, None, normalized_sum, grad_sum


class _BatchNormSum(Op):
    """Each channel's sum of out_grad (d bias), or of out_grad times the normalized x (d weight)."""

    def __init__(self, normalized: bool):
        self.normalized = normalized

    def compute(self, x, stats, grad):
        x, grad = x.compact(), grad.compact()
        n, c, hw = _images(x)
        out = x.device.empty((c,), x.dtype)
        x.device.module.batch_norm_sum(self.normalized, x._handle, stats.compact()._handle,
                                       grad._handle, out._handle, n, c, hw)
        return out

    def gradient(self, out_grad, node):
        raise NotImplementedError("the fused BatchNorm2d has no second derivatives")


class _BatchNormGradX(Op):
    """d x of _BatchNormApply, from out_grad and the two _BatchNormSums."""

    def compute(self, x, stats, grad, weight, grad_sum, normalized_sum):
        x, grad = x.compact(), grad.compact()
        n, c, hw = _images(x)
        out = x.device.empty(x.shape, x.dtype)
        x.device.module.batch_norm_grad_x(
            x._handle, stats.compact()._handle, grad._handle, weight.compact()._handle,
            grad_sum.compact()._handle, normalized_sum.compact()._handle, out._handle, n, c, hw)
        return out

    def gradient(self, out_grad, node):
        raise NotImplementedError("the fused BatchNorm2d has no second derivatives")


BatchNorm2d.forward = _batch_norm_2d
### END REFERENCE ONLY
