"""Small random arrays and views for hw3b's checks: the simulator runs a Python thread per GPU
thread, so sizes stay in the hundreds while still crossing block (16 threads) and tile (4) edges."""
import numpy as np

from autograder.compare import float32_rounding

SIZES = (1, 2, 3, 5, 7, 9)


def floats(rng, shape, low=-2.0, high=2.0, dtype="float32") -> np.ndarray:
    return rng.uniform(low, high, shape).astype(dtype)


def small_view(rng, array, data: np.ndarray):
    """A permuted, sliced or broadcast view of NDArray `array` (a copy of `data`), and NumPy's."""
    kind = rng.choice(["permute", "slice", "broadcast"])
    if kind == "permute":
        axes = tuple(int(a) for a in rng.permutation(data.ndim))
        return array.permute(axes), data.transpose(axes)
    if kind == "slice":
        index = tuple(slice(int(rng.integers(0, n)), None, int(rng.choice([1, 2, -1])))
                      for n in data.shape)
        index = tuple(s if s.step > 0 else slice(None, None, -1) for s in index)
        return array[index], data[index]
    shape = (int(rng.choice(SIZES[1:])),) + data.shape
    return array.broadcast_to(shape), np.broadcast_to(data, shape)


def float32_rounding_hint(expected: dict, got: dict) -> str | None:
    """For the float64 checks: advice when the outputs differ by about float32's precision."""
    off = float32_rounding(expected, got)
    return None if off is None else (
        f"the float64 results are off by {off:.1e} of their size, about float32's precision "
        "(1e-7): a value passes through float32 on its way "
        "(a numba.float32 shared array or accumulator); give them the kernel's dtype")
