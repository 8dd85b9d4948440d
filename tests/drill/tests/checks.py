"""Visible drill checks: a golden comparison and a numerical gradient check."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree


@graded(points=2, number="1.1", cases=3)
def mul_forward(mdl, rng):
    """a * b"""
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    return {"a*b": mdl.Tensor(a) * mdl.Tensor(b)}


@graded(points=2, number="1.2", cases=3, verify=agree("analytic", "numerical", 1e-4, 1e-6),
        rtol=1e-5, atol=1e-7)
def mul_gradient(mdl, rng):
    """gradient of sum(a * a * b) agrees with central differences"""
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    A = mdl.Tensor(a, dtype="float64", requires_grad=True)
    (A * A * mdl.Tensor(b, dtype="float64")).sum().backward()
    step = 1e-6
    numerical = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[i] += step
        down[i] -= step
        f = lambda x: (mdl.Tensor(x, dtype="float64") * mdl.Tensor(x, dtype="float64")  # noqa: E731
                       * mdl.Tensor(b, dtype="float64")).sum().numpy()
        numerical[i] = (f(up) - f(down)) / (2 * step)
    return {"analytic": A.grad, "numerical": numerical}
