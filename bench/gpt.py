"""hw5's GPT: tokens per second of greedy generation with and without the KV cache, and
seconds per training step, minidl's backends next to PyTorch.

The GPT has a vocabulary of 256, context 128, d_model 128, 4 heads and 4 layers (float32).
Generation (minidl NumPy): a batch of one 16-token prompt, 100 new tokens, ROUNDS times each
way; both ways must give the same tokens. Training: AdamW steps on a batch of 8 windows of 128
tokens (forward, loss, backward, update); STEPS steps after WARMUP (which also compiles
Numba's kernels on a cold cache), in turn, ROUNDS times over, the least of the rounds' medians
counting. PyTorch's model is the same network built from its TransformerEncoderLayer
(norm_first, GELU, a causal mask). Spreads are min..max over the rounds, so a burst of load
from other work on a shared machine shows. "answer" is the model answer: every solution
region, none of the kit's speed files (what students train with).
"""
from __future__ import annotations

import os
import statistics
import time

import numpy as np

from steps import median_step, reference_and_answer, training_step, tune_allocator

mdl, answer = reference_and_answer()
tune_allocator()
VOCAB, CONTEXT, WIDTH, HEADS, LAYERS = 256, 128, 128, 4, 4
PROMPT, NEW_TOKENS, BATCH = 16, 100, 8
WARMUP, STEPS, ROUNDS = 2, 5, 3


def minidl_gpt(mdl):
    mdl.init.manual_seed(0)
    return mdl.models.GPT(VOCAB, CONTEXT, WIDTH, HEADS, LAYERS)


def generation_rates(prompt) -> dict[str, list[float]]:
    """Tokens per second of greedy generation with and without the cache, each round."""
    os.environ["MINIDL_DEVICE"] = "cpu"
    model = minidl_gpt(mdl)
    rates: dict[str, list[float]] = {"KV cache": [], "recompute": []}
    outputs = {}
    for _ in range(ROUNDS):
        for name, use_cache in (("KV cache", True), ("recompute", False)):
            start = time.perf_counter()
            outputs[name] = mdl.train.generate(model, prompt, NEW_TOKENS, temperature=0,
                                                use_cache=use_cache)
            rates[name].append(NEW_TOKENS / (time.perf_counter() - start))
    assert (outputs["KV cache"] == outputs["recompute"]).all(), "the cache changed the tokens"
    return rates


def minidl_step(mdl, device: str, windows):
    """A training step of the GPT of the minidl package `mdl` on `device`."""
    os.environ["MINIDL_DEVICE"] = device
    model = minidl_gpt(mdl)
    optimizer = mdl.optim.AdamW(model.parameters(), lr=1e-3)
    inputs, targets = windows[:, :-1], windows[:, 1:].reshape(-1)
    loss_fn = mdl.nn.SoftmaxLoss()

    def loss_of():
        logits = model(inputs)
        return loss_fn(logits.reshape(BATCH * CONTEXT, VOCAB), targets)

    step = training_step(loss_of, optimizer)

    def run():
        os.environ["MINIDL_DEVICE"] = device  # new arrays, as the masks, go there
        step()

    return run


def torch_step(torch, windows):
    """The same training step in PyTorch."""
    nn = torch.nn
    torch.manual_seed(0)

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding = nn.Embedding(VOCAB, WIDTH)
            self.position_embedding = nn.Embedding(CONTEXT, WIDTH)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(WIDTH, HEADS, 4 * WIDTH, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
                for _ in range(LAYERS))
            self.norm = nn.LayerNorm(WIDTH)
            self.head = nn.Linear(WIDTH, VOCAB, bias=False)
            self.head.weight = self.token_embedding.weight
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(CONTEXT))

        def forward(self, ids):
            x = self.token_embedding(ids) + self.position_embedding.weight[:ids.shape[1]]
            for block in self.blocks:
                x = block(x, src_mask=self.mask, is_causal=True)
            return self.head(self.norm(x))

    model = GPT()
    inputs = torch.from_numpy(windows[:, :-1])
    targets = torch.from_numpy(windows[:, 1:].reshape(-1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return training_step(
        lambda: nn.functional.cross_entropy(model(inputs).reshape(-1, VOCAB), targets),
        optimizer)


def spread(values) -> str:
    return f"{statistics.median(values):8.1f} ({min(values):.1f}..{max(values):.1f})"


def main() -> None:
    rng = np.random.default_rng(0)
    prompt = rng.integers(0, VOCAB, (1, PROMPT))
    rates = generation_rates(prompt)
    print(f"GPT (vocabulary {VOCAB}, context {CONTEXT}, d_model {WIDTH}, {HEADS} heads, "
          f"{LAYERS} layers); {os.cpu_count()} cores")
    print(f"Greedy generation, minidl NumPy, {NEW_TOKENS} tokens after {PROMPT}: tokens/s, "
          f"median (min..max) of {ROUNDS} rounds")
    for name, values in rates.items():
        print(f"  {name:10} {spread(values)}")
    speedup = statistics.median(rates["KV cache"]) / statistics.median(rates["recompute"])
    print(f"  the cache is {speedup:.1f}x as fast, with the same tokens")

    windows = rng.integers(0, VOCAB, (BATCH, CONTEXT + 1))
    steps = {"minidl NumPy": minidl_step(mdl, "cpu", windows),
             "minidl Numba": minidl_step(mdl, "cpu_numba", windows),
             "answer Numba": minidl_step(answer, "cpu_numba", windows)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        steps["PyTorch CPU"] = torch_step(torch, windows)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):
        for name, step in steps.items():
            times[name].append(median_step(step, WARMUP, STEPS))
    print(f"Seconds per training step, batch {BATCH} x {CONTEXT} tokens, AdamW: least "
          f"(min..max) of {ROUNDS} rounds' medians of {STEPS}")
    for name, values in times.items():
        ratio = ""
        if torch is not None:
            ratio = f"  ({min(values) / min(times['PyTorch CPU']):5.1f}x torch)"
        print(f"  {name:14} {min(values):7.3f} ({min(values):.3f}..{max(values):.3f}){ratio}")
    if torch is None:
        print("  PyTorch CPU    not installed")


if __name__ == "__main__":
    main()
