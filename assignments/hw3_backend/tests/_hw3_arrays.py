"""Helpers shared by hw3's checks: random arrays, views and shapes that catch indexing bugs."""
import numpy as np

from autograder.compare import float32_rounding

ODD_SIZES = (1, 2, 3, 5, 7, 9, 13, 17)  # ones, primes and non-multiples of any tile


def odd_shape(rng, ndim: int) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.choice(ODD_SIZES, ndim))


def random_slice(rng, n: int) -> slice:
    """A slice of an axis of size n: any start and stop, steps of either sign."""
    if n == 0:
        return slice(None)
    step = int(rng.choice([1, 1, 2, 3, -1, -2]))
    start = int(rng.integers(-n, n)) if rng.random() < 0.7 else None
    stop = int(rng.integers(-n - 1, n + 1)) if rng.random() < 0.7 else None
    return slice(start, stop, step)


def random_index(rng, shape: tuple[int, ...]) -> tuple:
    """An index of slices and integers (negative ones too) for some leading axes."""
    count = int(rng.integers(1, len(shape) + 1))
    return tuple(int(rng.integers(-n, n)) if n and rng.random() < 0.3 else random_slice(rng, n)
                 for n in shape[:count])


def strided_view(rng, array, data: np.ndarray):
    """A non-compact view of NDArray `array` (a copy of `data`) and the same view in NumPy."""
    kind = rng.choice(["permute", "slice", "broadcast", "permute+slice"])
    if kind in ("permute", "permute+slice"):
        axes = tuple(int(a) for a in rng.permutation(data.ndim))
        array, data = array.permute(axes), data.transpose(axes)
    if kind in ("slice", "permute+slice"):
        index = tuple(random_slice(rng, n) for n in data.shape)
        array, data = array[index], data[index]
    if kind == "broadcast":
        shape = tuple(int(rng.choice([n, 4])) if n == 1 else n for n in data.shape)
        shape = (int(rng.choice(ODD_SIZES)),) + shape
        array, data = array.broadcast_to(shape), np.broadcast_to(data, shape)
    return array, data


def floats(rng, shape, low=-2.0, high=2.0) -> np.ndarray:
    return rng.uniform(low, high, shape).astype("float32")


def float32_rounding_hint(expected: dict, got: dict) -> str | None:
    """For the float64 checks: advice when the outputs differ by about float32's precision."""
    off = float32_rounding(expected, got)
    return None if off is None else (
        f"the float64 results are off by {off:.1e} of their size, about float32's precision "
        "(1e-7): a value passes through float32 on its way "
        "(an np.float32(...), a float32 accumulator or local array); keep the arrays' own dtype")
