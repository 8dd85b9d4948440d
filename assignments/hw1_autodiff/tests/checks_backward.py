"""Section 3: the gradient of each operator, with a random adjoint flowing in."""
from autograder.checks import graded


def _shape(rng, ndim=2):
    return tuple(int(n) for n in rng.integers(1, 8, size=ndim))


def _normal(rng, shape):
    return rng.standard_normal(shape).astype("float32")


def _leaf(mdl, array):
    return mdl.Tensor(array, requires_grad=True)


def _grads(mdl, rng, output, **leaves):
    """Backpropagate a random adjoint from `output`; the output and each leaf's gradient."""
    output.backward(mdl.Tensor(_normal(rng, output.shape)))
    return {"out": output, **{f"d{name}": leaf.grad for name, leaf in leaves.items()}}


@graded(points=1, number="3.1")
def mul_backward(mdl, rng):
    """gradients of a * b and a * scalar"""
    shape = _shape(rng)
    a, b = _leaf(mdl, _normal(rng, shape)), _leaf(mdl, _normal(rng, shape))
    return _grads(mdl, rng, a * b * 1.5, a=a, b=b)


@graded(points=1, number="3.2")
def div_backward(mdl, rng):
    """gradients of a / b and a / scalar"""
    shape = _shape(rng)
    a = _leaf(mdl, _normal(rng, shape))
    b = _leaf(mdl, rng.uniform(0.5, 2.0, shape))
    return _grads(mdl, rng, a / b / 2.5, a=a, b=b)


@graded(points=1, number="3.3")
def negate_backward(mdl, rng):
    """gradients of -a and a - b"""
    shape = _shape(rng)
    a, b = _leaf(mdl, _normal(rng, shape)), _leaf(mdl, _normal(rng, shape))
    return _grads(mdl, rng, -a - b, a=a, b=b)


@graded(points=1, number="3.4")
def power_backward(mdl, rng):
    """gradients of a ** scalar and a ** b"""
    shape = _shape(rng)
    a = _leaf(mdl, rng.uniform(0.5, 2.0, shape))
    b = _leaf(mdl, _normal(rng, shape))
    return _grads(mdl, rng, a ** 3 + a ** b, a=a, b=b)


@graded(points=1, number="3.5")
def exp_log_backward(mdl, rng):
    """gradients of exp(a) and log(a)"""
    shape = _shape(rng)
    a = _leaf(mdl, rng.uniform(0.2, 2.0, shape))
    return _grads(mdl, rng, a.exp() + a.log(), a=a)


@graded(points=1, number="3.6")
def activations_backward(mdl, rng):
    """gradients of relu (at exactly 0 too), tanh and sigmoid"""
    shape = _shape(rng)
    whole = rng.integers(-2, 3, shape).astype("float32")
    whole.flat[0] = 0  # relu's gradient at exactly 0 is 0, and a mask `>= 0` must show
    a = _leaf(mdl, whole)
    b, c = (_leaf(mdl, _normal(rng, shape) * 2) for _ in range(2))
    ops = mdl.ops
    return _grads(mdl, rng, ops.relu(a) + ops.tanh(b) + ops.sigmoid(c), a=a, b=b, c=c)


@graded(points=2, number="3.7")
def matmul_backward(mdl, rng):
    """gradients of a @ b, 2-D and batched with broadcast leading axes"""
    m, k, n = (int(x) for x in rng.integers(1, 7, size=3))
    a, b = _leaf(mdl, _normal(rng, (m, k))), _leaf(mdl, _normal(rng, (k, n)))
    c, d = _leaf(mdl, _normal(rng, (2, 1, m, k))), _leaf(mdl, _normal(rng, (3, k, n)))
    grads_2d = _grads(mdl, rng, a @ b, a=a, b=b)
    grads_batched = _grads(mdl, rng, c @ d, c=c, d=d)
    return {**{f"2d {k}": v for k, v in grads_2d.items()},
            **{f"batched {k}": v for k, v in grads_batched.items()}}


@graded(points=1, number="3.8")
def summation_backward(mdl, rng):
    """gradients of sum over all axes, some axes, and with keepdims"""
    a = _leaf(mdl, _normal(rng, _shape(rng, 3)))
    out = a.sum((0, 2)).sum() * 2.0 + a.sum(1, keepdims=True).sum()
    return _grads(mdl, rng, out, a=a)


@graded(points=1, number="3.9")
def max_backward(mdl, rng):
    """gradient of max over one axis and over all axes, ties shared evenly"""
    shape = (int(rng.integers(1, 6)), int(rng.integers(2, 7)), int(rng.integers(1, 6)))
    values = rng.integers(-3, 3, shape).astype("float32")  # few values: ties by chance too
    values[:, :2, :] = 3  # ties in every max over axis 1 and in the max of all
    a = _leaf(mdl, values)
    return _grads(mdl, rng, a.max(1).sum() + a.max() * 2.0, a=a)


@graded(points=1, number="3.10")
def broadcast_to_backward(mdl, rng):
    """gradient of broadcast_to sums over the broadcast axes"""
    n = int(rng.integers(1, 6))
    a, b = _leaf(mdl, _normal(rng, (n, 1))), _leaf(mdl, _normal(rng, (n,)))
    out = a.broadcast_to((2, n, 3)).sum(2) + b.broadcast_to((2, n))
    return _grads(mdl, rng, out, a=a, b=b)


@graded(points=1, number="3.11")
def reshape_backward(mdl, rng):
    """gradient of reshape"""
    x, y, z = _shape(rng, 3)
    a = _leaf(mdl, _normal(rng, (x, y, z)))
    return _grads(mdl, rng, a.reshape(x * y, z), a=a)


@graded(points=1, number="3.12")
def transpose_backward(mdl, rng):
    """gradient of transpose, default and with axes"""
    a = _leaf(mdl, _normal(rng, _shape(rng, 3)))
    return _grads(mdl, rng, a.transpose(0, 2).transpose(), a=a)


@graded(points=1, number="3.13")
def logsumexp_backward(mdl, rng):
    """gradient of logsumexp over one axis and over all axes"""
    a = _leaf(mdl, _normal(rng, _shape(rng, 3)) * 3)
    lse = mdl.ops.logsumexp
    return _grads(mdl, rng, lse(a, axes=1) + lse(a), a=a)


@graded(points=1, number="3.14")
def softmax_backward(mdl, rng):
    """gradient of softmax over one axis"""
    a = _leaf(mdl, _normal(rng, _shape(rng, 3)))
    return _grads(mdl, rng, mdl.ops.softmax(a, axes=1) * 2, a=a)


def _only(mdl, rng, function, a, b, which: str) -> dict:
    """Backpropagate a random adjoint through `function(A, B)` where only input `which`
    ("a" or "b") requires grad, the other being a constant (data, or a frozen weight)."""
    A = mdl.Tensor(a, requires_grad=which == "a")
    B = mdl.Tensor(b, requires_grad=which == "b")
    out = function(A, B)
    out.backward(mdl.Tensor(_normal(rng, out.shape)))
    leaf, constant = (A, B) if which == "a" else (B, A)
    return {"out": out, f"d{which}": leaf.grad, "constant's grad stays None": constant.grad is None}


@graded(points=2, number="3.15")
def backward_constant_operands(mdl, rng):
    """gradients of *, /, **, @ and broadcasting when only one operand requires grad"""
    m, k, n = (int(x) for x in rng.integers(1, 6, size=3))
    positive = rng.uniform(0.5, 2.0, (m, n)).astype("float32")
    cases = {
        "a*b": (lambda a, b: a * b, _normal(rng, (m, n)), _normal(rng, (m, n))),
        "a/b": (lambda a, b: a / b, _normal(rng, (m, n)), positive),
        "a**b": (lambda a, b: a ** b, positive, _normal(rng, (m, n))),
        "a@b": (lambda a, b: a @ b, _normal(rng, (m, k)), _normal(rng, (k, n))),
        "batched a@b": (lambda a, b: a @ b, _normal(rng, (2, 1, m, k)),
                        _normal(rng, (3, k, n))),
        "a(m,1)*b(m,n)": (lambda a, b: a * b, _normal(rng, (m, 1)), _normal(rng, (m, n))),
        "relu(a@b+1)/b.sum()": (lambda a, b: mdl.ops.relu(a @ b + 1.0) / b.sum(),
                                _normal(rng, (m, k)), rng.uniform(0.5, 1.5, (k, n))),
    }
    outputs = {}
    for name, (function, a, b) in cases.items():
        for which in "ab":
            got = _only(mdl, rng, function, a, b, which)
            outputs.update({f"{name}, only {which} requires grad: {key}": value
                            for key, value in got.items()})
    return outputs


@graded(points=2, number="3.16")
def axes_negative_and_none(mdl, rng):
    """sum, max, logsumexp, softmax, transpose and reshape with negative axes and None,
    forward and gradient"""
    shape = _shape(rng, 3)
    a = _normal(rng, shape)
    lse, softmax = mdl.ops.logsumexp, mdl.ops.softmax
    cases = {
        "sum(-1)": lambda x: x.sum(-1),
        "sum((-3, -1))": lambda x: x.sum((-3, -1)),
        "sum(-2, keepdims)": lambda x: x.sum(-2, keepdims=True),
        "sum(None)": lambda x: x.sum(None),
        "max(-1)": lambda x: x.max(-1),
        "max((-1, -3))": lambda x: x.max((-1, -3)),
        "max(None, keepdims)": lambda x: x.max(None, keepdims=True),
        "logsumexp(-1)": lambda x: lse(x * 3, axes=-1),
        "logsumexp((-3, -2))": lambda x: lse(x * 3, axes=(-3, -2)),
        "logsumexp(None)": lambda x: lse(x * 3, axes=None),
        "softmax(-2)": lambda x: softmax(x, axes=-2),
        "softmax(None)": lambda x: softmax(x, axes=None),
        "transpose(-1, -3)": lambda x: x.transpose(-1, -3),
        "transpose(-2, 0)": lambda x: x.transpose(-2, 0),
        "reshape(-1)": lambda x: x.reshape(-1),
        "reshape(first, -1)": lambda x: x.reshape(shape[0], -1),
    }
    outputs = {}
    for name, function in cases.items():
        x = _leaf(mdl, a)
        got = _grads(mdl, rng, function(x), a=x)
        outputs.update({name: got["out"], f"d {name}": got["da"]})
    return outputs
