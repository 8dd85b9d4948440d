"""`make bench`: the cost of minidl's autodiff next to hand-written NumPy (and PyTorch).

Times one forward and backward pass of a two-layer MLP's softmax loss, as a ratio to the same
computation with gradients derived by hand in NumPy, measured in the same run.
"""
from __future__ import annotations

import sys
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.implementation import load_package  # noqa: E402

mdl = load_package(ROOT / "reference" / "minidl", "minidl")


def data(batch, features, hidden, classes, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((batch, features), dtype=np.float32),
            rng.standard_normal((features, hidden), dtype=np.float32) * 0.1,
            rng.standard_normal((hidden, classes), dtype=np.float32) * 0.1,
            np.eye(classes, dtype=np.float32)[rng.integers(0, classes, batch)])


def step_minidl(x, w1, w2, y):
    W1, W2 = mdl.Tensor(w1, requires_grad=True), mdl.Tensor(w2, requires_grad=True)
    logits = mdl.ops.relu(mdl.Tensor(x) @ W1) @ W2
    loss = (mdl.ops.logsumexp(logits, axes=1) - (logits * mdl.Tensor(y)).sum(1)).sum() / len(x)
    loss.backward()
    return W1.grad, W2.grad


def step_numpy(x, w1, w2, y):
    h = np.maximum(x @ w1, 0)
    logits = h @ w2
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d_logits = (p - y) / len(x)
    d_h = (d_logits @ w2.T) * (h > 0)
    return x.T @ d_h, h.T @ d_logits


def step_torch(torch, x, w1, w2, y):
    W1 = torch.tensor(w1, requires_grad=True)
    W2 = torch.tensor(w2, requires_grad=True)
    logits = torch.relu(torch.from_numpy(x) @ W1) @ W2
    loss = (torch.logsumexp(logits, 1) - (logits * torch.from_numpy(y)).sum(1)).sum() / len(x)
    loss.backward()
    return W1.grad, W2.grad


def best_seconds(function, repeat=7):
    runs = timeit.repeat(function, number=3, repeat=repeat)
    return min(runs) / 3


def main() -> None:
    try:
        import torch
    except ImportError:
        torch = None
    print("forward+backward of a 2-layer MLP softmax loss, float32, best of 7 (ms)")
    print(f"{'batch x features x hidden x classes':<38} {'numpy':>9} {'minidl':>9} "
          f"{'ratio':>7} {'torch':>9}")
    for shape in [(64, 64, 128, 10), (256, 784, 256, 10), (1024, 1024, 1024, 100)]:
        arrays = data(*shape)
        check = [np.abs(a.numpy() - b).max() for a, b in zip(step_minidl(*arrays),
                                                             step_numpy(*arrays))]
        assert max(check) < 1e-4, f"minidl and NumPy gradients disagree by {max(check)}"
        numpy_s = best_seconds(lambda: step_numpy(*arrays))
        minidl_s = best_seconds(lambda: step_minidl(*arrays))
        torch_ms = (f"{best_seconds(lambda: step_torch(torch, *arrays)) * 1e3:9.2f}"
                    if torch else f"{'n/a':>9}")
        print(f"{' x '.join(map(str, shape)):<38} {numpy_s * 1e3:9.2f} {minidl_s * 1e3:9.2f} "
              f"{minidl_s / numpy_s:6.2f}x {torch_ms}")
    if torch is None:
        print("(PyTorch is not installed: pip install torch==2.13.0 into .venv to compare)")


if __name__ == "__main__":
    main()
