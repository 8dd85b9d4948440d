"""Elementwise, matrix, reduction and shape operators."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, Tensor


def _axes_tuple(axes, ndim: int) -> tuple[int, ...]:
    """`axes` (None, an int or a sequence, negatives allowed) as sorted non-negative ints."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, int):
        axes = (axes,)
    return tuple(sorted({a % ndim for a in axes})) if ndim else ()  # 0-d: axis 0 is no axis


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """`shape` with each reduced axis kept as size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduce_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum `grad` over the axes along which an array of `shape` was broadcast."""
    ### BEGIN SOLUTION hw1
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    if axes:
        grad = grad.sum(axes)
    return grad.reshape(shape)
    ### END SOLUTION


class EWiseAdd(Op):
    """a + b for tensors of one shape (a worked example: the pattern of every op)."""

    def compute(self, a, b):
        return a + b

    def gradient(self, out_grad, node):
        return out_grad, out_grad


class AddScalar(Op):
    """a + scalar."""

    def __init__(self, scalar):
        self.scalar = scalar

    def compute(self, a):
        return a + self.scalar

    def gradient(self, out_grad, node):
        return out_grad


class EWiseMul(Op):
    """a * b for tensors of one shape."""

    def compute(self, a, b):
        ### BEGIN SOLUTION hw1
        return a * b
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a, b = node.inputs  # only the gradients needed, as in MatMul
        return (out_grad * b if a.requires_grad else None,
                out_grad * a if b.requires_grad else None)
        ### END SOLUTION


class MulScalar(Op):
    """a * scalar."""

    def __init__(self, scalar):
        self.scalar = scalar

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a * self.scalar
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad * self.scalar
        ### END SOLUTION


class EWiseDiv(Op):
    """a / b for tensors of one shape."""

    def compute(self, a, b):
        ### BEGIN SOLUTION hw1
        return a / b
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a, b = node.inputs  # only the gradients needed, as in MatMul
        return (out_grad / b if a.requires_grad else None,
                -out_grad * a / (b * b) if b.requires_grad else None)
        ### END SOLUTION


class DivScalar(Op):
    """a / scalar."""

    def __init__(self, scalar):
        self.scalar = scalar

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a / self.scalar
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad / self.scalar
        ### END SOLUTION


class Negate(Op):
    """-a."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return -a
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return -out_grad
        ### END SOLUTION


class PowerScalar(Op):
    """a ** scalar, for a constant scalar exponent."""

    def __init__(self, scalar):
        self.scalar = scalar

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a ** self.scalar
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a = node.inputs[0]
        return out_grad * self.scalar * a ** (self.scalar - 1)
        ### END SOLUTION


class EWisePow(Op):
    """a ** b elementwise, for tensors of one shape (a > 0 where b's gradient is needed)."""

    def compute(self, a, b):
        ### BEGIN SOLUTION hw1
        return a ** b
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a, b = node.inputs
        return out_grad * b * a ** (b - 1), out_grad * node * a.log()
        ### END SOLUTION


class Exp(Op):
    """e ** a."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.exp()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad * node
        ### END SOLUTION


class Log(Op):
    """Natural logarithm of a."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.log()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad / node.inputs[0]
        ### END SOLUTION


class ReLU(Op):
    """max(a, 0)."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.maximum(0)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        positive = node.inputs[0].realize_cached_data() > 0
        return out_grad * Tensor.make_const(positive)
        ### END SOLUTION


class Tanh(Op):
    """Hyperbolic tangent of a."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.tanh()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad * (1 - node * node)
        ### END SOLUTION


class Sigmoid(Op):
    """1 / (1 + e ** -a), computed without overflow for large |a|."""

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return ((a / 2).tanh() + 1) / 2
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad * node * (1 - node)
        ### END SOLUTION


# erfc(a) = t exp(-a^2 + P(2t - 1)) for a >= 0, t = 1 / (1 + a / 2): P is a least-squares fit
# of degree 12 at 4,000 Chebyshev nodes (the form of Numerical Recipes' erfcc, refitted);
# erf(a) = 1 - erfc(a) is then within 4e-9 of the exact value in float64 (float32's rounding
# of the steps gives up to 3e-7). Coefficients from the constant term up.
_ERFC_POLYNOMIAL = (
    -0.6717940851517216, 0.6726431547745453, 0.047343417521070026, -0.04689364055997561,
    -0.009874534918316618, 0.008808825369397167, 0.0017706661187619115, -0.002288765238539173,
    -0.00018278214203455083, 0.0005737663719018704, -3.211377197479443e-05,
    -8.728381016739923e-05, 1.3371503363146979e-05,
)


class Erf(Op):
    """The error function 2/sqrt(pi) * integral of exp(-s^2) from 0 to a, from the backends'
    primitives (see _ERFC_POLYNOMIAL for its accuracy)."""

    def compute(self, a):
        size = a.maximum(-a)
        t = 1 / (size * 0.5 + 1)
        u = t * 2 - 1
        p = u * _ERFC_POLYNOMIAL[-1] + _ERFC_POLYNOMIAL[-2]
        for c in reversed(_ERFC_POLYNOMIAL[:-2]):  # Horner's rule
            p = p * u + c
        erfc = t * (p - size * size).exp()
        sign = (a >= 0) * 2 - 1
        return (1 - erfc) * sign

    def gradient(self, out_grad, node):
        a = node.inputs[0]
        return out_grad * (-(a * a)).exp() * (2 / math.sqrt(math.pi))


class MatMul(Op):
    """a @ b: 2-D, or batched over leading axes that broadcast against each other."""

    def compute(self, a, b):
        ### BEGIN SOLUTION hw1
        return a @ b
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a, b = node.inputs  # only the gradients needed: an input may be data, not a parameter
        grad_a = reduce_to_shape(out_grad @ b.transpose(), a.shape) if a.requires_grad else None
        grad_b = reduce_to_shape(a.transpose() @ out_grad, b.shape) if b.requires_grad else None
        return grad_a, grad_b
        ### END SOLUTION


class Summation(Op):
    """Sum over `axes` (all axes when None)."""

    def __init__(self, axes=None, keepdims: bool = False):
        self.axes = axes
        self.keepdims = keepdims

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.sum(self.axes, keepdims=self.keepdims)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        shape = node.inputs[0].shape
        kept = _kept_shape(shape, _axes_tuple(self.axes, len(shape)))
        return out_grad.reshape(kept).broadcast_to(shape)
        ### END SOLUTION


class Max(Op):
    """Maximum over `axes` (all axes when None); ties share the gradient equally."""

    def __init__(self, axes=None, keepdims: bool = False):
        self.axes = axes
        self.keepdims = keepdims

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.max(self.axes, keepdims=self.keepdims)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        a = node.inputs[0].realize_cached_data()
        axes = _axes_tuple(self.axes, a.ndim)
        is_max = a == a.max(axes, keepdims=True).broadcast_to(a.shape)
        share = is_max / is_max.sum(axes, keepdims=True).broadcast_to(a.shape)
        kept = _kept_shape(a.shape, axes)
        return out_grad.reshape(kept).broadcast_to(a.shape) * Tensor.make_const(share)
        ### END SOLUTION


class BroadcastTo(Op):
    """a repeated along new leading axes and along its axes of size 1, to `shape`."""

    def __init__(self, shape: tuple[int, ...]):
        self.shape = tuple(shape)

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.broadcast_to(self.shape)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return reduce_to_shape(out_grad, node.inputs[0].shape)
        ### END SOLUTION


class Reshape(Op):
    """a with the same elements in row-major order, arranged as `shape`."""

    def __init__(self, shape: tuple[int, ...]):
        self.shape = tuple(shape)

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        return a.reshape(self.shape)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad.reshape(node.inputs[0].shape)
        ### END SOLUTION


class Transpose(Op):
    """a with two axes swapped: `axes` (i, j), or the last two when None."""

    def __init__(self, axes: tuple[int, int] | None = None):
        if axes is not None and len(axes) != 2:
            raise ValueError(f"Transpose swaps two axes, got axes={axes}")
        self.axes = axes

    def compute(self, a):
        ### BEGIN SOLUTION hw1
        i, j = self.axes if self.axes is not None else (-1, -2)
        return a.swapaxes(i, j)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        return out_grad.transpose(*(self.axes or ()))
        ### END SOLUTION


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """a @ b; both operands need at least two dimensions. A batch of rows times one matrix,
    (..., m, n) @ (n, p), is one 2-D product of all the rows (as PyTorch), so the matrix is
    neither copied per batch entry nor its gradient summed over the batch."""
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: cannot multiply shapes {a.shape} and {b.shape} "
                         "(both need >= 2 dimensions and a.shape[-1] == b.shape[-2])")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: batch dimensions of {a.shape} and {b.shape} do not "
                         "broadcast together") from None
    if a.ndim > 2 and b.ndim == 2:
        rows = Reshape((math.prod(a.shape[:-1]), a.shape[-1]))(a)
        return Reshape(a.shape[:-1] + (b.shape[1],))(MatMul()(rows, b))
    return MatMul()(a, b)


def exp(a: Tensor) -> Tensor:
    """e ** a."""
    return Exp()(a)


def log(a: Tensor) -> Tensor:
    """Natural logarithm of a."""
    return Log()(a)


def relu(a: Tensor) -> Tensor:
    """max(a, 0)."""
    return ReLU()(a)


def tanh(a: Tensor) -> Tensor:
    """Hyperbolic tangent of a."""
    return Tanh()(a)


def sigmoid(a: Tensor) -> Tensor:
    """Logistic sigmoid of a."""
    return Sigmoid()(a)


def erf(a: Tensor) -> Tensor:
    """The error function of a."""
    return Erf()(a)
