"""Section 4: training tools: AdamW, the warmup-cosine schedule and gradient clipping."""
import numpy as np

from autograder.checks import graded


def _parameters(mdl, rng, shapes):
    return [mdl.nn.Parameter(rng.standard_normal(shape), dtype="float64") for shape in shapes]


def _set_gradients(mdl, rng, parameters, scale=1.0):
    for p in parameters:
        p.grad = mdl.Tensor(rng.standard_normal(p.shape) * scale, dtype="float64")


@graded(points=3, number="4.1", rtol=1e-10, atol=1e-12)
def adamw(mdl, rng):
    """AdamW: decoupled weight decay over several steps, a parameter without a gradient too"""
    parameters = _parameters(mdl, rng, [(3, 4), (4,), (2,)])
    optimizer = mdl.optim.AdamW(parameters, lr=float(rng.uniform(0.01, 0.1)),
                                weight_decay=float(rng.uniform(0.05, 0.5)))
    out = {}
    for step in range(4):
        _set_gradients(mdl, rng, parameters[:2])  # the last parameter never gets one
        optimizer.step()
        out[f"after step {step + 1}"] = np.concatenate([p.numpy().ravel() for p in parameters])
    return out


@graded(points=2, number="4.2", rtol=1e-12, atol=1e-12)
def warmup_cosine(mdl, rng):
    """WarmupCosine: linear warmup, cosine to min_lr, min_lr after; as stepped by a loop"""
    out = {}
    for warmup in (0, int(rng.integers(1, 6))):
        total = warmup + int(rng.integers(3, 12))
        optimizer = mdl.optim.SGD(_parameters(mdl, rng, [(2,)]), lr=float(rng.uniform(0.1, 1)))
        schedule = mdl.optim.WarmupCosine(optimizer, warmup, total, min_lr=0.01)
        rates = [optimizer.lr]
        for _ in range(total + 2):
            schedule.step()
            rates.append(optimizer.lr)
        out[f"rates, warmup {warmup}"] = np.array(rates)
    return out


@graded(points=3, number="4.3", rtol=1e-10, atol=1e-12)
def clip_grad_norm(mdl, rng):
    """clip_grad_norm_: the global 2-, 1- and inf-norm returned, gradients scaled only above
    max_norm"""
    clip = mdl.nn.utils.clip_grad_norm_
    out = {}
    for norm_type in (2.0, 1.0, float("inf")):
        parameters = _parameters(mdl, rng, [(3, 5), (5,), (1,)])
        _set_gradients(mdl, rng, parameters[:2], scale=float(rng.uniform(0.5, 3)))
        norm = clip(parameters, 1.0, norm_type=norm_type)
        out[f"{norm_type}-norm"] = norm
        out[f"{norm_type}-norm clipped grads"] = np.concatenate(
            [p.grad.numpy().ravel() for p in parameters[:2]])
        _set_gradients(mdl, rng, parameters[:2], scale=0.01)  # well under max_norm: unchanged
        clip(parameters, 10.0, norm_type=norm_type)
        out[f"{norm_type}-norm small grads"] = np.concatenate(
            [p.grad.numpy().ravel() for p in parameters[:2]])
    return out
