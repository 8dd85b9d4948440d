"""Timing a training step the same way in every benchmark: minidl's and PyTorch's alike."""
from __future__ import annotations

import ctypes
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_ANSWER = Path("build", "bench_answer", "minidl")  # the model answer the benchmarks train
sys.path.insert(0, str(ROOT))

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def tune_allocator() -> None:
    """Have glibc keep freed buffers of up to 32 MiB for reuse: process-wide, so opt-in."""
    # each training step reallocates the same sizes: fresh pages' first touches cost time
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None) if os.name == "posix" else None
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, 1 << 30)


def reference_and_answer():
    """The reference package (as `minidl`) and the model answer (as `minidl_answer`): what a
    student who solved every region trains with, no speed files, the figure students see."""
    from autograder.implementation import load_package
    from autograder.strip import model_answer

    reference = ROOT / "reference" / "minidl"
    # Not release's build/model_answer: Numba caches kernels beside their source under the
    # package's name, and the goldens' later import of that copy (as another name) would load them
    return (load_package(reference, "minidl"),
            load_package(model_answer(reference, ROOT / BENCH_ANSWER), "minidl_answer"))


def median_step(step, warmup: int, steps: int) -> float:
    """The median seconds of `steps` calls of step(), after `warmup` calls (which also compile
    Numba's kernels on a cold cache)."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_step(loss_of, optimizer):
    """One step, the same for minidl and PyTorch: loss_of(), zero_grad, backward, step."""
    def step():
        loss = loss_of()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()

    return step
