"""Section 4: reductions over the last axis (sum and max), for many short and few long rows."""
from autograder.checks import graded
from _hw3_arrays import floats, odd_shape


def _reduced(mdl, rng, name: str):
    out = {}
    shapes = [odd_shape(rng, 3), (int(rng.integers(1, 4)), int(rng.integers(2000, 5000))),
              (int(rng.integers(40, 90)), 7)]
    for shape in shapes:
        array = mdl.cpu_numba().array(floats(rng, shape))
        reduce = getattr(array, name)
        out[f"{name} all of {shape}"] = reduce()
        for axis in range(len(shape)):
            out[f"{name} axis {axis} of {shape}"] = reduce(axis=axis)
        out[f"{name} keepdims of {shape}"] = reduce(axis=len(shape) - 1, keepdims=True)
    return out


@graded(points=3, number="4.1", rtol=1e-4, atol=1e-3)
def sum_axes(mdl, rng):
    """sum over each axis, all axes and with keepdims"""
    return _reduced(mdl, rng, "sum")


@graded(points=2, number="4.2")
def max_axes(mdl, rng):
    """max over each axis, all axes and with keepdims"""
    return _reduced(mdl, rng, "max")
