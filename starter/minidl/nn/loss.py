"""Losses: cross-entropy of logits against class labels, the mean squared error, binary
cross-entropy of logits against targets in [0, 1], and the Gaussian negative log-likelihood of
predicted means and variances."""
from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..autograd import Tensor
from .module import Module


def _labels(y, batch: int, classes: int) -> np.ndarray:
    """Integer class labels of shape (batch,) from a Tensor or array, checked."""
    labels = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
    if labels.shape != (batch,):
        raise ValueError(f"SoftmaxLoss: labels have shape {labels.shape}, expected ({batch},)")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"SoftmaxLoss: labels must be in [0, {classes}), got "
                         f"{labels.min()}..{labels.max()}")
    return labels


class SoftmaxLoss(Module):
    """Mean cross-entropy of logits (batch, classes) against integer labels (batch,)."""

    def forward(self, logits: Tensor, y) -> Tensor:
        if logits.ndim != 2:
            raise ValueError(f"SoftmaxLoss expects logits (batch, classes), got {logits.shape}")
        batch, classes = logits.shape
        labels = _labels(y, batch, classes)
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class MSELoss(Module):
    """Mean of the squared differences."""

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        if prediction.shape != target.shape:
            raise ValueError(f"MSELoss: prediction {prediction.shape} and target "
                             f"{target.shape} differ in shape")
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


_REDUCTIONS = ("mean", "sum", "none")


def _reduced(losses: Tensor, reduction: str) -> Tensor:
    """Elementwise `losses` averaged ("mean"), summed ("sum") or as they are ("none")."""
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else total / math.prod(losses.shape)


def binary_cross_entropy_with_logits(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) for logits x and targets y in [0, 1]
    of one shape, without overflow for any x; averaged ("mean"), summed ("sum") or elementwise
    ("none"), as PyTorch."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"binary_cross_entropy_with_logits: reduction must be one of "
                         f"{_REDUCTIONS}, got {reduction!r}")
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target), device=input.device, dtype=input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: input {input.shape} and target "
                         f"{target.shape} differ in shape")
    # Your code defines `losses` (elementwise, input's shape), which the lines below reduce
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")
    return _reduced(losses, reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy of logits against targets in [0, 1] (see
    `binary_cross_entropy_with_logits`)."""

    def __init__(self, reduction: str = "mean"):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"BCEWithLogitsLoss: reduction must be one of {_REDUCTIONS}, got "
                             f"{reduction!r}")
        self.reduction = reduction

    def forward(self, input: Tensor, target) -> Tensor:
        return binary_cross_entropy_with_logits(input, target, self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def gaussian_nll_loss(input: Tensor, target: Tensor | np.ndarray, var: Tensor | np.ndarray,
                      full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of targets under Gaussians of mean `input` and variance `var`,
    as PyTorch: 0.5 (log max(var, eps) + (input - target)^2 / max(var, eps)) (+ 0.5 log 2 pi
    if `full`), averaged ("mean"), summed ("sum") or elementwise ("none")."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"gaussian_nll_loss: reduction must be one of {_REDUCTIONS}, got "
                         f"{reduction!r}")
    target, var = (x if isinstance(x, Tensor) else
                   Tensor(np.asarray(x), device=input.device, dtype=input.dtype)
                   for x in (target, var))
    try:
        broadcast = np.broadcast_shapes(target.shape, input.shape)
    except ValueError:
        broadcast = None
    if broadcast != input.shape:
        raise ValueError(f"gaussian_nll_loss: target {target.shape} does not broadcast to "
                         f"input {input.shape}")
    # var of input's shape (heteroscedastic), or one variance for each row of the last axis:
    # shape input.shape[:-1] or input.shape[:-1] + (1,) (homoscedastic)
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.reshape(input.shape[:-1] + (1,))
        elif var.shape[:-1] != input.shape[:-1] or var.shape[-1:] != (1,):
            raise ValueError(f"gaussian_nll_loss: var {var.shape} must have input's shape "
                             f"{input.shape}, or that shape with the last dimension 1 or "
                             "dropped")
    if (var.numpy() < 0).any():
        raise ValueError(f"gaussian_nll_loss: var has negative entries (min {var.numpy().min()})")
    target, var = target.broadcast_to(input.shape), var.broadcast_to(input.shape)
    # Your code defines `losses` (elementwise, input's shape), which the lines below reduce
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")
    return _reduced(losses, reduction)


class GaussianNLLLoss(Module):
    """Gaussian negative log-likelihood of targets given predicted means and variances (see
    `gaussian_nll_loss`)."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"GaussianNLLLoss: reduction must be one of {_REDUCTIONS}, got "
                             f"{reduction!r}")
        self.full, self.eps, self.reduction = full, eps, reduction

    def forward(self, input: Tensor, target: Tensor | np.ndarray,
                var: Tensor | np.ndarray) -> Tensor:
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return f"full={self.full}, eps={self.eps}, reduction={self.reduction!r}"
