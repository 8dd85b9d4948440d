"""Section 1: indexing, stacking and reordering operators, forward and backward."""
from autograder.checks import graded


def _leaf(mdl, rng, shape):
    return mdl.Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


def _backward(mdl, rng, out, *leaves):
    weights = mdl.Tensor(rng.standard_normal(out.shape), dtype="float64")
    (out * weights).sum().backward()
    return [leaf.grad for leaf in leaves]


@graded(points=2, number="1.1")
def permute_and_getitem(mdl, rng):
    """permute and getitem (slices with steps; negative dims and indices) and their gradients"""
    a = _leaf(mdl, rng, (3, 4, 5))
    permuted = mdl.ops.permute(a, (2, 0, 1))
    sliced = mdl.ops.getitem(a, (slice(None), slice(1, 4, 2), slice(None, None, 2)))
    (grad_permute,) = _backward(mdl, rng, permuted, a)
    b = _leaf(mdl, rng, (3, 4, 5))
    (grad_slice,) = _backward(mdl, rng, mdl.ops.getitem(b, (1, slice(0, 3))), b)
    # negative dims and indices count from the end
    c = _leaf(mdl, rng, (3, 4, 5))
    backwards = c.permute(-1, 0, -2)
    end = mdl.ops.getitem(c, (-1, slice(-3, None), slice(None, -1, 2)))
    (grad_backwards,) = _backward(mdl, rng, backwards, c)
    d = _leaf(mdl, rng, (3, 4, 5))
    (grad_end,) = _backward(mdl, rng, mdl.ops.getitem(d, (-1, slice(-3, None))), d)
    return {"permuted": permuted, "sliced": sliced, "permute grad": grad_permute,
            "getitem grad": grad_slice, "permuted (negative dims)": backwards,
            "sliced (negative)": end, "permute grad (negative dims)": grad_backwards,
            "getitem grad (negative)": grad_end}


@graded(points=2, number="1.2")
def pad_flip_dilate(mdl, rng):
    """pad, flip, dilate and undilate (negative axes, and None for flip) and their gradients"""
    a = _leaf(mdl, rng, (2, 3, 4))
    padded = mdl.ops.pad(a, ((0, 0), (1, 2), (2, 0)))
    flipped = mdl.ops.flip(a, (0, 2))
    dilated = mdl.ops.dilate(a, (1, 2), 1)
    grads = _backward(mdl, rng, padded, a)
    b, c = _leaf(mdl, rng, (2, 3, 4)), _leaf(mdl, rng, (5, 3))
    (grad_flip,) = _backward(mdl, rng, mdl.ops.flip(b, (0, 2)), b)
    (grad_undilate,) = _backward(mdl, rng, mdl.ops.undilate(c, (0,), 1), c)
    # negative axes count from the end; None flips every axis
    e = _leaf(mdl, rng, (2, 3, 4))
    (grad_flip_negative,) = _backward(mdl, rng, mdl.ops.flip(e, (-1, -3)), e)
    return {"padded": padded, "flipped": flipped, "dilated": dilated,
            "undilated": mdl.ops.undilate(dilated, (1, 2), 1), "pad grad": grads[0],
            "flip grad": grad_flip, "undilate grad": grad_undilate,
            "flipped (negative axes)": mdl.ops.flip(a, (-1,)),
            "flipped (None)": mdl.ops.flip(a, None),
            "dilated (negative axis)": mdl.ops.dilate(a, -2, 2),
            "undilated (negative axis)": mdl.ops.undilate(c, -2, 1),
            "flip grad (negative axes)": grad_flip_negative}


@graded(points=2, number="1.3")
def stack_and_split(mdl, rng):
    """stack along any axis, split back, and their gradients"""
    parts = [_leaf(mdl, rng, (3, 2)) for _ in range(int(rng.integers(2, 5)))]
    axis = int(rng.integers(0, 3))
    stacked = mdl.ops.stack(parts, axis)
    grads = _backward(mdl, rng, stacked, *parts)
    whole = _leaf(mdl, rng, (4, 3))
    pieces = mdl.ops.split(whole, 1)
    (grad_split,) = _backward(mdl, rng, pieces[0] * 2 + pieces[2], whole)
    out = {"stacked": stacked, "split grad": grad_split, "pieces": len(pieces)}
    out |= {f"grad {i}": g for i, g in enumerate(grads)}
    return out
