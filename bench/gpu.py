"""`make bench`: the GPU kernels of `minidl.cuda()` next to CuPy's own (cuBLAS), in one run.

Matmul in TFLOP/s (2 n^3 / time) at n = 1024, 2048, 4096 and the elementwise add of 100M
float32 in GB/s. Without a GPU, minidl.cuda() runs in Numba's simulator: nothing to measure.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.implementation import load_package  # noqa: E402

mdl = load_package(ROOT / "reference" / "minidl", "minidl")
backend = mdl.cuda().module
if backend.SIMULATED:
    print("GPU table skipped: no CUDA GPU here (minidl.cuda() runs in Numba's simulator).")
    sys.exit(0)

import cupy  # noqa: E402 -- present whenever the backend is not simulated


def best_seconds(function, repeats: int = 5) -> float:
    function()  # compiles, warms up
    cupy.cuda.Device().synchronize()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        cupy.cuda.Device().synchronize()
        best = min(best, time.perf_counter() - start)
    return best


print("minidl.cuda() kernels vs CuPy (cuBLAS), float32, best of 5")
print(f"{'kernel':<24}{'cupy':>10}{'minidl':>10}{'ratio':>8}")
for n in (1024, 2048, 4096):
    a, b = (cupy.random.standard_normal((n, n), dtype=cupy.float32) for _ in range(2))
    out = cupy.empty(n * n, dtype=cupy.float32)
    ours = best_seconds(lambda: backend.matmul(a.ravel(), b.ravel(), out, n, n, n))
    theirs = best_seconds(lambda: cupy.matmul(a, b))
    tflops = lambda seconds: 2 * n ** 3 / seconds / 1e12  # noqa: E731
    print(f"{f'matmul {n} (TFLOP/s)':<24}{tflops(theirs):>10.2f}{tflops(ours):>10.2f}"
          f"{theirs / ours:>7.2f}x")
n = 100_000_000
a, b = (cupy.random.standard_normal(n, dtype=cupy.float32) for _ in range(2))
out = cupy.empty(n, dtype=cupy.float32)
ours = best_seconds(lambda: backend.ewise_add(a, b, out))
theirs = best_seconds(lambda: cupy.add(a, b, out=out))
gbs = lambda seconds: 3 * 4 * n / seconds / 1e9  # noqa: E731
print(f"{'add 100M (GB/s)':<24}{gbs(theirs):>10.1f}{gbs(ours):>10.1f}{theirs / ours:>7.2f}x")
