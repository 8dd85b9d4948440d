"""Timing a training step the same way in every benchmark: minidl's and PyTorch's alike."""
from __future__ import annotations

import statistics
import time


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
