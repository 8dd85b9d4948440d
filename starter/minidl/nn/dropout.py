"""Dropout, as a function (PyTorch's F.dropout) and as a layer that follows its training mode."""
from __future__ import annotations

from .. import init
from ..autograd import Tensor
from .module import Module


def _check_probability(p: float) -> None:
    if not 0 <= p < 1:
        raise ValueError(f"Dropout probability must be in [0, 1), got {p}")


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """When `training`, zero each entry with probability p and scale the rest by 1 / (1 - p);
    x itself otherwise."""
    _check_probability(p)
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


class Dropout(Module):
    """`dropout` with probability p in training mode; nothing in eval mode."""

    def __init__(self, p: float = 0.5):
        _check_probability(p)
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
