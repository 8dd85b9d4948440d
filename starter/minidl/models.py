"""The course's models and the loops that train them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from . import nn
from .autograd import no_grad


def residual_block(dim: int, hidden_dim: int, norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """ReLU(x + norm(Linear(Dropout(ReLU(norm(Linear(x)))))))."""
    # YOUR CODE HERE
    raise NotImplementedError()


def MLPResNet(dim: int, hidden_dim: int = 100, num_blocks: int = 3, num_classes: int = 10,
              norm=nn.BatchNorm1d, drop_prob: float = 0.1) -> nn.Module:
    """Flatten, Linear, ReLU, `num_blocks` residual blocks (inner width hidden_dim // 2), Linear."""
    # YOUR CODE HERE
    raise NotImplementedError()


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


def _run_epoch(model, loader, loss_fn, optimizer, progress: bool, description: str):
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in tqdm(loader, desc=description, disable=not progress, leave=False):
        logits = model(x)
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


def fit(model, train_loader, test_loader, optimizer, epochs: int, progress: bool = True) -> History:
    """Train for `epochs`, evaluating after each; the History of both."""
    history = History()
    for _ in tqdm(range(epochs), desc="epochs", disable=not progress):
        loss, accuracy = train_epoch(model, train_loader, optimizer, progress=progress)
        history.train_loss.append(loss)
        history.train_accuracy.append(accuracy)
        loss, accuracy = evaluate(model, test_loader, progress=progress)
        history.test_loss.append(loss)
        history.test_accuracy.append(accuracy)
    return history
