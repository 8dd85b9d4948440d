"""`make bench`: the Numba backend's kernels next to NumPy (OpenBLAS), in one run.

Matmul in GFLOP/s (2 n^3 / time) at n = 256, 512, 1024; elementwise add, mul, exp, log, tanh
and the sum and max of 10M float32 in GB/s (bytes read and written / time), through NDArray
as a Tensor's data is; and the time to compile every kernel into an empty cache, then to load
them from it. The 10M kernels run in ROUNDS rounds, NumPy and Numba in turn, each the best of
REPEAT calls: the median round and, in brackets, the range of the rounds (a wide range is a
busy machine: the load average is printed before and after).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.implementation import load_package  # noqa: E402

mdl = load_package(ROOT / "reference" / "minidl", "minidl")
NDArray = mdl.ndarray.NDArray
ELEMENTS = 10_000_000
ROUNDS, REPEAT = 5, 3

WARM_ALL_KERNELS = """
import sys, time
sys.path.insert(0, {root!r})
start = time.perf_counter()
from autograder.implementation import load_package
mdl = load_package(__import__("pathlib").Path({root!r}) / "reference" / "minidl", "minidl")
device = mdl.backends.device("cpu_numba")
for dtype in ("float32", "float64"):
    a = mdl.ndarray.NDArray([[1.0, 2.0], [3.0, 4.0]], device=device, dtype=dtype)
    b = a.permute((1, 0))
    for result in (a + b, a + 1, a * b, a * 2, a / b, a / 2, a ** b, a ** 2, a.maximum(b),
                   a.maximum(0), a == b, a == 1, a >= b, a >= 1, a.log(), a.exp(), a.tanh(),
                   a.sum(1), a.max(1), a @ b):
        result.numpy()
    a[0, :] = b[1, :]
    a[1, :] = 0.5
print(time.perf_counter() - start)
"""


def seconds(function, repeat: int = 5) -> float:
    function()
    return min(timeit.repeat(function, number=1, repeat=repeat))


def spread(values: list[float], digits: int = 1) -> str:
    """The median of `values` and, in brackets, their range."""
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def compile_times() -> tuple[float, float]:
    """Seconds to compile every kernel into an empty cache, then to load them all from it."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        warm = [sys.executable, "-c", WARM_ALL_KERNELS.format(root=str(ROOT))]
        runs = [float(subprocess.run(warm, env=env, check=True, capture_output=True,
                                     text=True).stdout) for _ in range(2)]
    return runs[0], runs[1]


def main() -> None:
    cold, cached = compile_times()
    device = mdl.backends.device("cpu_numba")
    rng = np.random.default_rng(0)
    print(f"Numba backend vs NumPy, float32, {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.2f} before")
    print(f"{'kernel (best of 5)':<22} {'numpy':>10} {'numba':>10} {'ratio':>7}")
    for n in (256, 512, 1024):
        x, y = rng.standard_normal((2, n, n), dtype=np.float32)
        a, b = NDArray(x, device=device), NDArray(y, device=device)
        flops = 2 * n ** 3 / 1e9
        theirs, ours = flops / seconds(lambda: x @ y), flops / seconds(lambda: a @ b)
        print(f"{f'matmul {n} (GFLOP/s)':<22} {theirs:10.1f} {ours:10.1f} {ours / theirs:6.2f}x")
    x, y = rng.standard_normal((2, ELEMENTS), dtype=np.float32)
    positive = rng.uniform(0.1, 10.0, ELEMENTS).astype(np.float32)
    a, b = NDArray(x, device=device), NDArray(y, device=device)
    p = NDArray(positive, device=device)
    kernels = [  # name, arrays read and written, NumPy's, Numba's
        ("add", 3, lambda: x + y, lambda: a + b), ("mul", 3, lambda: x * y, lambda: a * b),
        ("exp", 2, lambda: np.exp(x), lambda: a.exp()),
        ("log", 2, lambda: np.log(positive), lambda: p.log()),
        ("tanh", 2, lambda: np.tanh(x), lambda: a.tanh()),
        ("sum", 1, x.sum, a.sum), ("max", 1, x.max, a.max),
    ]
    rates = {name: ([], []) for name, *_ in kernels}
    for _ in range(ROUNDS):
        for name, traffic, theirs, ours in kernels:
            for rate, function in zip(rates[name], (theirs, ours)):
                rate.append(traffic * 4 * ELEMENTS / 1e9 / seconds(function, REPEAT))
    print(f"10M float32, GB/s: median of {ROUNDS} rounds (range)")
    print(f"{'kernel':<22} {'numpy':>16} {'numba':>16} {'ratio':>18}")
    for name, (numpy_rates, numba_rates) in rates.items():
        ratios = [ours / theirs for ours, theirs in zip(numba_rates, numpy_rates)]
        print(f"{name:<22} {spread(numpy_rates):>16} {spread(numba_rates):>16} "
              f"{spread(ratios, 2):>17}x")
    print(f"load average {os.getloadavg()[0]:.2f} after")
    print(f"compile every kernel (float32 and float64): {cold:.1f} s cold, {cached:.1f} s cached")


if __name__ == "__main__":
    main()
