"""Section 5: the matmul kernel, on its own and under the autodiff of hw1."""
import numpy as np

from autograder.checks import graded
from _hw3_arrays import ODD_SIZES, float32_rounding_hint, floats


@graded(points=4, number="5.1", rtol=1e-4, atol=1e-4)
def matmul_shapes(mdl, rng):
    """2-D matmul for sizes 1, primes, either side of powers of two and inner dimensions past
    4,096 (where blocks over k must accumulate), and of transposed views"""
    out = {}
    around_powers = tuple(int(rng.choice([2 ** e - 1, 2 ** e, 2 ** e + 1])) for e in (5, 6, 4))
    shapes = [(1, 1, 1), tuple(int(n) for n in rng.choice(ODD_SIZES, 3)),
              (int(rng.integers(60, 80)), int(rng.integers(30, 50)), int(rng.integers(20, 40))),
              around_powers, (int(rng.integers(2, 6)), int(rng.integers(3073, 4160)),
                              int(rng.integers(2, 9)))]
    for m, n, p in shapes:
        # small integers: every product and sum is exact in float32, in any order
        a, b = (rng.integers(-3, 4, shape).astype("float32") for shape in ((m, n), (n, p)))
        out[f"{m}x{n} @ {n}x{p}"] = mdl.cpu_numba().array(a) @ mdl.cpu_numba().array(b)
        at = mdl.cpu_numba().array(np.ascontiguousarray(a.T)).permute((1, 0))
        out[f"transposed {m}x{n} @ {n}x{p}"] = at @ mdl.cpu_numba().array(b)
    return out


@graded(points=3, number="5.2", rtol=1e-4, atol=1e-4)
def autodiff_on_numba(mdl, rng):
    """A two-layer network's loss and gradients computed on cpu_numba"""
    batch, features, hidden, classes = (int(n) for n in rng.choice(ODD_SIZES[2:], 4))
    device = mdl.cpu_numba()
    x = mdl.Tensor(floats(rng, (batch, features)), device=device)
    w1 = mdl.Tensor(floats(rng, (features, hidden)), device=device, requires_grad=True)
    w2 = mdl.Tensor(floats(rng, (hidden, classes)), device=device, requires_grad=True)
    logits = mdl.ops.relu(x @ w1) @ w2
    loss = (mdl.ops.logsumexp(logits, axes=(1,)) - logits.sum(axes=(1,)) / classes).sum()
    loss.backward()
    return {"loss": loss, "grad w1": w1.grad, "grad w2": w2.grad,
            "device of the gradient": w1.grad.device.name == "cpu_numba"}


@graded(points=2, number="5.3", rtol=1e-10, atol=1e-10, hint=float32_rounding_hint)
def matmul_in_float64(mdl, rng):
    """float64 matmul to float64's precision, for sizes that leave tails after blocks of rows,
    columns or the inner dimension (a float32 accumulator shows), and of a transposed view"""
    out = {}
    shapes = [(1, 1, 1), (int(rng.choice([5, 6, 7, 9, 10, 11])), int(rng.integers(60, 70)),
                          int(rng.choice([7, 9, 15, 17, 31, 33]))),
              (int(rng.integers(2, 6)), int(rng.integers(127, 140)), int(rng.integers(126, 134)))]
    device = mdl.cpu_numba()
    for m, n, p in shapes:
        a, b = rng.uniform(-1, 1, (m, n)), rng.uniform(-1, 1, (n, p))
        out[f"{m}x{n} @ {n}x{p}"] = device.array(a, "float64") @ device.array(b, "float64")
        at = device.array(a.T.copy(), "float64").permute((1, 0))
        out[f"transposed {m}x{n} @ {n}x{p}"] = at @ device.array(b, "float64")
    return out
