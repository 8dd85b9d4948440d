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
    """AdamW: decoupled weight decay over several steps, a parameter without a gradient too;
    gradients of scale 1e-6 (where eps counts) and 1e3"""
    out = {}
    for scale in (1.0, 1e-6, 1e3):
        parameters = _parameters(mdl, rng, [(3, 4), (4,), (2,)])
        optimizer = mdl.optim.AdamW(parameters, lr=float(rng.uniform(0.01, 0.1)),
                                    weight_decay=float(rng.uniform(0.05, 0.5)))
        for step in range(4 if scale == 1 else 3):
            _set_gradients(mdl, rng, parameters[:2], scale)  # the last one never gets one
            optimizer.step()
            name = f"after step {step + 1}" if scale == 1 else \
                f"gradients of scale {scale:g}, after step {step + 1}"
            out[name] = np.concatenate([p.numpy().ravel() for p in parameters])
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
    """clip_grad_norm_: the global 2-, 1- and inf-norm returned, gradients scaled by
    max_norm / (norm + 1e-6) when that is below 1 (gradients of scale 1e-6 too), zero
    gradients"""
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
        # gradients of scale 1e-6, max_norm between their norm and the norm + 1e-6: the
        # factor max_norm / (norm + 1e-6) is below 1, so they are scaled
        _set_gradients(mdl, rng, parameters[:2], scale=1e-6)
        joined = np.concatenate([p.grad.numpy().ravel() for p in parameters[:2]])
        max_norm = np.linalg.norm(joined, ord=norm_type) + float(rng.uniform(0.2, 0.8)) * 1e-6
        out[f"{norm_type}-norm tiny grads"] = clip(parameters, max_norm, norm_type=norm_type)
        out[f"{norm_type}-norm tiny grads, max_norm just above their norm"] = np.concatenate(
            [p.grad.numpy().ravel() for p in parameters[:2]])
    for p in parameters[:2]:
        p.grad = mdl.Tensor(np.zeros(p.shape), dtype="float64")
    out["all-zero gradients: norm"] = clip(parameters, 1.0)
    out["all-zero gradients"] = np.concatenate([p.grad.numpy().ravel() for p in parameters[:2]])
    return out
