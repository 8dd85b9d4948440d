"""Section 4: your gradients agree with numerical derivatives of your own forward pass."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient


def _check(mdl, function, inputs: list[np.ndarray], which: int) -> dict:
    """Analytic and numerical gradient of scalar `function(*tensors)` w.r.t. input `which`."""
    tensors = [mdl.Tensor(x, dtype="float64", requires_grad=True) for x in inputs]
    function(*tensors).backward()

    def value(x):
        args = [mdl.Tensor(v if i != which else x, dtype="float64") for i, v in enumerate(inputs)]
        return function(*args).numpy().item()

    return {"analytic": tensors[which].grad, "numerical": numerical_gradient(value, inputs[which])}


@graded(points=3, number="4.1", verify=agree("analytic", "numerical", rtol=1e-4, atol=1e-6),
        rtol=1e-5, atol=1e-7)
def gradcheck_mlp_loss(mdl, rng):
    """numerical check: softmax loss of a two-layer network, w.r.t. its first weights"""
    batch, features, hidden, classes = 5, 4, 6, 3
    x = rng.standard_normal((batch, features))
    w1 = rng.standard_normal((features, hidden)) * 0.5
    b1 = rng.standard_normal((1, hidden)) * 0.1
    w2 = rng.standard_normal((hidden, classes)) * 0.5
    onehot = np.eye(classes)[rng.integers(0, classes, batch)]

    def loss(x, w1, b1, w2, y):
        hidden_out = mdl.ops.relu(x @ w1 + b1.broadcast_to((batch, hidden)))
        logits = hidden_out @ w2
        return (mdl.ops.logsumexp(logits, axes=1) - (logits * y).sum(1)).sum() / batch

    return _check(mdl, loss, [x, w1, b1, w2, onehot], which=1)


@graded(points=2, number="4.2", verify=agree("analytic", "numerical", rtol=1e-4, atol=1e-6),
        rtol=1e-5, atol=1e-7)
def gradcheck_elementwise(mdl, rng):
    """numerical check: a composite of exp, log, tanh, sigmoid, powers and division"""
    x = rng.uniform(0.5, 2.0, (3, 4))
    y = rng.uniform(0.5, 2.0, (3, 4))

    def f(x, y):
        z = mdl.ops.tanh(x / y) * mdl.ops.sigmoid(y - x) + (x ** y).log() - (-x).exp() * y ** 0.5
        return (z * z.max(0, keepdims=True).broadcast_to(z.shape)).sum()

    return _check(mdl, f, [x, y], which=0)


@graded(points=2, number="4.3", verify=agree("analytic", "numerical", rtol=1e-4, atol=1e-6),
        rtol=1e-5, atol=1e-7)
def gradcheck_batched_matmul(mdl, rng):
    """numerical check: batched matmul with broadcasting, transpose and reshape"""
    a = rng.standard_normal((2, 1, 3, 4))
    b = rng.standard_normal((3, 4, 2))

    def f(a, b):
        c = (a @ b).transpose(0, 1).reshape(6, 3, 2)
        return (c * c.exp()).sum() + c.transpose().sum((0, 1)).exp().sum()

    return _check(mdl, f, [a, b], which=1)
