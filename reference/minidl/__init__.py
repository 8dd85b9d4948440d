"""minidl: a small deep-learning framework written for teaching."""
from .autograd import Op, Tensor, is_grad_enabled, no_grad
from .backends import Device, cpu
from . import ops

__all__ = ["Device", "Op", "Tensor", "cpu", "is_grad_enabled", "no_grad", "ops"]
