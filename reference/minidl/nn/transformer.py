"""The transformer encoder layer: self-attention and a feed-forward block, each with dropout, a
residual connection and a LayerNorm (PyTorch's names and semantics)."""
from __future__ import annotations

from ..autograd import Tensor
from ..backends import Device
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


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
        self.to(device)

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
