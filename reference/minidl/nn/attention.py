"""Attention and transformer layers with PyTorch's names, shapes and semantics, so that a
PyTorch state_dict (converted to NumPy) loads and gives the same outputs.

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
from .basic import Dropout, LayerNorm1d, Linear, ReLU
from .module import Module, Parameter
from .recurrent import Embedding


def _place(module: Module, device: Device | None) -> Module:
    """`module`, its parameters and buffers moved to `device` (where they are, when None)."""
    if device is not None:
        for _, tensor in [*module.named_parameters(), *module.named_buffers()]:
            tensor.cached_data = tensor.realize_cached_data().to(device)
    return module


def _linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x @ weight.T + bias over the last axis of x (..., in): one 2-D matmul for all rows."""
    rows = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
    out = rows @ weight.transpose()
    out = out if bias is None else out + bias
    return out.reshape(x.shape[:-1] + (weight.shape[0],))


# Activations and normalization.

def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Dropout as a function (PyTorch's F.dropout): nn.Dropout's computation, on when training."""
    layer = Dropout(p)
    layer.training = training
    return layer(x)


_GELU_FORMS = ("none", "tanh")


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: exactly with erf ("none"), or with tanh's
    approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ("tanh"), as PyTorch."""
    if approximate not in _GELU_FORMS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    ### BEGIN SOLUTION hw5
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (ops.tanh(inner) + 1)
    return x * 0.5 * (ops.erf(x * (1 / math.sqrt(2))) + 1)
    ### END SOLUTION


class GELU(Module):
    """Gaussian error linear unit, x * Phi(x) (see `gelu`)."""

    def __init__(self, approximate: str = "none"):
        if approximate not in _GELU_FORMS:
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class _Standardize(LayerNorm1d):
    """LayerNorm1d's normalization (hw2) with weight 1 and bias 0, as plain numbers."""

    def __init__(self, dim: int, eps: float):
        self.dim, self.eps, self.weight, self.bias = dim, eps, 1.0, 0.0


class LayerNorm(Module):
    """Normalize over the last len(normalized_shape) dimensions, then scale by `weight` and
    shift by `bias` (each of normalized_shape), as PyTorch's LayerNorm. The normalization is
    LayerNorm1d's, over those dimensions flattened into one."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Device | None = None, dtype: str = "float32"):
        shape = (normalized_shape,) if isinstance(normalized_shape, int) \
            else tuple(normalized_shape)
        if not shape or any(n < 1 for n in shape):
            raise ValueError(f"LayerNorm needs a normalized_shape of positive sizes, got "
                             f"{normalized_shape}")
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(init.ones(*shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(init.zeros(*shape, dtype=dtype)) \
            if elementwise_affine and bias else None
        _place(self, device)

    def forward(self, x: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if x.shape[max(x.ndim - k, 0):] != self.normalized_shape or x.ndim < k:
            raise ValueError(f"LayerNorm{self.normalized_shape} expects inputs of shape "
                             f"(..., {', '.join(map(str, self.normalized_shape))}), got {x.shape}")
        size = math.prod(self.normalized_shape)
        flat = x.reshape(x.shape[:x.ndim - k] + (size,))
        out = _Standardize(size, self.eps)(flat).reshape(x.shape)
        if self.weight is not None:
            out = out * self.weight
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


# Scaled dot-product attention.

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
        attn_mask = np.tril(np.ones((length, source_length), dtype=bool))
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
    return Tensor(np.triu(np.full((size, size), -np.inf), 1), dtype=dtype)


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
        _place(self, device)

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
            packed = _linear(query, self.in_proj_weight, bias)
            return tuple(block(packed, i) for i in range(3))
        return tuple(_linear(x, ops.getitem(self.in_proj_weight, (slice(i * e, (i + 1) * e),)),
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
        output = _linear(self._merge_heads(heads), self.out_proj.weight, self.out_proj.bias)
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


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block (linear1, activation, dropout, linear2), each
    with dropout, a residual connection and a LayerNorm: after the residual (post-norm, the
    default), or on the block's input (norm_first). PyTorch's names and semantics."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Device | None = None, dtype: str = "float32"):
        if isinstance(activation, str):
            if activation not in ("relu", "gelu"):
                raise ValueError(f"TransformerEncoderLayer: activation must be 'relu', 'gelu' "
                                 f"or a callable, got {activation!r}")
            activation = ReLU() if activation == "relu" else GELU()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation
        self.batch_first = batch_first
        _place(self, device)

    def forward(self, src: Tensor, src_mask=None, src_key_padding_mask=None,
                is_causal: bool = False) -> Tensor:
        """src (S, N, E), or (N, S, E) when batch_first; the masks as MultiheadAttention's."""

        def attend(x: Tensor) -> Tensor:
            return self.self_attn.forward(x, x, x, attn_mask=src_mask,
                                          key_padding_mask=src_key_padding_mask,
                                          need_weights=False, is_causal=is_causal)[0]

        def feed_forward(x: Tensor) -> Tensor:
            return self.linear2(self.dropout(self.activation(self.linear1(x))))

        ### BEGIN SOLUTION hw5
        x = src
        if self.norm_first:
            x = x + self.dropout1(attend(self.norm1(x)))
            return x + self.dropout2(feed_forward(self.norm2(x)))
        x = self.norm1(x + self.dropout1(attend(x)))
        return self.norm2(x + self.dropout2(feed_forward(x)))
        ### END SOLUTION


# Positions.

def sinusoidal_table(context_length: int, d_model: int) -> np.ndarray:
    """(context_length, d_model) float64: row p holds sin(p w_i) in column 2i and cos(p w_i) in
    column 2i + 1, w_i = 10000^(-2i / d_model) ("Attention is all you need", section 3.5)."""
    ### BEGIN SOLUTION hw5
    positions = np.arange(context_length)[:, None]
    angles = positions * 10000.0 ** (-np.arange(0, d_model, 2) / d_model)
    table = np.zeros((context_length, d_model))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, :d_model // 2])
    return table
    ### END SOLUTION


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
        _place(self, device)

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
