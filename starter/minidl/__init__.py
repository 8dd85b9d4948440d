"""minidl: a small deep-learning framework written for teaching."""
from .autograd import Op, Tensor, is_grad_enabled, no_grad
from .backends import Device, cpu, cpu_numba, cuda
from . import data, generative, init, models, nn, ops, optim, train, uncertainty

__all__ = ["Device", "Op", "Tensor", "cpu", "cpu_numba", "cuda", "data", "generative", "init",
           "is_grad_enabled", "models", "nn", "no_grad", "ops", "optim", "train",
           "uncertainty"]
