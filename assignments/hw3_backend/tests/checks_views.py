"""Section 1: views by shape, strides and offset (NDArray.__getitem__, on the NumPy device)."""
import numpy as np

from autograder.checks import graded
from _hw3_arrays import floats, odd_shape, random_index


def _raises(function, error) -> bool:
    try:
        function()
    except error:
        return True
    return False


@graded(points=3, number="1.1")
def getitem_views(mdl, rng):
    """Indexing with integers and slices (steps of either sign) gives a view: shape, strides, offset"""
    shape = odd_shape(rng, int(rng.integers(1, 5)))
    data = floats(rng, shape)
    array = mdl.cpu().array(data)
    index = random_index(rng, shape)
    view = array[index]
    array[index] = -9.0  # writes through the view into the original buffer
    results = {"shape": np.array(view.shape), "strides": np.array(view.strides),
               "offset": view.offset, "values": view.numpy(), "after writing -9": array.numpy(),
               "index out of range raises IndexError":
                   _raises(lambda: array[(0,) * (len(shape) - 1) + (shape[-1],)], IndexError),
               "too many indices raise IndexError":
                   _raises(lambda: array[(0,) * (len(shape) + 1)], IndexError)}
    for axis, n in enumerate(shape):  # a negative integer on every axis, whatever `index` drew
        position = int(rng.integers(-n, 0))
        view = array[(slice(None),) * axis + (position,)]
        results[f"offset of index {position} on axis {axis}"] = view.offset
        results[f"values of index {position} on axis {axis}"] = view.numpy()
    return results


@graded(points=2, number="1.2")
def views_of_views(mdl, rng):
    """Indexing a permuted, broadcast or already indexed view composes strides and offsets"""
    shape = odd_shape(rng, 3)
    data = floats(rng, shape)
    axes = tuple(int(a) for a in rng.permutation(3))
    permuted, expected = mdl.cpu().array(data).permute(axes), data.transpose(axes)
    first = random_index(rng, permuted.shape)
    view, expected = permuted[first], expected[first]
    if view.ndim:
        second = random_index(rng, view.shape)
        view, expected = view[second], expected[second]
    wide = mdl.cpu().array(data[:, :1]).broadcast_to((shape[0], 4, shape[2]))[:, 1:, ::-1]
    return {"shape": np.array(view.shape), "strides": np.array(view.strides),
            "offset": view.offset, "values": view.numpy(), "NumPy agrees":
                np.array_equal(view.numpy(), expected),
            "broadcast view strides": np.array(wide.strides), "broadcast view": wide.numpy()}
