"""Embedding and recurrent layers: inputs (seq, batch, features), PyTorch's parameter names,
shapes and gate order, so a PyTorch state_dict loads and gives the same outputs."""
from __future__ import annotations

import math

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from .module import Module, Parameter


class Embedding(Module):
    """Rows of weight (num_embeddings, embedding_dim) looked up by integer index."""

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: str = "float32"):
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(init.randn(num_embeddings, embedding_dim, dtype=dtype))

    def forward(self, indices) -> Tensor:
        """indices: integers of any shape (an array or a Tensor); out: shape + (embedding_dim,)."""
        ids = np.asarray(indices.numpy() if isinstance(indices, Tensor) else indices).astype(int)
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            raise IndexError(f"Embedding of {self.num_embeddings} rows got index "
                             f"{ids.min() if ids.min() < 0 else ids.max()}")
        # YOUR CODE HERE
        raise NotImplementedError()


def _uniform(shape, hidden_size: int, dtype: str) -> Parameter:
    bound = 1 / math.sqrt(hidden_size)  # PyTorch's initialization of every recurrent weight
    return Parameter(init.rand(*shape, low=-bound, high=bound, dtype=dtype))


class _Recurrent(Module):
    """Stacked cells over time; subclasses say how many gate blocks a cell has and step it."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, dtype: str = "float32"):
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias = bias
        for k in range(num_layers):
            inputs = input_size if k == 0 else hidden_size
            rows = self.gates * hidden_size
            setattr(self, f"weight_ih_l{k}", _uniform((rows, inputs), hidden_size, dtype))
            setattr(self, f"weight_hh_l{k}", _uniform((rows, hidden_size), hidden_size, dtype))
            setattr(self, f"bias_ih_l{k}", _uniform((rows,), hidden_size, dtype) if bias else None)
            setattr(self, f"bias_hh_l{k}", _uniform((rows,), hidden_size, dtype) if bias else None)

    def _affine(self, x: Tensor, h: Tensor, k: int) -> tuple[Tensor, Tensor]:
        """x W_ih^T + b_ih and h W_hh^T + b_hh of layer k."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def _zeros(self, batch: int, like: Tensor) -> Tensor:
        return Tensor(np.zeros((self.num_layers, batch, self.hidden_size)), device=like.device,
                      dtype=like.dtype)

    def _run(self, x: Tensor, states: list[tuple[Tensor, ...]]):
        """Every layer over every step; the last layer's outputs and each layer's final state."""
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"{type(self).__name__} expects (seq, batch, {self.input_size}), "
                             f"got shape {x.shape}")
        # YOUR CODE HERE
        raise NotImplementedError()


class RNN(_Recurrent):
    """h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), nonlinearity tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, dtype: str = "float32"):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, dtype)

    def cell(self, x: Tensor, state: tuple[Tensor], k: int) -> tuple[Tensor]:
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(output (seq, batch, hidden), h_n (num_layers, batch, hidden))."""
        h0 = self._zeros(x.shape[1], x) if h0 is None else h0
        output, states = self._run(x, [(h,) for h in ops.split(h0, 0)])
        return output, ops.stack([h for (h,) in states], 0)


class LSTM(_Recurrent):
    """Long short-term memory; gates in PyTorch's order: input, forget, cell, output."""

    gates = 4

    def cell(self, x: Tensor, state: tuple[Tensor, Tensor], k: int) -> tuple[Tensor, Tensor]:
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None):
        """(output, (h_n, c_n)), each state (num_layers, batch, hidden)."""
        h0, c0 = state if state is not None else (self._zeros(x.shape[1], x),) * 2
        output, states = self._run(x, list(zip(ops.split(h0, 0), ops.split(c0, 0))))
        return output, (ops.stack([h for h, _ in states], 0),
                        ops.stack([c for _, c in states], 0))


class GRU(_Recurrent):
    """Gated recurrent unit; gates in PyTorch's order: reset, update, new."""

    gates = 3

    def cell(self, x: Tensor, state: tuple[Tensor], k: int) -> tuple[Tensor]:
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        h0 = self._zeros(x.shape[1], x) if h0 is None else h0
        output, states = self._run(x, [(h,) for h in ops.split(h0, 0)])
        return output, ops.stack([h for (h,) in states], 0)
