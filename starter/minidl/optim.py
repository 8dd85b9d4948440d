"""Optimizers with PyTorch's update rules; steps change parameters in place, outside the graph."""
from __future__ import annotations

from .autograd import Tensor


class Optimizer:
    """Updates `params` from their `.grad` at each `step()`."""

    def __init__(self, params):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")

    def zero_grad(self) -> None:
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        raise NotImplementedError()

    def _gradients(self, weight_decay: float):
        """(param, its data, its gradient plus weight_decay * data) for params with a gradient."""
        for param in self.params:
            if param.grad is not None:
                data = param.realize_cached_data()
                grad = param.grad.realize_cached_data().compact()  # once, not in every use
                yield param, data, grad + weight_decay * data if weight_decay else grad


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (grad + weight_decay * p) (no dampening)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.velocity = {}

    def step(self) -> None:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")


class Adam(Optimizer):
    """Adam with bias correction; weight decay is added to the gradient (L2), as PyTorch's Adam."""

    def __init__(self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.t = 0
        self.m, self.v = {}, {}

    def step(self) -> None:
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")
