"""Section 5 (hidden until grades are published): numerical stability and dtypes."""
import numpy as np

from autograder.checks import graded

# float32 spacing near 1e4 is 2**-10 ~ 9.8e-4: a logsumexp of inputs near +-1e4 is only known
# to about that much, however it is computed, and exp(z - logsumexp(z)) carries that error
# (up to ~1e-3 relative) into the gradient: more than float32's default rtol of 1e-4.
_ULP_1E4 = float(np.spacing(np.float32(1e4)))


def _lse_hint(expected: dict, got: dict) -> str | None:
    """What to change when check 5.1 fails, from the pattern of the student's outputs."""
    if not np.all(np.isfinite(got.get("lse", 0.0))):
        return ("subtract each row's maximum before exponentiating and add it back after the "
                "log: exp(1e4) overflows and exp(-1e4) underflows to 0 in float32")
    if not all(np.all(v) for k, v in got.items() if k.startswith("lse within")):
        return ("logsumexp is off by more than float32's rounding near 1e4: with m the maximum, "
                "it is m + log(sum(exp(z - m))); keep the m you subtracted and add it back")
    if not np.all(np.isfinite(got.get("grad / its row sums", 0.0))):
        return ("compute the gradient as exp(z - logsumexp(z)) (or a softmax with the maximum "
                "subtracted), never from exp(z) itself")
    if not np.all(got.get("grad rows sum to 1", True)):
        return ("the gradient of logsumexp along an axis is a softmax, exp(z - logsumexp(z)): "
                "along that axis it sums to 1")
    return None


@graded(points=2, number="5.1", visibility="after_published", hint=_lse_hint)
def logsumexp_large_inputs(mdl, rng):
    """logsumexp and its gradient stay finite and right for inputs near +-1e4

    The float32 logsumexp of inputs near 1e4 is only known to its rounding there (one float32
    step is ~1e-3), and any sound way of computing it rounds differently: so the float32 lse
    must be within 2 steps of the exact value, and the gradient is compared as a softmax (each
    row divided by its sum, which cancels that rounding) with its rows summing to 1 within
    3e-3. In float64 the same inputs are compared value for value.
    """
    a = (rng.standard_normal((4, 5)) + np.sign(rng.standard_normal((4, 1))) * 1e4).astype("float32")
    x = mdl.Tensor(a, requires_grad=True)
    out = mdl.ops.logsumexp(x, axes=1)
    out.sum().backward()
    lse, grad = out.numpy(), x.grad.numpy()
    wide = a.astype(np.float64)
    top = wide.max(1)
    exact = top + np.log(np.exp(wide - top[:, None]).sum(1))
    with np.errstate(all="ignore"):  # a student's inf or nan shows in the comparison instead
        rows = grad.sum(1, keepdims=True, dtype=np.float64)
        normalized = (grad / rows).astype(grad.dtype)
        close = np.abs(lse.astype(np.float64) - exact) <= 2 * _ULP_1E4

    b = rng.standard_normal((3, 6)) + np.sign(rng.standard_normal((3, 1))) * 1e4
    y = mdl.Tensor(b, dtype="float64", requires_grad=True)
    out64 = mdl.ops.logsumexp(y, axes=-1)
    out64.backward(mdl.Tensor(rng.standard_normal(3), dtype="float64"))
    return {"lse": lse, f"lse within {2 * _ULP_1E4:.2g} of exact": close,
            "grad / its row sums": normalized,
            "grad rows sum to 1": np.abs(rows[:, 0] - 1) <= 3 * _ULP_1E4,
            "float64 lse": out64, "float64 grad": y.grad}


@graded(points=2, number="5.2", visibility="after_published")
def float64_kept(mdl, rng):
    """float64 inputs stay float64 through forward and backward, at float64 precision"""
    a = mdl.Tensor(rng.standard_normal((3, 4)), dtype="float64", requires_grad=True)
    b = mdl.Tensor(rng.standard_normal((4, 2)), dtype="float64", requires_grad=True)
    out = mdl.ops.logsumexp(mdl.ops.tanh(a @ b) * 2.0 + 1.0, axes=1) / 3.0
    out.sum().backward()
    return {"out": out, "da": a.grad, "db": b.grad}


@graded(points=2, number="5.3", visibility="after_published")
def float64_every_op(mdl, rng):
    """every operator, forward and gradient, in float64 at float64 precision"""
    m, k, n = (int(x) for x in rng.integers(2, 6, size=3))

    def tensor(array):
        return mdl.Tensor(array, dtype="float64", requires_grad=True)

    normal = lambda *shape: rng.standard_normal(shape)  # noqa: E731
    positive = lambda *shape: rng.uniform(0.5, 2.0, shape)  # noqa: E731
    ops = mdl.ops
    cases = {
        "a*b": (lambda a, b: a * b, normal(m, n), normal(m, n)),
        "a*s": (lambda a: a * 1.7, normal(m, n)),
        "a/b": (lambda a, b: a / b, normal(m, n), positive(m, n)),
        "a/s": (lambda a: a / 2.9, normal(m, n)),
        "-a": (lambda a: -a, normal(m, n)),
        "a**s": (lambda a: a ** 2.5, positive(m, n)),
        "a**b": (lambda a, b: a ** b, positive(m, n), normal(m, n)),
        "exp": (lambda a: a.exp(), normal(m, n)),
        "log": (lambda a: a.log(), positive(m, n)),
        "relu": (lambda a: ops.relu(a), normal(m, n)),
        "tanh": (lambda a: ops.tanh(a), normal(m, n) * 2),
        "sigmoid": (lambda a: ops.sigmoid(a), normal(m, n) * 3),
        "a@b": (lambda a, b: a @ b, normal(m, k), normal(k, n)),
        "batched a@b": (lambda a, b: a @ b, normal(2, 1, m, k), normal(3, k, n)),
        "sum(1)": (lambda a: a.sum(1), normal(2, m, n)),
        "max((0, 2))": (lambda a: a.max((0, 2)), normal(2, m, n)),
        "broadcast_to": (lambda a: a.broadcast_to((2, m, n)), normal(m, 1)),
        "reshape": (lambda a: a.reshape(n, m), normal(m, n)),
        "transpose": (lambda a: a.transpose(), normal(2, m, n)),
        "logsumexp(1)": (lambda a: ops.logsumexp(a * 3, axes=1), normal(2, m, n)),
        "softmax(1)": (lambda a: ops.softmax(a * 3, axes=1), normal(2, m, n)),
    }
    outputs = {}
    for name, (function, *arrays) in cases.items():
        leaves = [tensor(x) for x in arrays]
        out = function(*leaves)
        out.backward(mdl.Tensor(rng.standard_normal(out.shape), dtype="float64"))
        outputs[name] = out
        for leaf, label in zip(leaves, "ab"):
            outputs[f"d{label} of {name}"] = leaf.grad
    return outputs
