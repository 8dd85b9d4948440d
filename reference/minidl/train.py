"""Training and sampling: the loops that train the course's models (an epoch over a DataLoader,
truncated backpropagation through time for the recurrent language model, steps on random
windows for the GPT), the History they record, and text generation from a trained model."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from . import data, nn
from .autograd import Tensor, no_grad
from .models import GPT


@dataclass
class History:
    """What a training loop recorded, by `unit` of training ("epoch" or "step"): train_loss,
    train_accuracy and learning_rate after units 1, 2, ...; eval_loss and eval_accuracy after
    the units listed in eval_at. What a loop does not measure stays empty."""

    unit: str = "epoch"
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    eval_at: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    eval_accuracy: list[float] = field(default_factory=list)

    def plot(self, path=None):
        """One panel for each quantity recorded (loss, accuracy, learning rate), training and
        evaluation against the unit (matplotlib); saved to `path` if given."""
        import matplotlib.pyplot as plt

        quantities = [q for q in ("loss", "accuracy")
                      if getattr(self, f"train_{q}") or getattr(self, f"eval_{q}")]
        quantities += ["learning rate"] if self.learning_rate else []
        if not quantities:
            raise ValueError("History.plot: nothing was recorded yet")
        figure, panels = plt.subplots(1, len(quantities), figsize=(5 * len(quantities), 4),
                                      squeeze=False)
        marker = "o" if self.unit == "epoch" else None  # steps are too many to mark
        for axes, quantity in zip(panels[0], quantities):
            if quantity == "learning rate":
                axes.plot(range(1, len(self.learning_rate) + 1), self.learning_rate)
            else:
                train = getattr(self, f"train_{quantity}")
                evaluation = getattr(self, f"eval_{quantity}")
                if train:
                    axes.plot(range(1, len(train) + 1), train, marker=marker, label="train")
                if evaluation:
                    axes.plot(self.eval_at, evaluation, marker="o", label="evaluation")
                axes.legend()
            axes.set_xlabel(self.unit)
            axes.set_ylabel(quantity)
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


def _history(train, evaluate, epochs: int, progress: bool) -> History:
    """Run train() and evaluate(), each giving (loss, accuracy), once per epoch."""
    history = History()
    for epoch in tqdm(range(1, epochs + 1), desc="epochs", disable=not progress):
        loss, accuracy = train()
        history.train_loss.append(loss)
        history.train_accuracy.append(accuracy)
        loss, accuracy = evaluate()
        history.eval_at.append(epoch)
        history.eval_loss.append(loss)
        history.eval_accuracy.append(accuracy)
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
            progress: bool = True) -> History:
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
    history = History(unit="step")
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
            history.eval_at.append(step + 1)
            history.eval_loss.append(float(val))
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}",
                        val=f"{history.eval_loss[-1]:.3f}" if history.eval_loss else "-")
    return history


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
