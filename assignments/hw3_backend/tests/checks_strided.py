"""Section 2: the strided kernels of the Numba backend: compact and setitem."""
import numpy as np

from autograder.checks import graded
from _hw3_arrays import float32_rounding_hint, floats, odd_shape, random_index, strided_view


@graded(points=4, number="2.1")
def compact_kernel(mdl, rng):
    """compact() copies permuted, sliced and broadcast views into row-major order"""
    results = {}
    for case in range(4):
        data = floats(rng, odd_shape(rng, int(rng.integers(1, 5))))
        view, expected = strided_view(rng, mdl.cpu_numba().array(data), data)
        compact = view.compact()
        results[f"view {case} compacted"] = compact.numpy()
        results[f"view {case} strides after"] = np.array(compact.strides)
    long = floats(rng, (3, int(rng.integers(32, 80))))  # rows past any vector width
    array = mdl.cpu_numba().array(long)
    results["long rows reversed"] = array[:, ::-1].compact().numpy()
    results["long rows every third"] = array[:, 1::3].compact().numpy()
    results["long columns transposed"] = array.permute((1, 0)).compact().numpy()
    results["long row broadcast"] = array[1:2].broadcast_to((4, long.shape[1])).compact().numpy()
    return results


@graded(points=3, number="2.2")
def setitem_array(mdl, rng):
    """a[index] = b writes b's elements through a strided view, leaving the rest alone"""
    shape = odd_shape(rng, int(rng.integers(1, 5)))
    target = mdl.cpu_numba().array(floats(rng, shape))
    index = random_index(rng, shape)
    view_shape = target[index].shape
    target[index] = mdl.cpu_numba().array(floats(rng, view_shape, 5, 6))
    permuted = mdl.cpu_numba().array(floats(rng, shape)).permute(tuple(range(len(shape)))[::-1])
    permuted[(slice(None, None, 2),)] = mdl.cpu_numba().array(
        floats(rng, permuted[(slice(None, None, 2),)].shape, 7, 8))
    long = mdl.cpu_numba().array(floats(rng, (3, int(rng.integers(32, 80)))))
    long[:, ::-1] = mdl.cpu_numba().array(floats(rng, long.shape, 5, 6))
    long[1:, ::3] = mdl.cpu_numba().array(floats(rng, long[1:, ::3].shape, 7, 8))
    return {"after": target.numpy(), "permuted after": permuted.numpy(),
            "long rows reversed, then every third": long.numpy()}


@graded(points=2, number="2.3")
def setitem_scalar(mdl, rng):
    """a[index] = value writes value through a strided view"""
    shape = odd_shape(rng, int(rng.integers(1, 5)))
    target = mdl.cpu_numba().array(floats(rng, shape))
    target[random_index(rng, shape)] = float(rng.integers(10, 20))
    row = mdl.cpu_numba().array(floats(rng, (int(rng.integers(32, 80)),)))
    row[::-2] = 0.5
    return {"after": target.numpy(), "every other from the end": row.numpy()}


@graded(points=1, number="2.4", rtol=0, atol=0, hint=float32_rounding_hint)
def strided_kernels_in_float64(mdl, rng):
    """compact, a[index] = b and a[index] = value on float64 arrays: every digit copied"""
    results = {}
    data = rng.uniform(-2, 2, odd_shape(rng, 3))  # float64, every digit in use
    view, _ = strided_view(rng, mdl.cpu_numba().array(data, "float64"), data)
    results["view compacted"] = view.compact().numpy()
    shape = odd_shape(rng, int(rng.integers(2, 4)))
    target = mdl.cpu_numba().array(rng.uniform(-2, 2, shape), "float64")
    index = random_index(rng, shape)
    target[index] = mdl.cpu_numba().array(rng.uniform(5, 6, target[index].shape), "float64")
    permuted = target.permute(tuple(range(len(shape)))[::-1])  # never empty, unlike `index`
    every_other = (slice(None, None, 2),)
    permuted[every_other] = mdl.cpu_numba().array(
        rng.uniform(7, 8, permuted[every_other].shape), "float64")
    results["after a[index] = b"] = target.numpy()
    target[random_index(rng, shape)] = float(rng.uniform(10, 20))
    target[(slice(None, None, -2),)] = float(rng.uniform(20, 30))
    results["after a[index] = value"] = target.numpy()
    return results
