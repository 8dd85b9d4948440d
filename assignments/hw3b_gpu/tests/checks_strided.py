"""Section 1: the strided kernels on the GPU: compact and setitem."""
import numpy as np

from autograder.checks import graded
from _hw3b_arrays import SIZES, float32_rounding_hint, floats, small_view


def _shape(rng):
    return tuple(int(n) for n in rng.choice(SIZES, int(rng.integers(1, 4))))


@graded(points=4, number="1.1", cases=2)
def compact_on_gpu(mdl, rng):
    """compact() copies permuted, sliced and broadcast views into row-major order"""
    out = {}
    for case in range(3):
        data = floats(rng, _shape(rng))
        view, _ = small_view(rng, mdl.cuda().array(data), data)
        out[f"view {case}"] = view.compact().numpy()
    return out


@graded(points=3, number="1.2", cases=2)
def setitem_on_gpu(mdl, rng):
    """a[index] = b and a[index] = value write through strided views"""
    rows, cols = (int(n) for n in rng.choice(SIZES[2:], 2))
    target = mdl.cuda().array(floats(rng, (rows, cols)))
    target[1:, ::2] = mdl.cuda().array(floats(rng, target[1:, ::2].shape, 5, 6))
    filled = mdl.cuda().array(floats(rng, (rows, cols)))
    filled[::-1, 0] = float(rng.integers(7, 9))
    return {"array written": target.numpy(), "scalar written": filled.numpy()}


@graded(points=1, number="1.3", cases=2, rtol=0, atol=0, hint=float32_rounding_hint)
def strided_kernels_in_float64(mdl, rng):
    """compact, a[index] = b and a[index] = value on float64 arrays: every digit copied"""
    data = floats(rng, _shape(rng), dtype="float64")  # every digit of a float64 in use
    view, _ = small_view(rng, mdl.cuda().array(data, "float64"), data)
    rows, cols = (int(n) for n in rng.choice(SIZES[2:], 2))
    target = mdl.cuda().array(floats(rng, (rows, cols), dtype="float64"), "float64")
    target[::2, 1:] = mdl.cuda().array(floats(rng, target[::2, 1:].shape, 5, 6, "float64"),
                                       "float64")
    written = target.numpy()
    target[1:, ::-1] = float(rng.uniform(7, 9))
    return {"view compacted": view.compact().numpy(), "array written": written,
            "scalar written": target.numpy()}
