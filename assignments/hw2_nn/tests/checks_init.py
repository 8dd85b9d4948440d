"""Section 1: initialization. Checked by statistics of many draws, never by the draws themselves."""
import math

import numpy as np

from autograder.checks import graded

SHAPE = (300, 400)


def _stats(tensor, bound=None, std=None):
    """Rounded ratios that are 1 (or 0) for a correct sampler, whatever order it draws in."""
    x = tensor.numpy().astype(np.float64)
    out = {"shape": np.array(x.shape), "dtype is float32": tensor.dtype == "float32",
           "mean / std": round(float(x.mean() / x.std()), 1)}
    if bound is not None:
        out["max |x| / bound"] = round(float(np.abs(x).max() / bound), 2)
        out["std / uniform std"] = round(float(x.std() / (bound / math.sqrt(3))), 1)
    if std is not None:
        out["std / expected std"] = round(float(x.std() / std), 1)
    return out


@graded(points=1, number="1.1")
def rand_and_randn(mdl, rng):
    """rand draws U(low, high) and randn N(mean, std^2)"""
    mdl.init.manual_seed(int(rng.integers(1 << 31)))
    u = mdl.init.rand(*SHAPE, low=-3.0, high=5.0).numpy().astype(np.float64)
    n = mdl.init.randn(*SHAPE, mean=2.0, std=0.5).numpy().astype(np.float64)
    return {"rand in range": bool(u.min() >= -3 and u.max() < 5),
            "rand mean": round(float(u.mean()), 1), "rand spread": round(float(u.max() - u.min()), 1),
            "randn mean": round(float(n.mean()), 1), "randn std": round(float(n.std()), 2),
            "requires_grad": mdl.init.randn(2, 3, requires_grad=True).requires_grad}


@graded(points=1, number="1.2")
def xavier(mdl, rng):
    """xavier_uniform and xavier_normal use fan_in + fan_out and the gain"""
    mdl.init.manual_seed(int(rng.integers(1 << 31)))
    fan_out, fan_in = SHAPE
    gain = float(rng.choice([1.0, 2.0]))
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    uniform = _stats(mdl.init.xavier_uniform(*SHAPE, gain=gain), bound=bound)
    normal = _stats(mdl.init.xavier_normal(*SHAPE, gain=gain), std=std)
    return {**{f"uniform {k}": v for k, v in uniform.items()},
            **{f"normal {k}": v for k, v in normal.items()}}


@graded(points=1, number="1.3")
def kaiming(mdl, rng):
    """kaiming_uniform and kaiming_normal use fan_in (in_features, times the kernel size)"""
    mdl.init.manual_seed(int(rng.integers(1 << 31)))
    shape = (64, 32, 3, 3) if rng.random() < 0.5 else SHAPE
    fan_in = shape[1] * math.prod(shape[2:])
    uniform = _stats(mdl.init.kaiming_uniform(*shape), bound=math.sqrt(6 / fan_in))
    normal = _stats(mdl.init.kaiming_normal(*shape), std=math.sqrt(2 / fan_in))
    return {**{f"uniform {k}": v for k, v in uniform.items()},
            **{f"normal {k}": v for k, v in normal.items()}}
