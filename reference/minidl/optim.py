"""Optimizers with PyTorch's update rules; steps change parameters in place, outside the graph."""
from __future__ import annotations

import math

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
        ### BEGIN SOLUTION hw2
        for param, data, grad in self._gradients(self.weight_decay):
            if self.momentum:
                previous = self.velocity.get(id(param))
                grad = grad if previous is None else self.momentum * previous + grad
                self.velocity[id(param)] = grad
            param.data = Tensor.make_const(data - self.lr * grad)
        ### END SOLUTION


class Adam(Optimizer):
    """Adam with bias correction; weight decay is added to the gradient (L2), as PyTorch's Adam."""

    def __init__(self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.t = 0
        self.m, self.v = {}, {}

    def step(self) -> None:
        if all(param.device.has("adam") for param in self.params):  # the kit's fused kernels
            from .optim_fused import fused_adam_step
            if fused_adam_step(self):
                return
        ### BEGIN SOLUTION hw2
        self.t += 1
        beta1, beta2 = self.betas
        for param, data, grad in self._gradients(self.weight_decay):
            key = id(param)
            self.m[key] = beta1 * self.m.get(key, 0.0) + (1 - beta1) * grad
            self.v[key] = beta2 * self.v.get(key, 0.0) + (1 - beta2) * grad * grad
            # data - lr * m_hat / (sqrt(v_hat) + eps), with the bias corrections folded into
            # scalars: each array operation is a pass over the parameter
            denominator = (self.v[key] / (1 - beta2 ** self.t)).sqrt() + self.eps
            update = self.m[key] * (-self.lr / (1 - beta1 ** self.t)) / denominator
            param.data = Tensor.make_const(data + update)
        ### END SOLUTION


class AdamW(Adam):
    """Adam with decoupled weight decay, as PyTorch's AdamW: p *= 1 - lr * weight_decay, then
    Adam's step on the plain gradient."""

    def __init__(self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)

    def _gradients(self, weight_decay: float):
        """(param, its data times 1 - lr * weight_decay, its gradient with no decay added)."""
        # Adam.step writes data + its update, so shrinking the data it gets is the whole change
        ### BEGIN SOLUTION hw5
        for param, data, grad in super()._gradients(0.0):
            yield param, data * (1 - self.lr * weight_decay), grad
        ### END SOLUTION


class WarmupCosine:
    """Learning rate rising linearly to the optimizer's lr over `warmup_steps`, then falling
    along a cosine to `min_lr` at `total_steps`, and `min_lr` after."""

    def __init__(self, optimizer: Optimizer, warmup_steps: int, total_steps: int,
                 min_lr: float = 0.0):
        if not 0 <= warmup_steps <= total_steps or total_steps < 1:
            raise ValueError(f"WarmupCosine needs 0 <= warmup_steps <= total_steps and "
                             f"total_steps >= 1, got warmup_steps={warmup_steps}, "
                             f"total_steps={total_steps}")
        if not 0 <= min_lr <= optimizer.lr:
            raise ValueError(f"WarmupCosine needs 0 <= min_lr <= the optimizer's lr "
                             f"({optimizer.lr}), got min_lr={min_lr}")
        self.optimizer, self.warmup_steps, self.total_steps = optimizer, warmup_steps, total_steps
        self.max_lr, self.min_lr = optimizer.lr, min_lr
        self.step_count = 0
        self.lr = optimizer.lr = self.lr_at(0)

    def lr_at(self, step: int) -> float:
        """The learning rate of (0-based) `step`."""
        ### BEGIN SOLUTION hw5
        if step >= self.total_steps:
            return self.min_lr
        if step < self.warmup_steps:
            return self.max_lr * (step + 1) / self.warmup_steps
        progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        return self.min_lr + (self.max_lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2
        ### END SOLUTION

    def step(self) -> None:
        """Move to the next step and set the optimizer's learning rate for it."""
        self.step_count += 1
        self.lr = self.optimizer.lr = self.lr_at(self.step_count)
