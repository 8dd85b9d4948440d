"""Tools for training loops that act on parameters' gradients, with PyTorch's names."""
from __future__ import annotations

import math
from typing import Iterable

from ..autograd import Tensor


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0) -> float:
    """Scale all gradients by one factor so their global norm is at most `max_norm`; return
    the norm before clipping, as a Python float (PyTorch returns a 0-d tensor)."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    norm_type = float(norm_type)  # PyTorch also takes the string "inf"
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    with_grad = [p for p in parameters if p.grad is not None]
    if not with_grad:
        return 0.0
    ### BEGIN SOLUTION hw5
    grads = [p.grad.realize_cached_data() for p in with_grad]
    magnitudes = [g.maximum(-g) for g in grads]
    if norm_type == math.inf:
        total = max((float(a.max().numpy()) for a in magnitudes if a.size), default=0.0)
    else:
        total = sum(float((a ** norm_type).sum().numpy()) for a in magnitudes) ** (1 / norm_type)
    # PyTorch's factor: the 1e-6 guards a zero norm, and a norm just under max_norm still scales
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for param, grad in zip(with_grad, grads):
            param.grad = Tensor.make_const(grad * scale)
    return total
    ### END SOLUTION
