"""Section 5 (hidden until grades are published): numerical stability and dtypes."""
import numpy as np

from autograder.checks import graded


@graded(points=2, number="5.1", visibility="after_published")
def logsumexp_large_inputs(mdl, rng):
    """logsumexp and its gradient stay finite for inputs near +-1e4"""
    a = (rng.standard_normal((4, 5)) + np.sign(rng.standard_normal((4, 1))) * 1e4).astype("float32")
    x = mdl.Tensor(a, requires_grad=True)
    out = mdl.ops.logsumexp(x, axes=1)
    out.sum().backward()
    return {"lse": out, "grad": x.grad}


@graded(points=2, number="5.2", visibility="after_published")
def float64_kept(mdl, rng):
    """float64 inputs stay float64 through forward and backward, at float64 precision"""
    a = mdl.Tensor(rng.standard_normal((3, 4)), dtype="float64", requires_grad=True)
    b = mdl.Tensor(rng.standard_normal((4, 2)), dtype="float64", requires_grad=True)
    out = mdl.ops.logsumexp(mdl.ops.tanh(a @ b) * 2.0 + 1.0, axes=1) / 3.0
    out.sum().backward()
    return {"out": out, "da": a.grad, "db": b.grad}
