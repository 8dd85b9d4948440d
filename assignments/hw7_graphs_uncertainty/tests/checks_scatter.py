"""Section 1: gathering and scattering rows by an index, the message passing under every graph
layer: index_select, index_add, scatter (sum, mean, max) and segment_softmax
(minidl/ops/scatter.py)."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree
from _hw7_inputs import gradcheck, tensor


def _weighted(mdl, rng, shape):
    """A fixed random upstream gradient: sum(out * it) as a loss reaches every output."""
    return mdl.Tensor(rng.standard_normal(shape), dtype="float64")


def _overflow_hint(expected, got):
    """Name the max shift when an output named "large values..." is inf or nan."""
    if any(not np.isfinite(value).all() for name, value in got.items()
           if name.startswith("large values")):
        return ("the case with large values gave inf or nan: exp(1000) overflows. Subtract "
                "each segment's own max (scatter with reduce='max', gathered back to the "
                "entries) before exp: a max over all entries underflows the other segments "
                "to 0 / 0")
    return None


def _empty_hint(expected, got):
    """Name PyG's convention when an empty segment is not 0."""
    for name, value in got.items():
        if name.startswith("empty segments") and not np.isfinite(value).all():
            return (f"'{name}' holds inf or nan: a segment no index names gives 0 for every "
                    "reduce (PyG's convention), and a mean divides by max(count, 1)")
    return None


@graded(points=2, number="1.1")
def index_select_forward(mdl, rng):
    """index_select along dim 0, 1 and -1 of a 3-D tensor and of a 1-D one, with repeated
    indices and slices never selected"""
    a = tensor(mdl, rng, 4, 5, 3)
    ops = mdl.ops
    return {
        "dim 0, index [3, 0, 3, 1]": ops.index_select(a, 0, np.array([3, 0, 3, 1])),
        "dim 1, index [4, 4, 1]": ops.index_select(a, 1, np.array([4, 4, 1])),
        "dim -1, index [2, 0, 2, 2, 1]": ops.index_select(a, -1, np.array([2, 0, 2, 2, 1])),
        "1-D, a random index of 9": ops.index_select(tensor(mdl, rng, 6), 0,
                                                     rng.integers(0, 6, 9)),
    }


@graded(points=2, number="1.2")
def index_add_forward(mdl, rng):
    """index_add along dim 0, 1 and -1 with alpha, repeated indices (which add up) and an index
    never hit (left as it was)"""
    a, ops = tensor(mdl, rng, 4, 3, 2), mdl.ops
    return {
        "dim 0, index [2, 0, 2, 2, 3]": ops.index_add(a, 0, np.array([2, 0, 2, 2, 3]),
                                                      tensor(mdl, rng, 5, 3, 2)),
        "dim 1, index [1, 1], alpha -0.5": ops.index_add(a, 1, np.array([1, 1]),
                                                         tensor(mdl, rng, 4, 2, 2), alpha=-0.5),
        "dim -1, index [1, 0, 1], alpha 3": ops.index_add(a, -1, np.array([1, 0, 1]),
                                                          tensor(mdl, rng, 4, 3, 3), alpha=3.0),
    }


@graded(points=2, number="1.3", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6)
def index_select_and_add_gradients(mdl, rng):
    """numerical check: the gradients of index_select (dim 1, a repeat, a column never selected)
    and of index_add (dim 0, alpha 2, repeats, a row never hit) w.r.t. a and source"""
    ops = mdl.ops
    up_select, up_add = _weighted(mdl, rng, (3, 4, 2)), _weighted(mdl, rng, (3, 5, 2))

    def loss(a, source):
        selected = ops.index_select(a, 1, np.array([3, 0, 3, 1]))
        added = ops.index_add(a, 0, np.array([2, 0, 2]), source, alpha=2.0)
        return (selected * up_select).sum() + (added * up_add).sum()

    return gradcheck(mdl, loss, {"a": rng.standard_normal((3, 5, 2)),
                                  "source": rng.standard_normal((3, 5, 2))})


# segments 1 and 4 empty (4 the last), 3 with one row, 0 and 2 with several
SEGMENTS = np.array([2, 0, 2, 3, 0, 2, 0])


@graded(points=2, number="1.4", hint=_empty_hint)
def scatter_sum_mean(mdl, rng):
    """scatter with reduce "sum" and "mean" of (7, 3) and (7,) rows into 5 segments, two of
    them empty (0) and one with a single row"""
    ops = mdl.ops
    src, flat = tensor(mdl, rng, 7, 3), tensor(mdl, rng, 7)
    return {
        "empty segments, sum": ops.scatter(src, SEGMENTS, 5, "sum"),
        "empty segments, mean": ops.scatter(src, SEGMENTS, 5, "mean"),
        "empty segments, 1-D src, mean": ops.scatter(flat, SEGMENTS, 5, reduce="mean"),
        "default reduce (sum), 1-D src": ops.scatter(flat, SEGMENTS, 5),
    }


@graded(points=2, number="1.5", hint=_empty_hint)
def scatter_max(mdl, rng):
    """scatter with reduce "max": values with ties and all-negative segments, empty segments
    (0), and the gradient, which tied rows share equally"""
    values = rng.integers(-3, 1, (7, 4)).astype(float)  # few values: many ties
    src = mdl.Tensor(values, dtype="float64", requires_grad=True)
    out = mdl.ops.scatter(src, SEGMENTS, 5, "max")
    (out * _weighted(mdl, rng, (5, 4))).sum().backward()
    return {"empty segments, max": out, "gradient of src (ties share)": src.grad}


@graded(points=2, number="1.6", hint=_overflow_hint)
def segment_softmax_forward(mdl, rng):
    """segment_softmax of (E,) scores and of (E, 2) heads over segments with one entry, several,
    and none (no NaN), and of large values 1000 and 1001 in one segment beside small ones"""
    ops = mdl.ops
    large = tensor(mdl, rng, 7)
    large = large + mdl.Tensor(np.array([0, 1000.0, 0, 0, 0, 1001.0, 0]), dtype="float64")
    index_large = np.array([0, 2, 0, 3, 0, 2, 3])
    return {
        "1-D scores": ops.segment_softmax(tensor(mdl, rng, 7), SEGMENTS, 5),
        "heads (7, 2)": ops.segment_softmax(tensor(mdl, rng, 7, 2), SEGMENTS, 5),
        "large values 1000, 1001 in segment 2": ops.segment_softmax(large, index_large, 4),
    }


@graded(points=2, number="1.7", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6)
def scatter_and_softmax_gradients(mdl, rng):
    """numerical check: the gradients of scatter (sum, mean and max, distinct values) and of
    segment_softmax over (E, 2) heads, with empty and one-entry segments"""
    ops = mdl.ops
    up = {name: _weighted(mdl, rng, shape) for name, shape in
          [("sum", (5, 2)), ("mean", (5, 2)), ("max", (5, 2)), ("softmax", (7, 2))]}

    def loss(src, scores):
        total = sum((ops.scatter(src, SEGMENTS, 5, reduce) * up[reduce]).sum()
                    for reduce in ("sum", "mean", "max"))
        return total + (ops.segment_softmax(scores, SEGMENTS, 5) * up["softmax"]).sum()

    return gradcheck(mdl, loss, {"src": rng.standard_normal((7, 2)),
                                  "scores": rng.standard_normal((7, 2))})
