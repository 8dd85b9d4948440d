"""The basic layers and losses (PyTorch's names, shapes and defaults)."""
from __future__ import annotations

import math

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from .module import Module, Parameter


def _check_features(layer: str, x: Tensor, features: int) -> None:
    if x.ndim < 1 or x.shape[-1] != features:
        raise ValueError(f"{layer} expects inputs whose last dimension is {features}, "
                         f"got shape {x.shape}")


class Identity(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: str = "float32"):
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(init.kaiming_uniform(out_features, in_features, dtype=dtype))
        bound = 1 / math.sqrt(in_features)
        self.bias = Parameter(init.rand(out_features, low=-bound, high=bound, dtype=dtype)) \
            if bias else None

    def forward(self, x: Tensor) -> Tensor:
        _check_features("Linear", x, self.in_features)
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Sequential(Module):
    """Its modules applied in order; they are named "0", "1", ... as in PyTorch."""

    def __init__(self, *modules: Module):
        for index, module in enumerate(modules):
            setattr(self, str(index), module)

    def forward(self, x: Tensor) -> Tensor:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def __len__(self) -> int:
        return sum(1 for _ in self.children())

    def __getitem__(self, index: int) -> Module:
        return list(self.children())[index]


class Residual(Module):
    """fn(x) + x."""

    def __init__(self, fn: Module):
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class Flatten(Module):
    """(N, d1, d2, ...) to (N, d1 * d2 * ...)."""

    def forward(self, x: Tensor) -> Tensor:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class Dropout(Module):
    """In training, zero each entry with probability p and scale the rest by 1 / (1 - p)."""

    def __init__(self, p: float = 0.5):
        if not 0 <= p < 1:
            raise ValueError(f"Dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return f"p={self.p}"


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
        _check_features("BatchNorm1d", x, self.num_features)
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def _track(self, mean: Tensor, var: Tensor, n: int) -> None:
        """Fold a batch's mean and (biased) variance over n values into the running ones."""
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class LayerNorm1d(Module):
    """Normalize each example over its last dimension (PyTorch's LayerNorm(dim))."""

    def __init__(self, dim: int, eps: float = 1e-5, dtype: str = "float32"):
        self.dim, self.eps = dim, eps
        self.weight = Parameter(init.ones(dim, dtype=dtype))
        self.bias = Parameter(init.zeros(dim, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        _check_features("LayerNorm1d", x, self.dim)
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def extra_repr(self) -> str:
        return f"{self.dim}, eps={self.eps}"


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
