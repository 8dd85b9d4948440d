"""`make bench`: minidl.cuda() on a GPU next to CuPy, PyTorch and minidl's Numba CPU backend.

In one run: matmul in TFLOP/s (2 n^3 / time) at n = 1024, 2048, 4096 and the elementwise add of
100M float32 in GB/s, against CuPy (cuBLAS); the Python cost of one kernel launch, through CuPy
as minidl launches and through numba.cuda's own launch; kernel launches per training step, and
seconds per step, of hw4's ResNet9 (batch 128) and 2-layer LSTM language model (bench/cnn_rnn.py)
on minidl.cuda(), minidl.cpu_numba() and PyTorch CUDA. Without a GPU, minidl.cuda() runs in
Numba's simulator: nothing to measure.
"""
from __future__ import annotations

import importlib
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_rnn  # noqa: E402 -- the models and steps of the CPU benchmark
from steps import median_step  # noqa: E402

mdl = cnn_rnn.mdl
backend, kernels = mdl.cuda().backend, mdl.cuda().kernels  # kernels: what runs
if backend.SIMULATED:
    print("GPU table skipped: no CUDA GPU here (minidl.cuda() runs in Numba's simulator).")
    sys.exit(0)

import cupy  # noqa: E402 -- present whenever the backend is not simulated

launch = importlib.import_module(".cuda_launch", backend.__package__)


def synchronize() -> None:
    cupy.cuda.Device().synchronize()


def best_seconds(function, repeats: int = 5) -> float:
    function()  # compiles, warms up
    synchronize()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def microseconds_per_launch(function, count: int = 2000) -> float:
    function()
    synchronize()
    start = time.perf_counter()
    for _ in range(count):
        function()
    synchronize()
    return (time.perf_counter() - start) / count * 1e6


def kernel_table() -> None:
    print("minidl.cuda() kernels vs CuPy (cuBLAS), float32, best of 5")
    print(f"{'kernel':<24}{'cupy':>10}{'minidl':>10}{'ratio':>8}")
    for n in (1024, 2048, 4096):
        a, b = (cupy.random.standard_normal((n, n), dtype=cupy.float32) for _ in range(2))
        out = cupy.empty(n * n, dtype=cupy.float32)
        ours = best_seconds(lambda: kernels.matmul(a.ravel(), b.ravel(), out, n, n, n))
        theirs = best_seconds(lambda: cupy.matmul(a, b))
        error = float(cupy.abs(out.reshape(n, n) - a @ b).max() / cupy.abs(a @ b).max())
        assert error < 1e-4, f"matmul {n}: relative error {error:.1e} against cuBLAS"
        tflops = lambda seconds: 2 * n ** 3 / seconds / 1e12  # noqa: E731
        print(f"{f'matmul {n} (TFLOP/s)':<24}{tflops(theirs):>10.2f}{tflops(ours):>10.2f}"
              f"{theirs / ours:>7.2f}x")
    n = 100_000_000
    a, b = (cupy.random.standard_normal(n, dtype=cupy.float32) for _ in range(2))
    out = cupy.empty(n, dtype=cupy.float32)
    ours = best_seconds(lambda: kernels.ewise_add(a, b, out))
    assert bool(cupy.array_equal(out, a + b)), "add 100M differs from CuPy's"
    theirs = best_seconds(lambda: cupy.add(a, b, out=out))
    gbs = lambda seconds: 3 * 4 * n / seconds / 1e9  # noqa: E731
    print(f"{'add 100M (GB/s)':<24}{gbs(theirs):>10.1f}{gbs(ours):>10.1f}{theirs / ours:>7.2f}x")


def launch_cost() -> None:
    one, out = cupy.ones(1, dtype=cupy.float32), cupy.empty(1, dtype=cupy.float32)
    add = lambda: kernels.ewise_add(one, one, out)  # noqa: E731
    print("\nOne launch (add of one float32), microseconds of Python")
    print(f"  {'cupy.add':34}{microseconds_per_launch(lambda: cupy.add(one, one, out=out)):8.1f}")
    print(f"  {'minidl, through CuPy':34}{microseconds_per_launch(add):8.1f}")
    launch.CUPY_LAUNCH = False
    try:
        print(f"  {'minidl, numba.cuda launching':34}{microseconds_per_launch(add, 500):8.1f}")
    finally:
        launch.CUPY_LAUNCH = True


def launches_per_step(step) -> tuple[int, list]:
    """Kernel launches in one call of `step` (after a first, which compiles), the most by kernel."""
    step()
    synchronize()
    launch.launch_counts.clear()
    step()
    return sum(launch.launch_counts.values()), launch.launch_counts.most_common(6)


def training_steps() -> None:
    rng = np.random.default_rng(0)
    images = rng.standard_normal((cnn_rnn.BATCH, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, cnn_rnn.BATCH)
    words = rng.integers(0, cnn_rnn.VOCAB, (cnn_rnn.BPTT + 1, cnn_rnn.LM_BATCH))
    steps = {"minidl.cuda()": cnn_rnn.minidl_steps("cuda", images, labels, words)}
    print("\nKernel launches per training step of minidl.cuda() (the kernels launched most)")
    for name, step in zip(("ResNet9", "LSTM LM"), steps["minidl.cuda()"]):
        total, most = launches_per_step(step)
        print(f"  {name:8} {total:6}  " + ", ".join(f"{kernel} {n}" for kernel, n in most))
    steps["minidl.cpu_numba()"] = cnn_rnn.minidl_steps("cpu_numba", images, labels, words)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        steps["PyTorch CUDA"] = cnn_rnn.torch_steps(torch, images, labels, words, "cuda")
    print(f"\nSeconds per training step (median of {cnn_rnn.STEPS} after {cnn_rnn.WARMUP}; "
          f"ResNet9 batch {cnn_rnn.BATCH}, 2-layer LSTM LM)")
    print(f"  {'':20}{'ResNet9':>10}{'LSTM LM':>10}")
    for name, (cnn_step, lm_step) in steps.items():
        print(f"  {name:20}{median_step(cnn_step, cnn_rnn.WARMUP, cnn_rnn.STEPS):10.4f}"
              f"{median_step(lm_step, cnn_rnn.WARMUP, cnn_rnn.STEPS):10.4f}")
    if "PyTorch CUDA" not in steps:
        print("  PyTorch CUDA        not installed, or without CUDA")


if __name__ == "__main__":
    kernel_table()
    launch_cost()
    training_steps()
