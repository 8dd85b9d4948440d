"""Embeddings: rows of a learned table looked up by integer id (Embedding), and the vectors of
positions, learned (GPT's) or fixed sin/cos ("Attention is all you need")."""
from __future__ import annotations

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from ..backends import Device
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
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


def sinusoidal_table(context_length: int, d_model: int) -> np.ndarray:
    """(context_length, d_model) float64: row p holds sin(p w_i) in column 2i and cos(p w_i) in
    column 2i + 1, w_i = 10000^(-2i / d_model) ("Attention is all you need", section 3.5)."""
    # YOUR CODE HERE (hw5)
    raise NotImplementedError("hw5")


def _positions(layer: str, positions, context_length: int) -> np.ndarray:
    ids = np.asarray(positions.numpy() if isinstance(positions, Tensor) else positions)
    ids = ids.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= context_length):
        raise IndexError(f"{layer} covers positions 0..{context_length - 1} (its context "
                         f"length), got position {ids.min() if ids.min() < 0 else ids.max()}")
    return ids


class LearnedPositionalEmbedding(Embedding):
    """A learned vector for each position 0..context_length - 1 (GPT's): an Embedding whose
    `weight` is (context_length, d_model). forward(positions): integers of any shape ->
    shape + (d_model,)."""

    def __init__(self, context_length: int, d_model: int, device: Device | None = None,
                 dtype: str = "float32"):
        super().__init__(context_length, d_model, dtype=dtype)
        self.context_length, self.d_model = context_length, d_model
        self.to(device)

    def forward(self, positions) -> Tensor:
        ids = _positions("LearnedPositionalEmbedding", positions, self.context_length)
        return super().forward(ids)

    def extra_repr(self) -> str:
        return f"{self.context_length}, {self.d_model}"


class SinusoidalPositionalEmbedding(Module):
    """The fixed sin/cos vectors of positions 0..context_length - 1 (`sinusoidal_table`); the
    table is a NumPy array `table`, neither parameter nor buffer, so it is not in the
    state_dict. forward(positions): integers of any shape -> shape + (d_model,)."""

    def __init__(self, context_length: int, d_model: int, device: Device | None = None,
                 dtype: str = "float32"):
        self.context_length, self.d_model = context_length, d_model
        self.device, self.dtype = device, dtype
        self.table = sinusoidal_table(context_length, d_model)

    def forward(self, positions) -> Tensor:
        ids = _positions("SinusoidalPositionalEmbedding", positions, self.context_length)
        return Tensor(self.table[ids], device=self.device, dtype=self.dtype)

    def extra_repr(self) -> str:
        return f"{self.context_length}, {self.d_model}"
