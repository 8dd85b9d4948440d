"""Section 1: the forward computation of each operator."""
from autograder.checks import graded


def _shape(rng, ndim=2):
    return tuple(int(n) for n in rng.integers(1, 8, size=ndim))


def _normal(rng, shape):
    return rng.standard_normal(shape).astype("float32")


@graded(points=1, number="1.1")
def mul_forward(mdl, rng):
    """a * b and a * scalar"""
    shape = _shape(rng)
    a, b, s = _normal(rng, shape), _normal(rng, shape), float(rng.normal())
    A, B = mdl.Tensor(a), mdl.Tensor(b)
    return {"a*b": A * B, "a*s": A * s, "s*a": s * A}


@graded(points=1, number="1.2")
def div_forward(mdl, rng):
    """a / b and a / scalar"""
    shape = _shape(rng)
    a, b = _normal(rng, shape), rng.uniform(0.5, 2.0, shape).astype("float32")
    s = float(rng.uniform(0.5, 3.0))
    A, B = mdl.Tensor(a), mdl.Tensor(b)
    return {"a/b": A / B, "a/s": A / s}


@graded(points=1, number="1.3")
def negate_forward(mdl, rng):
    """-a and a - b"""
    shape = _shape(rng, 3)
    A, B = mdl.Tensor(_normal(rng, shape)), mdl.Tensor(_normal(rng, shape))
    return {"-a": -A, "a-b": A - B}


@graded(points=1, number="1.4")
def power_forward(mdl, rng):
    """a ** scalar and a ** b for positive a"""
    shape = _shape(rng)
    a, b = rng.uniform(0.5, 2.0, shape).astype("float32"), _normal(rng, shape)
    A, B = mdl.Tensor(a), mdl.Tensor(b)
    return {"a**2": A ** 2, "a**-1.5": A ** -1.5, "a**b": A ** B}


@graded(points=1, number="1.5")
def exp_log_forward(mdl, rng):
    """exp(a) and log(a)"""
    shape = _shape(rng)
    A = mdl.Tensor(_normal(rng, shape))
    P = mdl.Tensor(rng.uniform(0.1, 5.0, shape))
    return {"exp": A.exp(), "log": P.log(), "ops.exp": mdl.ops.exp(A), "ops.log": mdl.ops.log(P)}


@graded(points=1, number="1.6")
def activations_forward(mdl, rng):
    """relu, tanh and sigmoid, including large inputs"""
    a = _normal(rng, _shape(rng)) * 10
    A = mdl.Tensor(a)
    return {"relu": mdl.ops.relu(A), "tanh": mdl.ops.tanh(A), "sigmoid": mdl.ops.sigmoid(A)}


@graded(points=1, number="1.7")
def matmul_forward(mdl, rng):
    """a @ b for 2-D matrices and batches whose leading axes broadcast"""
    m, k, n, batch = (int(x) for x in rng.integers(1, 9, size=4))
    A, B = mdl.Tensor(_normal(rng, (m, k))), mdl.Tensor(_normal(rng, (k, n)))
    C = mdl.Tensor(_normal(rng, (batch, 1, m, k)))
    D = mdl.Tensor(_normal(rng, (3, k, n)))
    return {"2d": A @ B, "batched": C @ D, "batch@matrix": C @ B}


@graded(points=1, number="1.8")
def summation_forward(mdl, rng):
    """sum over all axes, one axis, several axes, and with keepdims"""
    A = mdl.Tensor(_normal(rng, _shape(rng, 3)))
    return {"all": A.sum(), "axis1": A.sum(1), "axes(0,2)": A.sum((0, 2)),
            "axis-1 keepdims": A.sum(-1, keepdims=True)}


@graded(points=1, number="1.9")
def max_forward(mdl, rng):
    """max over all axes, one axis, several axes, and with keepdims"""
    A = mdl.Tensor(_normal(rng, _shape(rng, 3)))
    return {"all": A.max(), "axis0": A.max(0), "axes(1,2)": A.max((1, 2)),
            "axis1 keepdims": A.max(1, keepdims=True)}


@graded(points=1, number="1.10")
def broadcast_to_forward(mdl, rng):
    """broadcast_to along new leading axes and axes of size 1"""
    n = int(rng.integers(1, 6))
    A = mdl.Tensor(_normal(rng, (n, 1)))
    B = mdl.Tensor(_normal(rng, (n,)))
    return {"(n,1)->(2,n,3)": A.broadcast_to((2, n, 3)), "(n,)->(4,n)": B.broadcast_to((4, n))}


@graded(points=1, number="1.11")
def reshape_forward(mdl, rng):
    """reshape to other shapes with the same number of elements"""
    a, b, c = _shape(rng, 3)
    A = mdl.Tensor(_normal(rng, (a, b, c)))
    return {"flat": A.reshape((a * b * c,)), "merge": A.reshape(a, b * c),
            "split": A.reshape((a * b, c, 1))}


@graded(points=1, number="1.12")
def transpose_forward(mdl, rng):
    """transpose of the last two axes (default) and of a given pair"""
    A = mdl.Tensor(_normal(rng, _shape(rng, 3)))
    return {"default": A.transpose(), "(0,2)": A.transpose(0, 2), "(1,0)": A.transpose(1, 0)}


@graded(points=1, number="1.13")
def logsumexp_forward(mdl, rng):
    """logsumexp over all axes, one axis and several axes"""
    A = mdl.Tensor(_normal(rng, _shape(rng, 3)) * 3)
    lse = mdl.ops.logsumexp
    return {"all": lse(A), "axis1": lse(A, axes=1), "axes(0,2)": lse(A, axes=(0, 2))}


@graded(points=1, number="1.14")
def softmax_forward(mdl, rng):
    """softmax over one axis and over all axes, for inputs around 1e3 too"""
    A = mdl.Tensor(_normal(rng, _shape(rng, 3)) * 3)
    big = mdl.Tensor(_normal(rng, _shape(rng)) + 1000)
    softmax = mdl.ops.softmax
    return {"axis1": softmax(A, axes=1), "all": softmax(A), "large": softmax(big, axes=1)}
