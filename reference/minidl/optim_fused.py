### BEGIN REFERENCE ONLY
"""The kit's fused Adam and AdamW update (the devices' "adam" capability): every parameter's
step in a few kernel launches, where the plain step takes about 13 a parameter. The starter does
not include this module.
"""
from __future__ import annotations

from .autograd import Tensor
from .optim import Adam, AdamW, Optimizer


def fused_adam_step(adam: Adam) -> bool:
    """Adam.step (AdamW's too) in a few launches for all parameters, in the devices' fused
    kernels (their `adam_update`); the same numbers as the plain step. False, doing nothing,
    for a subclass with gradients of its own, which the plain step must take."""
    if type(adam)._gradients not in (Adam._gradients, AdamW._gradients):
        return False
    adam.t += 1
    decoupled = isinstance(adam, AdamW)  # its decay scales the data, not added to the gradient
    l2, decay = (0.0, 1 - adam.lr * adam.weight_decay) if decoupled else (adam.weight_decay, 1.0)
    (beta1, beta2), t = adam.betas, adam.t
    # g = grad + l2 * data; m = beta1 * m + (1 - beta1) * g; v likewise with g * g; data * decay
    # + m * step / (sqrt(v / correction2) + eps), the bias corrections folded into step
    constants = (l2, beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta2 ** t,
                 -adam.lr / (1 - beta1 ** t), adam.eps, decay)
    updates = {}  # by device and dtype: the buffers of each parameter's data, grad, m, v, out
    for param, data, grad in Optimizer._gradients(adam, 0.0):
        key = id(param)
        if key not in adam.m:
            adam.m[key], adam.v[key] = (data.device.full(data.shape, 0.0, data.dtype)
                                        for _ in range(2))
        data = data.compact()
        out = data.device.empty(data.shape, data.dtype)
        updates.setdefault((data.device, data.dtype), []).append(
            [array._handle for array in (data, grad, adam.m[key], adam.v[key], out)])
        param.data = Tensor.make_const(out)  # its buffer is written below
    for (device, _), buffers in updates.items():
        device.kernels.adam_update(*[list(column) for column in zip(*buffers)], *constants)
    return True
### END REFERENCE ONLY
