"""The course's models and the loops that train them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from . import data, init, nn
from .autograd import Tensor, no_grad


def residual_block(dim: int, hidden_dim: int, norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """ReLU(x + norm(Linear(Dropout(ReLU(norm(Linear(x)))))))."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def MLPResNet(dim: int, hidden_dim: int = 100, num_blocks: int = 3, num_classes: int = 10,
              norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """Flatten, Linear, ReLU, `num_blocks` residual blocks (inner width hidden_dim // 2), Linear."""
    # YOUR CODE HERE (hw2)
    raise NotImplementedError("hw2")


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int,
            dtype: str = "float32") -> nn.Module:
    """Conv2d (padding kernel_size // 2, so stride 1 keeps the size), BatchNorm2d, ReLU."""
    # YOUR CODE HERE (hw4)
    raise NotImplementedError("hw4")


def ResNet9(num_classes: int = 10, dtype: str = "float32") -> nn.Module:
    """The residual CNN for 3x32x32 images (431,946 parameters at 10 classes): conv_bn blocks
    (channels, kernel, stride) (16, 7, 4), (32, 3, 2), a residual pair of (32, 3, 1),
    (64, 3, 2), (128, 3, 2), a residual pair of (128, 3, 1); Flatten, Linear(128, 128), ReLU,
    Linear(128, num_classes)."""
    # YOUR CODE HERE (hw4)
    raise NotImplementedError("hw4")


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
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


@dataclass
class History:
    """Loss and accuracy per epoch, for training and evaluation."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def plot(self, path=None):
        """Loss and accuracy curves side by side (matplotlib); saved to `path` if given."""
        import matplotlib.pyplot as plt

        figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
        for axes, name in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            for split in ("train", "test"):
                values = getattr(self, f"{split}_{name}")
                if values:
                    axes.plot(range(1, len(values) + 1), values, marker="o", label=split)
            axes.set_xlabel("epoch")
            axes.set_ylabel(name)
            axes.legend()
        figure.tight_layout()
        if path is not None:
            figure.savefig(path)
        return figure


def _run_epoch(forward, batches, loss_fn, optimizer, progress: bool, description: str,
               total: int | None = None):
    """Mean loss and accuracy of forward(x) over (x, y) batches; a step of `optimizer` after
    each batch unless it is None."""
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in tqdm(batches, desc=description, total=total, disable=not progress, leave=False):
        logits = forward(x)
        loss = loss_fn(logits, y)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total_loss += loss.item() * len(y)
        correct += int((logits.numpy().argmax(1) == y.numpy()).sum())
        seen += len(y)
    return total_loss / seen, correct / seen


def train_epoch(model, loader, optimizer, loss_fn=None, progress: bool = True) -> tuple[float, float]:
    """One pass of training; the mean loss and the accuracy over it."""
    model.train()
    return _run_epoch(model, loader, loss_fn or nn.SoftmaxLoss(), optimizer, progress, "train")


def evaluate(model, loader, loss_fn=None, progress: bool = True) -> tuple[float, float]:
    """The mean loss and the accuracy of `model` on `loader`, in eval mode without a graph."""
    model.eval()
    with no_grad():
        return _run_epoch(model, loader, loss_fn or nn.SoftmaxLoss(), None, progress, "evaluate")


def _history(train, test, epochs: int, progress: bool) -> History:
    """Run train() and test(), each giving (loss, accuracy), once per epoch."""
    history = History()
    for _ in tqdm(range(epochs), desc="epochs", disable=not progress):
        for split, run in (("train", train), ("test", test)):
            loss, accuracy = run()
            getattr(history, f"{split}_loss").append(loss)
            getattr(history, f"{split}_accuracy").append(accuracy)
    return history


def fit(model, train_loader, test_loader, optimizer, epochs: int, progress: bool = True) -> History:
    """Train for `epochs`, evaluating after each; the History of both."""
    return _history(lambda: train_epoch(model, train_loader, optimizer, progress=progress),
                    lambda: evaluate(model, test_loader, progress=progress), epochs, progress)


def _windows(batches: np.ndarray, bptt: int):
    """The (inputs, targets) of get_batch at rows 0, bptt, 2 bptt, ... of `batches`."""
    return (data.get_batch(batches, i, bptt) for i in range(0, len(batches) - 1, bptt))


def _carrying_state(model):
    """model(x, state) as a function of x alone: each call starts from the previous call's
    final state, cut from the graph (truncated backpropagation through time)."""
    state = None

    def forward(x):
        nonlocal state
        logits, state = model(x, state)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        return logits

    return forward


def _lm_epoch(model, batches: np.ndarray, bptt: int, optimizer, progress: bool,
              description: str) -> tuple[float, float]:
    """_run_epoch over the bptt-step windows of batchify'd word ids, the state carried."""
    return _run_epoch(_carrying_state(model), _windows(batches, bptt), nn.SoftmaxLoss(),
                      optimizer, progress, description, total=-(-(len(batches) - 1) // bptt))


def train_lm_epoch(model, batches: np.ndarray, bptt: int, optimizer,
                   progress: bool = True) -> tuple[float, float]:
    """One pass of a language model over batchify'd word ids, bptt steps at a time; the mean
    cross-entropy (perplexity is its exp) and the next-word accuracy."""
    model.train()
    return _lm_epoch(model, batches, bptt, optimizer, progress, "train")


def evaluate_lm(model, batches: np.ndarray, bptt: int, progress: bool = True) -> tuple[float, float]:
    """The mean cross-entropy and next-word accuracy of a language model, without a graph."""
    model.eval()
    with no_grad():
        return _lm_epoch(model, batches, bptt, None, progress, "evaluate")


def fit_lm(model, train_batches: np.ndarray, test_batches: np.ndarray, bptt: int, optimizer,
           epochs: int, progress: bool = True) -> History:
    """Train a language model for `epochs`, evaluating after each; the History of both."""
    return _history(lambda: train_lm_epoch(model, train_batches, bptt, optimizer, progress),
                    lambda: evaluate_lm(model, test_batches, bptt, progress), epochs, progress)


def generate_words(model, dictionary, prompt: str, words: int, temperature: float = 1.0,
                   seed: int = 0) -> str:
    """`prompt` followed by `words` words, each drawn from a LanguageModel's softmax at
    `temperature`."""
    unknown = [w for w in prompt.split() if w not in dictionary.word2idx]
    if unknown or not prompt.split():
        raise ValueError(f"generate_words needs a prompt of known words; not in the "
                         f"dictionary: {unknown}")
    rng = np.random.default_rng(seed)
    model.eval()
    ids, state = [dictionary.word2idx[w] for w in prompt.split()], None
    head = model.linear.weight  # the device and dtype of the word ids fed in
    with no_grad():
        step = np.array(ids)[:, None]
        for _ in range(words):
            logits, state = model(Tensor(step, device=head.device, dtype=head.dtype), state)
            last = logits.numpy()[-1].astype(np.float64) / temperature
            p = np.exp(last - last.max())
            ids.append(int(rng.choice(len(p), p=p / p.sum())))
            step = np.array([[ids[-1]]])
    return " ".join(dictionary.idx2word[i] for i in ids)


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
        # YOUR CODE HERE (hw5)
        raise NotImplementedError("hw5")


def causal_mask(length: int, past: int = 0) -> np.ndarray:
    """(length, past + length) booleans, True where query i (at position past + i) would see a
    later position: MultiheadAttention's attn_mask for the newest `length` of the positions."""
    return np.triu(np.ones((length, past + length), dtype=bool), past + 1)


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
        mask = causal_mask(length, past)
        mask = mask if mask.any() else None  # one new position sees every cached one
        caches = cache if cache is not None else [None] * self.n_layers
        for block, block_cache in zip(self.blocks.children(), caches):
            x = block(x, mask, block_cache)
        x = self.norm(x).reshape(batch * length, self.d_model)  # one 2-D matmul for the head
        return self.head(x).reshape(batch, length, self.vocab_size)


def _next_tokens(logits: np.ndarray, temperature: float, top_k: int | None,
                 rng: np.random.Generator) -> np.ndarray:
    """One token id per row of logits (batch, vocab): the argmax when temperature is 0, else
    drawn from softmax(logits / temperature) over the top_k largest (all when None)."""
    if temperature == 0:
        return logits.argmax(axis=1)
    logits = logits.astype(np.float64) / temperature
    if top_k is not None and top_k < logits.shape[1]:
        kth = np.sort(logits, axis=1)[:, -top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(len(row), p=row) for row in p])


def generate(model: GPT, ids, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, seed: int = 0, use_cache: bool = True) -> np.ndarray:
    """The prompt `ids` ((batch, positions) or (positions,)) followed by max_new_tokens tokens
    of a GPT, each the argmax when temperature == 0, else drawn (with a NumPy generator
    seeded by `seed`) from softmax(logits / temperature) over the top_k likeliest.

    The model sees the last context_length tokens. With use_cache, each step feeds only the
    newest token and the KV cache holds the rest, giving the same tokens as recomputing the
    whole context, faster. Once the tokens exceed context_length the window slides and its
    positions change, so from then on every step recomputes, as without the cache.
    """
    ids = np.asarray(ids).astype(np.int64)
    single = ids.ndim == 1
    ids = ids[None, :] if single else ids
    if ids.ndim != 2 or ids.shape[1] < 1:
        raise ValueError(f"generate expects prompt ids (batch, positions) or (positions,), got "
                         f"shape {np.shape(ids)}")
    if temperature < 0:
        raise ValueError(f"generate: temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"generate: top_k must be >= 1 or None, got {top_k}")
    rng = np.random.default_rng(seed)
    limit, was_training, cache = model.context_length, model.training, None
    model.eval()
    with no_grad():
        for _ in range(max_new_tokens):
            if cache is not None and len(cache[0]) < limit:  # it holds all of ids but the last
                logits = model.forward(ids[:, -1:], cache=cache)
            else:
                cache = model.new_cache() if use_cache else None
                logits = model.forward(ids[:, -limit:], cache=cache)
            token = _next_tokens(logits.numpy()[:, -1], temperature, top_k, rng)
            ids = np.concatenate([ids, token[:, None]], axis=1)
    model.train(was_training)
    return ids[0] if single else ids


@dataclass
class GPTHistory:
    """Training loss and learning rate of every step; validation loss after every
    `eval_every` steps (val_step: how many steps had been taken)."""

    train_loss: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    def plot(self, path=None):
        """Losses and learning rate against steps, side by side (matplotlib); saved to `path`
        if given."""
        import matplotlib.pyplot as plt

        figure, (loss_axes, lr_axes) = plt.subplots(1, 2, figsize=(10, 4))
        steps = range(1, len(self.train_loss) + 1)
        loss_axes.plot(steps, self.train_loss, label="train", alpha=0.7)
        if self.val_loss:
            loss_axes.plot(self.val_step, self.val_loss, marker="o", label="validation")
        loss_axes.set_xlabel("step")
        loss_axes.set_ylabel("cross-entropy")
        loss_axes.legend()
        lr_axes.plot(steps, self.learning_rate)
        lr_axes.set_xlabel("step")
        lr_axes.set_ylabel("learning rate")
        figure.tight_layout()
        if path is not None:
            figure.savefig(path)
        return figure


def _window_starts(ids: np.ndarray, context_length: int, shape, rng: np.random.Generator,
                   name: str) -> np.ndarray:
    if len(ids) <= context_length:
        raise ValueError(f"fit_gpt: {name} has {len(ids)} tokens; it needs more than "
                         f"context_length = {context_length}")
    return rng.integers(0, len(ids) - context_length, size=shape)


def _lm_loss(model: GPT, ids: np.ndarray, starts: np.ndarray, context_length: int) -> Tensor:
    """Mean cross-entropy of predicting ids[s + 1 .. s + T] from ids[s .. s + T - 1], for each
    start s of `starts`."""
    offsets = starts[:, None] + np.arange(context_length)
    logits = model(ids[offsets])
    rows = logits.shape[0] * logits.shape[1]
    return nn.SoftmaxLoss()(logits.reshape(rows, logits.shape[2]), ids[offsets + 1].reshape(rows))


def fit_gpt(model: GPT, train_ids, val_ids, optimizer, steps: int, batch_size: int,
            context_length: int, schedule=None, clip_norm: float | None = None,
            eval_every: int = 100, eval_batches: int = 4, seed: int = 0,
            progress: bool = True) -> GPTHistory:
    """Train a GPT for `steps` steps, each on batch_size windows of context_length + 1
    tokens drawn at random (a NumPy generator seeded by `seed`) from the token ids
    `train_ids`; after every eval_every steps (and the last), the mean loss over the same
    eval_batches batches of windows of `val_ids`. Before each optimizer step the gradients'
    norm is clipped to clip_norm (unless None); after it, schedule.step() (unless None)."""
    train_ids, val_ids = np.asarray(train_ids), np.asarray(val_ids)
    if context_length > model.context_length:
        raise ValueError(f"fit_gpt: context_length {context_length} exceeds the model's "
                         f"{model.context_length}")
    rng = np.random.default_rng(seed)
    val_starts = _window_starts(val_ids, context_length, (eval_batches, batch_size), rng,
                                "val_ids")
    history = GPTHistory()
    bar = tqdm(range(steps), desc="train", disable=not progress)
    for step in bar:
        model.train()
        starts = _window_starts(train_ids, context_length, batch_size, rng, "train_ids")
        loss = _lm_loss(model, train_ids, starts, context_length)
        optimizer.zero_grad()
        loss.backward()
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        history.learning_rate.append(float(optimizer.lr))
        optimizer.step()
        if schedule is not None:
            schedule.step()
        history.train_loss.append(loss.item())
        if (step + 1) % eval_every == 0 or step + 1 == steps:
            model.eval()
            with no_grad():
                val = np.mean([_lm_loss(model, val_ids, s, context_length).item()
                               for s in val_starts])
            history.val_step.append(step + 1)
            history.val_loss.append(float(val))
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}",
                        val=f"{history.val_loss[-1]:.3f}" if history.val_loss else "-")
    return history
