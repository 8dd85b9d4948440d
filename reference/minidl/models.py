"""The course's models: MLP-ResNet (hw2), ResNet9 and the recurrent LanguageModel (hw4), and
the GPT (hw5). Their training loops and samplers are in train.py."""
from __future__ import annotations

import numpy as np

from . import init, nn
from .autograd import Tensor


def residual_block(dim: int, hidden_dim: int, norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """ReLU(x + norm(Linear(Dropout(ReLU(norm(Linear(x)))))))."""
    ### BEGIN SOLUTION hw2
    return nn.Sequential(
        nn.Residual(nn.Sequential(nn.Linear(dim, hidden_dim), norm(hidden_dim), nn.ReLU(),
                                  nn.Dropout(drop_prob), nn.Linear(hidden_dim, dim), norm(dim))),
        nn.ReLU())
    ### END SOLUTION


def MLPResNet(dim: int, hidden_dim: int = 100, num_blocks: int = 3, num_classes: int = 10,
              norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """Flatten, Linear, ReLU, `num_blocks` residual blocks (inner width hidden_dim // 2), Linear."""
    ### BEGIN SOLUTION hw2
    return nn.Sequential(
        nn.Flatten(), nn.Linear(dim, hidden_dim), nn.ReLU(),
        *[residual_block(hidden_dim, hidden_dim // 2, norm, drop_prob) for _ in range(num_blocks)],
        nn.Linear(hidden_dim, num_classes))
    ### END SOLUTION


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int,
            dtype: str = "float32") -> nn.Module:
    """Conv2d (padding kernel_size // 2, so stride 1 keeps the size), BatchNorm2d, ReLU."""
    ### BEGIN SOLUTION hw4
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                  padding=kernel_size // 2, dtype=dtype),
        nn.BatchNorm2d(out_channels, dtype=dtype), nn.ReLU())
    ### END SOLUTION


def ResNet9(num_classes: int = 10, dtype: str = "float32") -> nn.Module:
    """The residual CNN for 3x32x32 images (431,946 parameters at 10 classes): conv_bn blocks
    (channels, kernel, stride) (16, 7, 4), (32, 3, 2), a residual pair of (32, 3, 1),
    (64, 3, 2), (128, 3, 2), a residual pair of (128, 3, 1); Flatten, Linear(128, 128), ReLU,
    Linear(128, num_classes)."""
    ### BEGIN SOLUTION hw4
    def pair(channels):
        return nn.Residual(nn.Sequential(conv_bn(channels, channels, 3, 1, dtype),
                                         conv_bn(channels, channels, 3, 1, dtype)))

    return nn.Sequential(
        conv_bn(3, 16, 7, 4, dtype), conv_bn(16, 32, 3, 2, dtype), pair(32),
        conv_bn(32, 64, 3, 2, dtype), conv_bn(64, 128, 3, 2, dtype), pair(128),
        nn.Flatten(), nn.Linear(128, 128, dtype=dtype), nn.ReLU(),
        nn.Linear(128, num_classes, dtype=dtype))
    ### END SOLUTION


SEQUENCE_MODELS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class LanguageModel(nn.Module):
    """Embedding, a recurrent layer ("rnn", "lstm" or "gru") and a Linear head over the words."""

    def __init__(self, embedding_size: int, output_size: int, hidden_size: int,
                 num_layers: int = 1, seq_model: str = "rnn", dtype: str = "float32"):
        if seq_model not in SEQUENCE_MODELS:
            raise ValueError(f"seq_model must be one of {sorted(SEQUENCE_MODELS)}, "
                             f"got {seq_model!r}")
        self.embedding = nn.Embedding(output_size, embedding_size, dtype=dtype)
        self.seq_model = SEQUENCE_MODELS[seq_model](embedding_size, hidden_size, num_layers,
                                                    dtype=dtype)
        self.linear = nn.Linear(hidden_size, output_size, dtype=dtype)

    def forward(self, x, h=None):
        """x: word ids (seq, batch); (logits (seq * batch, output_size), the final state)."""
        ### BEGIN SOLUTION hw4
        seq, batch = x.shape
        output, h = self.seq_model(self.embedding(x), h)
        return self.linear(output.reshape(seq * batch, output.shape[2])), h
        ### END SOLUTION


class GPTBlock(nn.Module):
    """A pre-norm decoder block (GPT-2's): x + attn(ln_1(x)), then x + mlp(ln_2(x)), with the
    MLP Linear(d, 4 d), GELU, Linear(4 d, d), Dropout."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0,
                 dtype: str = "float32"):
        self.ln_1 = nn.LayerNorm(d_model, dtype=dtype)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True,
                                          dtype=dtype)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(d_model, dtype=dtype)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model, dtype=dtype), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model, dtype=dtype), nn.Dropout(dropout))

    def forward(self, x: Tensor, mask: np.ndarray | None,
                cache: nn.KVCache | None = None) -> Tensor:
        """x (batch, positions, d_model); `mask` (positions, all positions) is True where a
        position may not attend (MultiheadAttention's attn_mask), or None; `cache` this block's
        KVCache or None."""
        ### BEGIN SOLUTION hw5
        h = self.ln_1(x)
        attended, _ = self.attn.forward(h, h, h, attn_mask=mask, need_weights=False, cache=cache)
        x = x + self.dropout(attended)
        return x + self.mlp(self.ln_2(x))
        ### END SOLUTION


class GPT(nn.Module):
    """A decoder-only transformer (GPT-2's layout): token and learned position embeddings,
    `n_layers` GPTBlocks with causal self-attention, a final LayerNorm and a Linear head
    (without bias) over the vocabulary, whose weight is the token embedding's when
    `tie_weights`. Token ids (batch, positions) -> logits (batch, positions, vocab_size)."""

    def __init__(self, vocab_size: int, context_length: int, d_model: int, n_heads: int,
                 n_layers: int, dropout: float = 0.0, tie_weights: bool = True,
                 dtype: str = "float32"):
        if min(vocab_size, context_length, n_layers) < 1:
            raise ValueError(f"GPT needs vocab_size, context_length and n_layers >= 1, got "
                             f"{vocab_size}, {context_length} and {n_layers}")
        self.vocab_size, self.context_length, self.d_model = vocab_size, context_length, d_model
        self.n_layers = n_layers
        self.token_embedding = nn.Embedding(vocab_size, d_model, dtype=dtype)
        self.position_embedding = nn.LearnedPositionalEmbedding(context_length, d_model,
                                                                dtype=dtype)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[GPTBlock(d_model, n_heads, dropout, dtype)
                                      for _ in range(n_layers)])
        self.norm = nn.LayerNorm(d_model, dtype=dtype)
        self.head = nn.Linear(d_model, vocab_size, bias=False, dtype=dtype)
        self._init_weights()
        if tie_weights:
            self.head.weight = self.token_embedding.weight

    def _init_weights(self) -> None:
        """GPT-2's: weights and embeddings N(0, 0.02^2), the projections back into the residual
        stream N(0, (0.02 / sqrt(2 n_layers))^2) so that the stream's variance stays put with
        depth; biases 0, LayerNorms 1 and 0."""
        for name, param in self.named_parameters():
            if name.endswith("bias"):
                param.data = init.zeros(*param.shape, dtype=param.dtype)
            elif param.ndim >= 2:
                into_stream = name.endswith(("out_proj.weight", "mlp.2.weight"))
                std = 0.02 / (2 * self.n_layers) ** 0.5 if into_stream else 0.02
                param.data = init.randn(*param.shape, std=std, dtype=param.dtype)

    def new_cache(self) -> list[nn.KVCache]:
        """An empty KV cache for `forward`: one KVCache per block."""
        return [nn.KVCache() for _ in range(self.n_layers)]

    def forward(self, ids, cache: list[nn.KVCache] | None = None) -> Tensor:
        """Logits (batch, positions, vocab_size) of token ids (batch, positions).

        With a `cache` (from new_cache), `ids` continue the positions the cache holds: their
        keys and values are added to it, and they attend to every cached position. The
        cached and new positions together must fit in context_length.
        """
        ids = np.asarray(ids.numpy() if isinstance(ids, Tensor) else ids).astype(np.int64)
        if ids.ndim != 2 or ids.shape[1] < 1:
            raise ValueError(f"GPT expects token ids (batch, positions), got shape {ids.shape}")
        if cache is not None and len(cache) != self.n_layers:
            raise ValueError(f"GPT: the cache has {len(cache)} layers, the model "
                             f"{self.n_layers} (make it with model.new_cache())")
        batch, length = ids.shape
        past = 0 if cache is None else len(cache[0])
        if past + length > self.context_length:
            raise ValueError(f"GPT: {past} cached and {length} new positions exceed the "
                             f"context length {self.context_length}; crop the ids")
        x = self.token_embedding(ids) + self.position_embedding(np.arange(past, past + length))
        x = self.dropout(x)
        hidden = ~nn.causal_mask(length, past + length, past)  # True: may not attend (PyTorch's)
        mask = hidden if hidden.any() else None  # one new position sees every cached one
        caches = cache if cache is not None else [None] * self.n_layers
        for block, block_cache in zip(self.blocks.children(), caches):
            x = block(x, mask, block_cache)
        return self.head(self.norm(x))
