"""`make bench`: seconds per training step of hw4's models, minidl's backends next to PyTorch.

ResNet9 (431,946 parameters) on a batch of 128 images 3x32x32, and a 2-layer LSTM language
model (vocabulary 10,000, embedding and hidden 100) on 20 steps of a batch of 32; Adam for
both, float32, all threads. One step is forward, loss, backward and update. Each framework
takes STEPS steps after WARMUP (which also compiles Numba's kernels on a cold cache), in turn,
ROUNDS times over; its figure is the least of its rounds' medians, so that a burst of load from
other work on a shared machine weighs on none of them. minidl runs with glibc's allocator
tuned (`steps.tune_allocator`: freed buffers are reused). "answer" is the model answer: every
solution region, none of the kit's speed files (what students train with).
"""
from __future__ import annotations

import os

import numpy as np

from steps import median_step, reference_and_answer, training_step, tune_allocator

mdl, answer = reference_and_answer()
tune_allocator()
WARMUP, STEPS, ROUNDS = 3, 10, 3
BATCH, VOCAB, WIDTH, LAYERS, BPTT, LM_BATCH = 128, 10_000, 100, 2, 20, 32


def minidl_steps(mdl, device: str, images, labels, words):
    """The training steps of ResNet9 and the language model of the minidl package `mdl` on
    `device`."""
    os.environ["MINIDL_DEVICE"] = device
    mdl.init.manual_seed(0)
    loss_fn = mdl.nn.SoftmaxLoss()
    cnn, x, y = mdl.models.ResNet9(), mdl.Tensor(images), mdl.Tensor(labels)
    cnn_step = training_step(lambda: loss_fn(cnn(x), y),
                             mdl.optim.Adam(cnn.parameters(), lr=1e-3))
    lm = mdl.models.LanguageModel(WIDTH, VOCAB, WIDTH, num_layers=LAYERS, seq_model="lstm")
    tokens, targets = mdl.Tensor(words[:-1]), mdl.Tensor(words[1:].reshape(-1))
    lm_step = training_step(lambda: loss_fn(lm(tokens)[0], targets),
                            mdl.optim.Adam(lm.parameters(), lr=1e-3))

    def on_device(step):
        def run():
            os.environ["MINIDL_DEVICE"] = device  # new arrays, as the one-hot labels, go there
            step()
        return run

    return on_device(cnn_step), on_device(lm_step)


def torch_steps(torch, images, labels, words, device: str = "cpu"):
    """The training steps of the same two models in PyTorch, on `device`."""
    nn = torch.nn
    torch.manual_seed(0)

    def conv_bn(a, b, k, s):
        return nn.Sequential(nn.Conv2d(a, b, k, s, k // 2), nn.BatchNorm2d(b), nn.ReLU())

    class ResNet9(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(conv_bn(3, 16, 7, 4), conv_bn(16, 32, 3, 2))
            self.residual1 = nn.Sequential(conv_bn(32, 32, 3, 1), conv_bn(32, 32, 3, 1))
            self.middle = nn.Sequential(conv_bn(32, 64, 3, 2), conv_bn(64, 128, 3, 2))
            self.residual2 = nn.Sequential(conv_bn(128, 128, 3, 1), conv_bn(128, 128, 3, 1))
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(128, 128), nn.ReLU(),
                                      nn.Linear(128, 10))

        def forward(self, x):
            x = self.stem(x)
            x = self.middle(x + self.residual1(x))
            return self.head(x + self.residual2(x))

    cnn = ResNet9().to(device)
    assert sum(p.numel() for p in cnn.parameters()) == 431_946
    x, y = torch.from_numpy(images).to(device), torch.from_numpy(labels).to(device)
    cnn_step = training_step(lambda: nn.functional.cross_entropy(cnn(x), y),
                             torch.optim.Adam(cnn.parameters(), lr=1e-3))

    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, WIDTH)
            self.lstm = nn.LSTM(WIDTH, WIDTH, LAYERS)
            self.linear = nn.Linear(WIDTH, VOCAB)

        def forward(self, ids):
            output, _ = self.lstm(self.embedding(ids))
            return self.linear(output.reshape(-1, WIDTH))

    lm = LanguageModel().to(device)
    tokens = torch.from_numpy(words[:-1]).to(device)
    targets = torch.from_numpy(words[1:].reshape(-1)).to(device)
    lm_step = training_step(lambda: nn.functional.cross_entropy(lm(tokens), targets),
                            torch.optim.Adam(lm.parameters(), lr=1e-3))
    return cnn_step, lm_step


def main() -> None:
    rng = np.random.default_rng(0)
    images = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, BATCH)
    words = rng.integers(0, VOCAB, (BPTT + 1, LM_BATCH))
    steps = {"minidl NumPy": minidl_steps(mdl, "cpu", images, labels, words),
             "minidl Numba": minidl_steps(mdl, "cpu_numba", images, labels, words),
             "answer Numba": minidl_steps(answer, "cpu_numba", images, labels, words)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        steps["PyTorch CPU"] = torch_steps(torch, images, labels, words)
    rows = {name: (float("inf"), float("inf")) for name in steps}
    for _ in range(ROUNDS):
        for name, (cnn_step, lm_step) in steps.items():
            rows[name] = (min(rows[name][0], median_step(cnn_step, WARMUP, STEPS)),
                          min(rows[name][1], median_step(lm_step, WARMUP, STEPS)))
    print(f"Seconds per training step (least of {ROUNDS} rounds' medians of {STEPS}; "
          f"{os.cpu_count()} cores)")
    print(f"  {'':14} {'ResNet9, batch 128':>22} {'2-layer LSTM LM':>22}")
    for name, (cnn, lm) in rows.items():
        ratios = ("", "")
        if torch is not None:
            ratios = tuple(f"({ours / theirs:5.2f}x torch)"
                           for ours, theirs in zip((cnn, lm), rows["PyTorch CPU"]))
        print(f"  {name:14} {cnn:7.3f} {ratios[0]:>14} {lm:7.3f} {ratios[1]:>14}")
    if torch is None:
        print("  PyTorch CPU    not installed")


if __name__ == "__main__":
    main()
