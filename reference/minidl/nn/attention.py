"""Attention with PyTorch's names, shapes and semantics (scaled dot-product attention,
MultiheadAttention, its KV cache), so that a PyTorch state_dict (converted to NumPy) loads and
gives the same outputs.

Masks follow PyTorch, whose two conventions differ: in `scaled_dot_product_attention` a
boolean mask is True where a query may attend to a key; in MultiheadAttention and
TransformerEncoderLayer a boolean attn_mask or key_padding_mask is True where it may NOT.
Boolean masks are NumPy arrays (a Tensor is always float here); a float mask, array or
Tensor, is added to the attention scores (-inf forbids).
"""
from __future__ import annotations

import math

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from ..backends import Device
from .dropout import dropout
from .linear import Linear, linear
from .module import Module, Parameter


def causal_mask(queries: int, keys: int | None = None, first: int = 0) -> np.ndarray:
    """(queries, keys) booleans, True where query i, at position first + i, may attend to key j:
    j <= first + i (keys defaults to queries). PyTorch's masks are built from this one."""
    keys = queries if keys is None else keys
    return np.tril(np.ones((queries, keys), dtype=bool), first)


def _check_attention(query: Tensor, key: Tensor, value: Tensor) -> None:
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"attention expects query (..., L, E), key (..., S, E) and value "
                         f"(..., S, Ev), got {query.shape}, {key.shape} and {value.shape}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"attention: query {query.shape} and key {key.shape} differ in their "
                         "last dimension E")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"attention: key {key.shape} and value {value.shape} differ in their "
                         "number of positions S (the second-last dimension)")
    try:
        np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ValueError(f"attention: the batch dimensions of query {query.shape}, key "
                         f"{key.shape} and value {value.shape} do not broadcast") from None


def _mask_array(mask) -> np.ndarray:
    """A mask given as a NumPy array, a list or a Tensor, as a NumPy array."""
    return mask.numpy() if isinstance(mask, Tensor) else np.asarray(mask)


def _additive_mask(attn_mask, is_causal: bool, scores_shape: tuple[int, ...],
                   like: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """The mask of scaled_dot_product_attention as a float Tensor to add to the scores
    (0 where a query attends, -inf where it may not), or None for no mask; and None, or, if
    some query may attend to no key, a Tensor (..., L, 1) of 0 for those queries, 1 for the
    rest (their rows are left unmasked, then zeroed: PyTorch's outputs 0 there, not NaN)."""
    *_, length, source_length = scores_shape
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, not "
                         "both (as PyTorch; build a mask holding both if you need it)")
    if is_causal:  # query i sees keys 0..i (PyTorch's top-left aligned causal mask)
        attn_mask = causal_mask(length, source_length)
    if attn_mask is None:
        return None, None
    mask = _mask_array(attn_mask)
    try:
        fits = np.broadcast_shapes(mask.shape, scores_shape) == tuple(scores_shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"attention: attn_mask of shape {mask.shape} does not broadcast to the "
                         f"scores' shape {tuple(scores_shape)} (..., L, S)")
    if mask.dtype == bool:
        mask = np.where(mask, 0.0, -np.inf)
    dead = np.isneginf(mask).all(-1, keepdims=True)
    if not dead.any():
        return Tensor(mask, device=like.device, dtype=like.dtype), None
    return (Tensor(np.where(dead, 0.0, mask), device=like.device, dtype=like.dtype),
            Tensor(~dead, device=like.device, dtype=like.dtype))


def attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None, dropout_p: float = 0.0,
              is_causal: bool = False, scale: float | None = None) -> tuple[Tensor, Tensor]:
    """(output (..., L, Ev), weights (..., L, S)) of scaled_dot_product_attention; the weights
    are those the values are averaged with, after dropout."""
    _check_attention(query, key, value)
    scores_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) \
        + (query.shape[-2], key.shape[-2])
    mask, live = _additive_mask(attn_mask, is_causal, scores_shape, query)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    # Your code defines `output` and `weights` (after dropout), which the lines below use
    ### BEGIN SOLUTION hw5
    scores = (query @ key.transpose()) * scale
    if mask is not None:
        scores = scores + mask
    weights = ops.softmax(scores, axes=-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    output = weights @ value
    ### END SOLUTION
    if live is not None:  # queries that may attend to no key
        output, weights = output * live, weights * live
    return output, weights


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None) -> Tensor:
    """softmax(query key^T * scale + mask) value, over query (..., L, E), key (..., S, E) and
    value (..., S, Ev): (..., L, Ev), as PyTorch's F.scaled_dot_product_attention.

    `attn_mask` broadcasts to (..., L, S): boolean (a NumPy array, True = may attend) or float
    (added to the scores). `is_causal` lets query i attend to keys 0..i and excludes
    attn_mask. A query that may attend to no key gets 0. `scale` defaults to 1 / sqrt(E).
    Dropout with probability `dropout_p` drops attention weights whenever dropout_p > 0 (a
    function has no training mode: pass 0 in eval).
    """
    return attention(query, key, value, attn_mask, dropout_p, is_causal, scale)[0]


def generate_square_subsequent_mask(size: int, dtype: str = "float32") -> Tensor:
    """The float causal mask of (size, size): 0 on and below the diagonal, -inf above (as
    PyTorch's nn.Transformer.generate_square_subsequent_mask), for MultiheadAttention."""
    return Tensor(np.where(causal_mask(size), 0.0, -np.inf), dtype=dtype)


class KVCache:
    """The keys and values one attention layer has computed so far, each (batch, heads,
    positions, head_dim): given to MultiheadAttention.forward, it is extended by the new
    positions' keys and values, and the queries attend to all of them. For inference
    (no_grad): it holds on to what it is given."""

    def __init__(self):
        self.keys: Tensor | None = None
        self.values: Tensor | None = None

    def __len__(self) -> int:
        """The number of positions cached."""
        return 0 if self.keys is None else self.keys.shape[2]

    def append(self, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
        """Add the keys and values of new positions; all keys and values cached, in order."""
        if self.keys is not None and keys.shape[:2] + keys.shape[3:] != \
                self.keys.shape[:2] + self.keys.shape[3:]:
            raise ValueError(f"KVCache holds keys {self.keys.shape} (batch, heads, positions, "
                             f"head_dim); cannot append keys of shape {keys.shape}")
        ### BEGIN SOLUTION hw5
        if self.keys is None:
            self.keys, self.values = keys, values
        else:
            self.keys = ops.cat([self.keys, keys], axis=2)
            self.values = ops.cat([self.values, values], axis=2)
        return self.keys, self.values
        ### END SOLUTION


class MultiheadAttention(Module):
    """Attention with `num_heads` heads of embed_dim // num_heads features each, as PyTorch:
    in_proj_weight (3 E, E) and in_proj_bias (3 E) project query, key and value (in that
    order of row blocks), out_proj (Linear(E, E)) projects the joined heads."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, device: Device | None = None,
                 dtype: str = "float32"):
        if embed_dim < 1 or num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be a positive "
                             f"multiple of num_heads ({num_heads})")
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.in_proj_weight = Parameter(init.xavier_uniform(3 * embed_dim, embed_dim, dtype=dtype))
        self.in_proj_bias = Parameter(init.zeros(3 * embed_dim, dtype=dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if bias:
            self.out_proj.bias = Parameter(init.zeros(embed_dim, dtype=dtype))
        self.to(device)

    def _check(self, query: Tensor, key: Tensor, value: Tensor) -> None:
        order = "(N, L, E)" if self.batch_first else "(L, N, E)"
        if query.ndim not in (2, 3) or query.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention expects a query {order} or (L, E) with "
                             f"E = {self.embed_dim}, got {query.shape}")
        if key.ndim != query.ndim or key.shape != value.shape or key.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention expects key and value of one shape, as the "
                             f"query's {order} with S positions, got query {query.shape}, "
                             f"key {key.shape}, value {value.shape}")
        batch_axis = 0 if self.batch_first else 1
        if query.ndim == 3 and key.shape[batch_axis] != query.shape[batch_axis]:
            raise ValueError(f"MultiheadAttention: query {query.shape} and key {key.shape} "
                             f"differ in batch size (axis {batch_axis})")

    def _mask(self, attn_mask, key_padding_mask, batch: int, length: int, source_length: int,
              like: Tensor) -> Tensor | None:
        """attn_mask ((L, S) or (N * heads, L, S)) and key_padding_mask (N, S), True or -inf
        where a query may not attend, as one float Tensor (N or 1, heads or 1, L, S) to add to
        the scores."""
        total = None
        if attn_mask is not None:
            mask = _mask_array(attn_mask)
            shapes = ((length, source_length), (batch * self.num_heads, length, source_length))
            if mask.shape not in shapes:
                raise ValueError(f"MultiheadAttention: attn_mask must be of shape {shapes[0]} "
                                 f"or {shapes[1]}, got {mask.shape}")
            mask = np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask
            total = mask.reshape(-1, self.num_heads, length, source_length) if mask.ndim == 3 \
                else mask
        if key_padding_mask is not None:
            mask = _mask_array(key_padding_mask)
            if mask.shape != (batch, source_length):
                raise ValueError(f"MultiheadAttention: key_padding_mask must be of shape "
                                 f"(N, S) = {(batch, source_length)}, got {mask.shape}")
            mask = np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask
            mask = mask.reshape(batch, 1, 1, source_length)
            total = mask if total is None else total + mask
        return None if total is None else Tensor(total, device=like.device, dtype=like.dtype)

    def _project(self, query: Tensor, key: Tensor, value: Tensor, shared: bool):
        """query, key and value (N, ., E) times their blocks of in_proj_weight, plus
        in_proj_bias's; for self-attention (`shared`: one tensor) in one matmul."""
        e, bias = self.embed_dim, self.in_proj_bias

        def block(t: Tensor, i: int) -> Tensor:  # block i of the last axis
            return ops.getitem(t, (slice(None),) * (t.ndim - 1) + (slice(i * e, (i + 1) * e),))

        if shared:
            packed = linear(query, self.in_proj_weight, bias)
            return tuple(block(packed, i) for i in range(3))
        return tuple(linear(x, ops.getitem(self.in_proj_weight, (slice(i * e, (i + 1) * e),)),
                             None if bias is None else block(bias, i))
                     for i, x in enumerate((query, key, value)))

    def _split_heads(self, x: Tensor) -> Tensor:
        """(N, L, E) as (N, heads, L, head_dim)."""
        ### BEGIN SOLUTION hw5
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3)
        ### END SOLUTION

    def _merge_heads(self, x: Tensor) -> Tensor:
        """(N, heads, L, head_dim) as (N, L, E): the heads side by side."""
        ### BEGIN SOLUTION hw5
        n, _, length, _ = x.shape
        return x.permute(0, 2, 1, 3).reshape(n, length, self.embed_dim)
        ### END SOLUTION

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False, cache: KVCache | None = None):
        """(output shaped as query, attention weights (N, L, S) averaged over the heads, or
        (N, heads, L, S) unless average_attn_weights; None unless need_weights).

        query (L, N, E), key and value (S, N, E); (N, ., E) when batch_first; (., E) without
        a batch. `is_causal` is PyTorch's hint that attn_mask is causal: attn_mask is needed
        with it, and is what is applied. A KVCache `cache` (an extension of PyTorch's
        signature) is extended by the keys and values of this call, which then attends to
        all the cached positions (S of the masks counts them)."""
        self._check(query, key, value)
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint that attn_mask is "
                             "causal and needs that attn_mask (see "
                             "nn.generate_square_subsequent_mask), as in PyTorch")
        batched, shared = query.ndim == 3, query is key and key is value

        def batch_first(x: Tensor) -> Tensor:
            if not batched:
                return x.reshape((1,) + x.shape)
            return x if self.batch_first else x.transpose((0, 1))

        query = batch_first(query)
        key, value = (query, query) if shared else (batch_first(key), batch_first(value))
        if not batched and key_padding_mask is not None:
            key_padding_mask = _mask_array(key_padding_mask).reshape(1, -1)
        batch, length, _ = query.shape
        past = 0 if cache is None else len(cache)
        mask = self._mask(attn_mask, key_padding_mask, batch, length, past + key.shape[1], query)
        q, k, v = self._project(query, key, value, shared)
        dropout_p = self.dropout if self.training else 0.0
        # Your code defines `output` (batch first) and `weights` (per head), used below
        ### BEGIN SOLUTION hw5
        q, k, v = self._split_heads(q), self._split_heads(k), self._split_heads(v)
        if cache is not None:
            k, v = cache.append(k, v)
        heads, weights = attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)
        output = linear(self._merge_heads(heads), self.out_proj.weight, self.out_proj.bias)
        ### END SOLUTION
        if not batched:
            output = output.reshape(output.shape[1:])
        elif not self.batch_first:
            output = output.transpose((0, 1))
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.sum(1) / self.num_heads
        return output, weights if batched else weights.reshape(weights.shape[1:])

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")
