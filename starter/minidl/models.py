"""The course's models and the loops that train them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from . import data, nn
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


def generate(model, dictionary, prompt: str, words: int, temperature: float = 1.0,
             seed: int = 0) -> str:
    """`prompt` followed by `words` words, each drawn from a LanguageModel's softmax at
    `temperature`."""
    unknown = [w for w in prompt.split() if w not in dictionary.word2idx]
    if unknown or not prompt.split():
        raise ValueError(f"generate needs a prompt of known words; not in the dictionary: {unknown}")
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
