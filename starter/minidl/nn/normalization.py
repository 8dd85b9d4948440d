"""Normalization: batch norm over the batch (BatchNorm1d) or the batch and positions of images
(BatchNorm2d), layer norm over each example's last dimensions (LayerNorm, and LayerNorm1d,
hw2's name for LayerNorm over one dimension), and group norm over groups of channels
(GroupNorm)."""
from __future__ import annotations

import math

from .. import init
from ..autograd import Tensor
from ..backends import Device
from .module import Module, Parameter, check_features, check_images


class BatchNorm1d(Module):
    """Normalize each feature over the batch; running statistics are used in eval mode.

    As PyTorch: the batch variance normalizes with 1/N, the running variance is updated with
    the unbiased estimate, running = (1 - momentum) * running + momentum * batch.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 dtype: str = "float32"):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(init.ones(num_features, dtype=dtype))
        self.bias = Parameter(init.zeros(num_features, dtype=dtype))
        self.running_mean = init.zeros(num_features, dtype=dtype)
        self.running_var = init.ones(num_features, dtype=dtype)
        self.num_batches_tracked = init.zeros(dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2:
            raise ValueError(f"BatchNorm1d expects (batch, {self.num_features}), got {x.shape}")
        check_features("BatchNorm1d", x, self.num_features)
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def _track(self, mean: Tensor, var: Tensor, n: int) -> None:
        """Fold a batch's mean and (biased) variance over n values into the running ones."""
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm2d(BatchNorm1d):
    """BatchNorm1d over the channels of images: statistics over N, H and W, reduced and
    broadcast along those axes (no permuted copy of the images)."""

    def forward(self, x: Tensor) -> Tensor:
        check_images("BatchNorm2d", x, self.num_features)
        if self.training and x.device.has("batch_norm"):  # the kit's fused kernels (nn/fused.py)
            from .fused import fused_batch_norm_2d
            return fused_batch_norm_2d(self, x)
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class LayerNorm(Module):
    """Normalize over the last len(normalized_shape) dimensions, then scale by `weight` and
    shift by `bias` (each of normalized_shape), as PyTorch's LayerNorm: those dimensions are
    flattened into one, standardized, and shaped back."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Device | None = None, dtype: str = "float32"):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) \
            else tuple(normalized_shape)
        if not shape or any(n < 1 for n in shape):
            raise ValueError(f"{type(self).__name__} needs a normalized_shape of positive "
                             f"sizes, got {normalized_shape}")
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(init.ones(*shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(init.zeros(*shape, dtype=dtype)) \
            if elementwise_affine and bias else None
        self.to(device)

    def forward(self, x: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if x.shape[max(x.ndim - k, 0):] != self.normalized_shape or x.ndim < k:
            raise ValueError(f"{type(self).__name__}{self.normalized_shape} expects inputs of "
                             f"shape (..., {', '.join(map(str, self.normalized_shape))}), got "
                             f"{x.shape}")
        flat = x.reshape(x.shape[:x.ndim - k] + (math.prod(self.normalized_shape),))
        out = self._standardize(flat).reshape(x.shape)
        if self.weight is not None:
            out = out * self.weight
        return out if self.bias is None else out + self.bias

    def _standardize(self, x: Tensor) -> Tensor:
        """(x - mean) / sqrt(var + eps), with the mean and the (biased) variance over the last
        axis of x."""
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LayerNorm1d(LayerNorm):
    """LayerNorm over the last dimension, of size `dim` (hw2's name for LayerNorm(dim))."""

    def __init__(self, dim: int, eps: float = 1e-5, dtype: str = "float32"):
        super().__init__(dim, eps, dtype=dtype)
        self.dim = dim

    def extra_repr(self) -> str:
        return f"{self.dim}, eps={self.eps}"


def group_norm(x: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize x (N, C, *) over each of `num_groups` groups of C / num_groups consecutive
    channels (and all positions), with the biased variance; then scale by weight (C,) and
    shift by bias (C,) per channel, as PyTorch's group_norm."""
    if num_groups < 1 or x.ndim < 2 or x.shape[1] % num_groups != 0:
        raise ValueError(f"group_norm: {num_groups} groups need inputs (N, C, *) with C a "
                         f"multiple of {num_groups}, got shape {x.shape}")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


class GroupNorm(Module):
    """Group normalization (Wu & He, 2018) of inputs (N, C, *): see `group_norm`; weight (C,)
    starts at ones and bias (C,) at zeros."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, dtype: str = "float32"):
        if num_groups < 1 or num_channels % num_groups != 0:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be a multiple of "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.affine = affine
        self.weight = Parameter(init.ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(init.zeros(num_channels, dtype=dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}) expects inputs "
                             f"(N, {self.num_channels}, *), got shape {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
