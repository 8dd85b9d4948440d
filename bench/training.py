"""`make bench`: seconds per epoch of MLPResNet on the digits, minidl next to PyTorch.

The same architecture (hidden 100, 3 blocks, BatchNorm, dropout 0.1), batch 32, Adam, on the
1,500 training digits; minidl on its NumPy backend, PyTorch on the CPU, in one run.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.implementation import load_package  # noqa: E402

mdl = load_package(ROOT / "reference" / "minidl", "minidl")
EPOCHS = 5


def minidl_epochs():
    mdl.init.manual_seed(0)
    train = mdl.data.DataLoader(mdl.data.digits(True), batch_size=32, shuffle=True, seed=0)
    test = mdl.data.DataLoader(mdl.data.digits(False), batch_size=300)
    model = mdl.models.MLPResNet(64, hidden_dim=100)
    optimizer = mdl.optim.Adam(model.parameters(), lr=0.001, weight_decay=1e-4)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        mdl.train.train_epoch(model, train, optimizer, progress=False)
    seconds = (time.perf_counter() - start) / EPOCHS
    return seconds, mdl.train.evaluate(model, test, progress=False)[1]


def torch_epochs(torch):
    nn = torch.nn
    torch.manual_seed(0)

    def block(dim, hidden):
        return nn.Sequential(nn.Linear(dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                             nn.Dropout(0.1), nn.Linear(hidden, dim), nn.BatchNorm1d(dim))

    class Residual(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, x):
            return self.fn(x) + x

    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 100), nn.ReLU(),
                          *[nn.Sequential(Residual(block(100, 50)), nn.ReLU()) for _ in range(3)],
                          nn.Linear(100, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, weight_decay=1e-4)
    train_set, test_set = mdl.data.digits(True), mdl.data.digits(False)
    x, y = (torch.from_numpy(a) for a in train_set.arrays)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        model.train()
        for batch in np.array_split(rng.permutation(len(y)), range(32, len(y), 32)):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
    seconds = (time.perf_counter() - start) / EPOCHS
    model.eval()
    with torch.no_grad():
        test_x, test_y = (torch.from_numpy(a) for a in test_set.arrays)
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    return seconds, accuracy


def main() -> None:
    ours, our_accuracy = minidl_epochs()
    print(f"MLPResNet on the digits, {EPOCHS} epochs, seconds per epoch (test accuracy after)")
    print(f"  minidl (NumPy backend)   {ours:7.3f}  ({our_accuracy:.3f})")
    try:
        import torch
    except ImportError:
        print("  PyTorch                  not installed")
        return
    theirs, their_accuracy = torch_epochs(torch)
    print(f"  PyTorch (CPU)            {theirs:7.3f}  ({their_accuracy:.3f})")
    print(f"  minidl / PyTorch         {ours / theirs:7.2f}x")


if __name__ == "__main__":
    main()
