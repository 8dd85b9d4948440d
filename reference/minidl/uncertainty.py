"""What a classifier does not know, and whether its probabilities can be trusted: predictive
entropy, Monte Carlo dropout, deep ensembles, expected calibration error with its reliability
diagram, and temperature scaling."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ops, optim
from .autograd import Tensor, no_grad
from .nn import Dropout, Module, Parameter, SoftmaxLoss


def _numpy(x: np.ndarray | Tensor) -> np.ndarray:
    """A Tensor's values, or anything array-like, as a NumPy array."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def predictive_entropy(probs: np.ndarray | Tensor) -> np.ndarray:
    """-sum p log p over the last axis of probabilities `probs` (natural log; 0 log 0 = 0)."""
    p = _numpy(probs).astype(np.float64)
    if p.ndim < 1 or (p < 0).any():
        raise ValueError(f"predictive_entropy expects non-negative probabilities with a class "
                         f"axis, got shape {p.shape} with min {p.min() if p.size else None}")
    ### BEGIN SOLUTION hw7
    # log 1 = 0 where p is 0, so those terms vanish instead of giving 0 * -inf = nan
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(-1)
    ### END SOLUTION


def mc_dropout_predict(model: Module, x: Tensor, samples: int = 30) -> np.ndarray:
    """Softmax probabilities (samples, N, K) of `samples` forward passes with every Dropout in
    training mode and every other module in eval mode; the model's modes restored after."""
    if samples < 1:
        raise ValueError(f"mc_dropout_predict needs samples >= 1, got {samples}")
    # Your code defines `draws`, a list of `samples` arrays (N, K), which the last line stacks
    ### BEGIN SOLUTION hw7
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    for module in model.modules():
        if isinstance(module, Dropout):
            module.training = True
    try:
        with no_grad():
            draws = [ops.softmax(model(x), axes=-1).numpy() for _ in range(samples)]
    finally:
        for module, training in modes:
            module.training = training
    ### END SOLUTION
    return np.stack(draws)


def ensemble_predict(models: list[Module], x: Tensor) -> np.ndarray:
    """Softmax probabilities (M, N, K) of each of M models in eval mode; their modes restored
    after."""
    if not models:
        raise ValueError("ensemble_predict needs at least one model, got none")
    modes = [(module, module.training) for model in models for module in model.modules()]
    try:
        # Your code defines `probs`, a list of M arrays (N, K), which the last line stacks
        ### BEGIN SOLUTION hw7
        with no_grad():
            probs = [ops.softmax(model.eval()(x), axes=-1).numpy() for model in models]
        ### END SOLUTION
    finally:
        for module, training in modes:
            module.training = training
    return np.stack(probs)


@dataclass
class Reliability:
    """A reliability diagram's data: bin b holds confidences in (edges[b], edges[b + 1]];
    accuracy and confidence are NaN in empty bins."""

    edges: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray
    counts: np.ndarray


def reliability_diagram(probs: np.ndarray | Tensor, labels: np.ndarray | Tensor,
                        bins: int = 15) -> Reliability:
    """Accuracy, mean confidence and count of the predictions (argmax of `probs` (N, K)) in
    each of `bins` equal-width confidence bins over [0, 1]."""
    p, y = _numpy(probs), _numpy(labels)
    if p.ndim != 2 or p.shape[0] == 0 or y.shape != p.shape[:1]:
        raise ValueError(f"reliability_diagram expects probs (N, K) with N >= 1 and labels "
                         f"(N,), got {p.shape} and {y.shape}")
    if int(bins) != bins or bins < 1:
        raise ValueError(f"reliability_diagram needs a whole number of bins >= 1, got {bins}")
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= p.shape[1]:
        raise ValueError(f"reliability_diagram: labels must be integers in [0, {p.shape[1]}), "
                         f"got {y.dtype} values {y.min()}..{y.max()}")
    confidence = p.max(-1).astype(np.float64)
    correct = (p.argmax(-1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Your code defines `counts`, `accuracy` and `mean_confidence`, one entry per bin
    ### BEGIN SOLUTION hw7
    # searchsorted's left side finds the bin whose upper edge a confidence equals: bins are
    # (lo, hi]; a confidence of 0 (index -1) joins the first
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):  # 0 / 0 is the NaN of an empty bin
        accuracy = np.bincount(which, weights=correct, minlength=bins) / counts
        mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / counts
    ### END SOLUTION
    return Reliability(edges, accuracy, mean_confidence, counts)


def expected_calibration_error(probs: np.ndarray | Tensor, labels: np.ndarray | Tensor,
                               bins: int = 15) -> float:
    """ECE: sum over equal-width confidence bins of (n_b / N) |accuracy_b - confidence_b|,
    empty bins contributing nothing."""
    ### BEGIN SOLUTION hw7
    diagram = reliability_diagram(probs, labels, bins)
    filled = diagram.counts > 0
    gaps = np.abs(diagram.accuracy[filled] - diagram.confidence[filled])
    return float((diagram.counts[filled] * gaps).sum() / diagram.counts.sum())
    ### END SOLUTION


def plot_reliability(reliability: Reliability, ax=None, label: str | None = None):
    """Bars of each bin's accuracy against the diagonal of perfect calibration; the axes."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    lower = reliability.edges[:-1]
    ax.bar(lower, np.nan_to_num(reliability.accuracy), width=np.diff(reliability.edges),
           align="edge", edgecolor="black", alpha=0.6, label=label)
    ax.plot([0, 1], [0, 1], "k--", linewidth=1)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy")
    return ax


class TemperatureScaling(Module):
    """Logits divided by a learned temperature T = exp(log_temperature) > 0 (calibration)."""

    def __init__(self, temperature: float = 1.0, dtype: str = "float32"):
        if not temperature > 0:
            raise ValueError(f"TemperatureScaling needs a temperature > 0, got {temperature}")
        self.log_temperature = Parameter(np.array([np.log(temperature)]), dtype=dtype)

    @property
    def temperature(self) -> float:
        return float(np.exp(self.log_temperature.numpy()[0]))

    def forward(self, logits: Tensor) -> Tensor:
        ### BEGIN SOLUTION hw7
        return logits / ops.exp(self.log_temperature)
        ### END SOLUTION

    def extra_repr(self) -> str:
        return f"temperature={self.temperature:.4g}"


def fit_temperature(logits: np.ndarray | Tensor, labels: np.ndarray | Tensor, steps: int = 200,
                    lr: float = 0.05) -> TemperatureScaling:
    """The TemperatureScaling that minimizes the mean cross-entropy (NLL) of validation
    `logits` (N, K) against `labels` (N,), fitted by Adam from T = 1."""
    if not isinstance(logits, Tensor):
        array = np.asarray(logits)
        logits = Tensor(array, dtype="float64" if array.dtype == np.float64 else "float32")
    x = logits.detach()
    if x.ndim != 2:
        raise ValueError(f"fit_temperature expects logits (N, K), got shape {x.shape}")
    labels = _numpy(labels)
    scaler = TemperatureScaling(dtype=x.dtype).to(x.device)
    optimizer = optim.Adam(scaler.parameters(), lr=lr)
    loss_fn = SoftmaxLoss()
    ### BEGIN SOLUTION hw7
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(scaler(x), labels).backward()
        optimizer.step()
    ### END SOLUTION
    return scaler
