"""Tensors, operators and reverse-mode automatic differentiation."""
from __future__ import annotations

import contextlib
from typing import Iterator, Sequence

import numpy as np

from .backends import Device, default_device
from .ndarray import NDArray

_grad_enabled = True


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, operations record no graph and results need no gradient."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """Whether operations currently record the computational graph."""
    return _grad_enabled


class Op:
    """An operator: `compute` works on arrays, `gradient` on Tensors."""

    def __call__(self, *args: "Tensor") -> "Tensor":
        return Tensor.make_from_op(self, args)

    def compute(self, *args):
        """Forward pass on raw arrays; returns an array."""
        raise NotImplementedError()

    def gradient(self, out_grad: "Tensor", node: "Tensor"):
        """Partial adjoints of each input, given the adjoint of the output `node`."""
        raise NotImplementedError()

    def gradient_as_tuple(self, out_grad: "Tensor", node: "Tensor") -> tuple:
        """`gradient`, always as a tuple with one entry per input."""
        grads = self.gradient(out_grad, node)
        return grads if isinstance(grads, tuple) else (grads,)

    def __repr__(self) -> str:
        return type(self).__name__


class Tensor:
    """A node of the computational graph: an array, the op that made it, and its inputs.

    `Tensor(data)` copies `data` (a list, NumPy array, NDArray or Tensor) as `dtype`: float32
    unless dtype="float64" is given, float64 arrays included, so NumPy's default float64 meets
    float32 parameters without mixing dtypes.
    """

    op: Op | None
    inputs: tuple["Tensor", ...]
    cached_data: object
    requires_grad: bool
    grad: "Tensor | None"

    def __init__(self, data, device: Device | None = None, dtype: str = "float32",
                 requires_grad: bool = False):
        if isinstance(data, Tensor):
            data = data.realize_cached_data()
        device = device or (data.device if isinstance(data, NDArray) else default_device())
        self._init(None, (), device.array(data, dtype), requires_grad)

    def _init(self, op: Op | None, inputs: tuple["Tensor", ...], data, requires_grad: bool):
        self.op = op
        self.inputs = inputs
        self.cached_data = data
        self.requires_grad = requires_grad
        self.grad = None

    @classmethod
    def make_from_op(cls, op: Op, inputs: Sequence["Tensor"]) -> "Tensor":
        """The output of `op` applied to `inputs`; recorded in the graph unless under no_grad."""
        data = op.compute(*[x.realize_cached_data() for x in inputs])
        tensor = cls.__new__(cls)
        if _grad_enabled and any(x.requires_grad for x in inputs):
            tensor._init(op, tuple(inputs), data, True)
        else:
            tensor._init(None, (), data, False)
        return tensor

    @classmethod
    def make_const(cls, data, requires_grad: bool = False) -> "Tensor":
        """A leaf tensor over an existing array, without copying or casting it."""
        tensor = cls.__new__(cls)
        tensor._init(None, (), data, requires_grad)
        return tensor

    def realize_cached_data(self):
        """The array this tensor holds."""
        return self.cached_data

    def is_leaf(self) -> bool:
        """True for tensors no op produced (inputs and parameters)."""
        return self.op is None

    def detach(self) -> "Tensor":
        """The same data as a new leaf, cut off from the graph."""
        return Tensor.make_const(self.realize_cached_data())

    @property
    def data(self) -> "Tensor":
        """The same data, detached from the graph."""
        return self.detach()

    @data.setter
    def data(self, value: "Tensor") -> None:
        """Replace this tensor's data in place (optimizers do), keeping shape and dtype."""
        if value.shape != self.shape:
            raise ValueError(f"cannot set data of shape {value.shape} into a tensor of shape "
                             f"{self.shape}")
        self.cached_data = value.realize_cached_data().to(self.device).astype(self.dtype)

    def numpy(self):
        """A NumPy copy of the data."""
        return self.realize_cached_data().numpy()

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        return self.numpy().item()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.realize_cached_data().shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> str:
        return str(self.realize_cached_data().dtype)

    @property
    def device(self) -> Device:
        return self.realize_cached_data().device

    def to(self, device: Device) -> "Tensor":
        """The same values on `device`, as a new leaf (itself when already there)."""
        if device == self.device:
            return self
        return Tensor.make_const(self.realize_cached_data().to(device), self.requires_grad)

    def backward(self, out_grad: "Tensor | None" = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into the `.grad` of every leaf that requires it.

        `out_grad` defaults to ones of self's shape. With `create_graph`, the gradients are
        themselves differentiable.
        """
        if out_grad is None:
            out_grad = Tensor.make_const(self.device.full(self.shape, 1.0, self.dtype))
        elif out_grad.shape != self.shape:
            raise ValueError(f"backward: out_grad has shape {out_grad.shape}, "
                             f"but the tensor has shape {self.shape}")
        if create_graph:
            compute_gradient_of_variables(self, out_grad)
        else:
            with no_grad():
                compute_gradient_of_variables(self, out_grad)

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({self.numpy()!r}, device={self.device!r}{grad})"

    def __len__(self) -> int:
        return self.shape[0]

    def __add__(self, other):
        return _binary(ops.EWiseAdd(), self, other) if isinstance(other, Tensor) \
            else ops.AddScalar(other)(self)

    def __mul__(self, other):
        return _binary(ops.EWiseMul(), self, other) if isinstance(other, Tensor) \
            else ops.MulScalar(other)(self)

    def __truediv__(self, other):
        return _binary(ops.EWiseDiv(), self, other) if isinstance(other, Tensor) \
            else ops.DivScalar(other)(self)

    def __pow__(self, other):
        return _binary(ops.EWisePow(), self, other) if isinstance(other, Tensor) \
            else ops.PowerScalar(other)(self)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rtruediv__(self, other):
        return self ** -1 * other

    def __neg__(self):
        return ops.Negate()(self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    __radd__ = __add__
    __rmul__ = __mul__

    def sum(self, axes=None, keepdims: bool = False) -> "Tensor":
        return ops.Summation(axes, keepdims)(self)

    def max(self, axes=None, keepdims: bool = False) -> "Tensor":
        return ops.Max(axes, keepdims)(self)

    def reshape(self, *shape) -> "Tensor":
        return ops.Reshape(_shape_arg(shape))(self)

    def broadcast_to(self, *shape) -> "Tensor":
        return ops.BroadcastTo(_shape_arg(shape))(self)

    def transpose(self, *axes) -> "Tensor":
        """Swap two axes (the last two when none are given)."""
        return ops.Transpose(_shape_arg(axes) or None)(self)

    def permute(self, *dims) -> "Tensor":
        """Reorder the axes: axis i of the result is axis dims[i] (negatives count from the end)."""
        return ops.permute(self, tuple(d + self.ndim if d < 0 else d for d in _shape_arg(dims)))

    def exp(self) -> "Tensor":
        return ops.Exp()(self)

    def log(self) -> "Tensor":
        return ops.Log()(self)


def _shape_arg(args: tuple) -> tuple[int, ...]:
    """Accept both `t.reshape(2, 3)` and `t.reshape((2, 3))`."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _binary(op: Op, a: Tensor, b: Tensor) -> Tensor:
    """Apply an elementwise `op` after broadcasting both operands to a common shape."""
    if a.shape != b.shape:
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast "
                             "together") from None
        a = a if a.shape == shape else a.broadcast_to(shape)
        b = b if b.shape == shape else b.broadcast_to(shape)
    return op(a, b)


def find_topo_sort(roots: Sequence[Tensor]) -> list[Tensor]:
    """All tensors `roots` depend on, each listed after all of its inputs.

    Iterative depth-first search, so graphs of any depth fit in Python's recursion limit.
    """
    # YOUR CODE HERE (hw1)
    raise NotImplementedError("hw1")


def compute_gradient_of_variables(output: Tensor, out_grad: Tensor) -> None:
    """Propagate `out_grad` from `output` back through the graph; leaves accumulate `.grad`.

    A tensor used by several ops receives the sum of the adjoints they send back.
    """
    # YOUR CODE HERE (hw1)
    raise NotImplementedError("hw1")


from . import ops  # noqa: E402  (ops needs Tensor; Tensor's operators need ops)
