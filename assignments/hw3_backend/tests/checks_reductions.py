"""Section 4: reductions (sum and max), for many short and few long rows; over every axis, counted
from either end, several at once and all (None); in float32 and float64."""
from autograder.checks import graded
from _hw3_arrays import float32_rounding_hint, floats, odd_shape


def _reduced(mdl, rng, name: str, shapes, dtype="float32", axes=None):
    """`name` of an array of each shape over each of `axes` (by default each axis counted from
    the front, the last and first counted from the end, the first and last together, and all),
    and with keepdims over the last axis and over all."""
    out = {}
    for shape in shapes:
        data = floats(rng, shape) if dtype == "float32" else rng.uniform(-2, 2, shape)
        array = mdl.cpu_numba().array(data, dtype)
        reduce = getattr(array, name)
        ndim = len(shape)
        for axis in axes or [*range(ndim), -1, -ndim, *[(0, -1)] * (ndim > 1), None]:
            out[f"{name} axis {axis} of {shape}"] = reduce(axis=axis)
        out[f"{name} axis -1 keepdims of {shape}"] = reduce(axis=-1, keepdims=True)
        out[f"{name} axis None keepdims of {shape}"] = reduce(axis=None, keepdims=True)
    return out


def _shapes(rng):
    return [odd_shape(rng, 3), (int(rng.integers(1, 4)), int(rng.integers(2000, 5000))),
            (int(rng.integers(40, 90)), 7)]


@graded(points=3, number="4.1", rtol=1e-4, atol=1e-3)
def sum_axes(mdl, rng):
    """sum over each axis (counted from either end), several, all (None) and with keepdims"""
    return _reduced(mdl, rng, "sum", _shapes(rng))


@graded(points=2, number="4.2")
def max_axes(mdl, rng):
    """max over each axis (counted from either end), several, all (None) and with keepdims"""
    return _reduced(mdl, rng, "max", _shapes(rng))


@graded(points=2, number="4.3", rtol=1e-10, atol=1e-10, hint=float32_rounding_hint)
def reductions_in_float64(mdl, rng):
    """sum and max of float64 arrays over every axis and all: a float64 answer to float64's
    precision (a float32 accumulator, or a value rounded through float32, shows)"""
    shapes = [odd_shape(rng, 3), (int(rng.integers(1, 4)), int(rng.integers(2000, 5000)))]
    return (_reduced(mdl, rng, "sum", shapes, "float64", [None, 0, (0, -1)])
            | _reduced(mdl, rng, "max", shapes, "float64", [0]))
