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
    # YOUR CODE HERE (hw5)
    raise NotImplementedError("hw5")
