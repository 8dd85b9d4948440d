"""hw5's training tools in the reference: AdamW, the warmup-cosine schedule, gradient clipping."""
import math

import numpy as np
import pytest

from conftest import REFERENCE, load_implementation

mdl = load_implementation(REFERENCE)
SHAPES = [(3, 4), (5,)]


def _gradient_steps(rng, steps: int) -> list[list[np.ndarray]]:
    """A gradient for each parameter of SHAPES at each step, large enough to move them."""
    return [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(steps)]


def _run(optimizer_class, initial, gradient_steps, dtype, **options) -> list[np.ndarray]:
    """The parameters after one optimizer step per entry of `gradient_steps`; a last parameter
    never gets a gradient."""
    params = [mdl.nn.Parameter(mdl.Tensor(x, dtype=dtype)) for x in initial]
    untouched = mdl.nn.Parameter(mdl.Tensor(np.ones(2), dtype=dtype))
    optimizer = optimizer_class([*params, untouched], **options)
    for grads in gradient_steps:
        for param, grad in zip(params, grads):
            param.grad = mdl.Tensor(grad, dtype=dtype)
        optimizer.step()
    np.testing.assert_array_equal(untouched.numpy(), np.ones(2))  # no gradient, no decay
    return [p.numpy() for p in params]


def _numpy_adamw(initial, gradient_steps, dtype, lr, betas, eps, weight_decay):
    """torch.optim.AdamW's single-tensor algorithm, step by step, in NumPy."""
    beta1, beta2 = betas
    params = [x.astype(dtype) for x in initial]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for step, grads in enumerate(gradient_steps, start=1):
        for i, grad in enumerate(grads):
            grad = grad.astype(dtype)
            params[i] = params[i] * dtype(1 - lr * weight_decay)
            m[i] = m[i] + (grad - m[i]) * dtype(1 - beta1)  # torch's exp_avg.lerp_
            v[i] = v[i] * dtype(beta2) + grad * grad * dtype(1 - beta2)
            denominator = np.sqrt(v[i]) / dtype(math.sqrt(1 - beta2 ** step)) + dtype(eps)
            params[i] = params[i] - dtype(lr / (1 - beta1 ** step)) * m[i] / denominator
    return params


ADAMW = dict(lr=0.1, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.2)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_adamw_follows_pytorchs_algorithm_over_several_steps(dtype, rtol):
    rng = np.random.default_rng(0)
    initial, gradient_steps = [rng.standard_normal(s) for s in SHAPES], _gradient_steps(rng, 6)
    got = _run(mdl.optim.AdamW, initial, gradient_steps, dtype.__name__, **ADAMW)
    expected = _numpy_adamw(initial, gradient_steps, dtype, **ADAMW)
    for g, e in zip(got, expected):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol)


def test_adamw_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    initial, gradient_steps = [rng.standard_normal(s) for s in SHAPES], _gradient_steps(rng, 6)
    params = [torch.tensor(x, requires_grad=True) for x in initial]
    optimizer = torch.optim.AdamW(params, **ADAMW)
    for grads in gradient_steps:
        for param, grad in zip(params, grads):
            param.grad = torch.tensor(grad)
        optimizer.step()
    got = _run(mdl.optim.AdamW, initial, gradient_steps, "float64", **ADAMW)
    for g, p in zip(got, params):
        np.testing.assert_allclose(g, p.detach().numpy(), rtol=1e-12, atol=1e-12)
    defaults = torch.optim.AdamW(params).defaults
    ours = mdl.optim.AdamW(mdl.nn.Linear(2, 2).parameters())
    assert (ours.lr, ours.betas, ours.eps, ours.weight_decay) == (
        defaults["lr"], defaults["betas"], defaults["eps"], defaults["weight_decay"])


def test_adamw_without_weight_decay_is_adam_and_with_it_is_not_l2():
    rng = np.random.default_rng(2)
    initial, gradient_steps = [rng.standard_normal(s) for s in SHAPES], _gradient_steps(rng, 4)
    options = dict(lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    adam = _run(mdl.optim.Adam, initial, gradient_steps, "float32", **options)
    adamw = _run(mdl.optim.AdamW, initial, gradient_steps, "float32", weight_decay=0.0, **options)
    for a, w in zip(adam, adamw):
        np.testing.assert_array_equal(w, a)
    l2 = _run(mdl.optim.Adam, initial, gradient_steps, "float32", weight_decay=0.2, **options)
    decoupled = _run(mdl.optim.AdamW, initial, gradient_steps, "float32", weight_decay=0.2,
                     **options)
    assert not np.allclose(l2[0], decoupled[0], rtol=1e-3)


def _schedule_lrs(steps: int, **options) -> tuple[list[float], list[float]]:
    """The schedule's lr at steps 0..steps-1, and the optimizer's lr at the same steps."""
    optimizer = mdl.optim.SGD(mdl.nn.Linear(2, 2).parameters(), lr=0.1)
    schedule = mdl.optim.WarmupCosine(optimizer, **options)
    lrs, optimizer_lrs = [schedule.lr], [optimizer.lr]
    for _ in range(steps - 1):
        schedule.step()
        lrs.append(schedule.lr)
        optimizer_lrs.append(optimizer.lr)
    return lrs, optimizer_lrs


def test_warmup_cosine_rises_linearly_then_falls_along_a_cosine_to_min_lr():
    lrs, optimizer_lrs = _schedule_lrs(16, warmup_steps=4, total_steps=12, min_lr=0.01)
    assert optimizer_lrs == lrs
    expected = {0: 0.025, 1: 0.05, 3: 0.1,  # warmup: max_lr * (step + 1) / warmup_steps
                4: 0.1,  # the cosine starts at max_lr
                6: 0.01 + 0.09 * (1 + math.cos(math.pi / 4)) / 2,  # a quarter of the way down
                8: 0.055,  # halfway: the mean of max_lr and min_lr
                12: 0.01, 15: 0.01}  # min_lr from total_steps on
    for step, lr in expected.items():
        assert lrs[step] == pytest.approx(lr, rel=1e-12), f"step {step}"
    assert all(a > b for a, b in zip(lrs[4:12], lrs[5:13]))


def test_warmup_cosine_without_warmup_starts_at_the_optimizers_lr():
    lrs, _ = _schedule_lrs(6, warmup_steps=0, total_steps=4)
    assert lrs == pytest.approx([0.1, 0.1 * (1 + math.cos(math.pi / 4)) / 2, 0.05,
                                 0.1 * (1 + math.cos(3 * math.pi / 4)) / 2, 0.0, 0.0])


@pytest.mark.parametrize("options, message", [
    (dict(warmup_steps=5, total_steps=4), "warmup_steps=5, total_steps=4"),
    (dict(warmup_steps=-1, total_steps=4), "warmup_steps=-1"),
    (dict(warmup_steps=0, total_steps=0), "total_steps=0"),
    (dict(warmup_steps=1, total_steps=4, min_lr=0.2), r"lr \(0.1\), got min_lr=0.2"),
])
def test_warmup_cosine_names_the_arguments_it_cannot_take(options, message):
    optimizer = mdl.optim.SGD(mdl.nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        mdl.optim.WarmupCosine(optimizer, **options)


def _with_grads(grads, dtype="float32"):
    """Parameters whose gradients are `grads`, plus one without a gradient."""
    params = [mdl.nn.Parameter(mdl.Tensor(np.zeros(g.shape), dtype=dtype)) for g in grads]
    for param, grad in zip(params, grads):
        param.grad = mdl.Tensor(grad, dtype=dtype)
    return params + [mdl.nn.Parameter(mdl.Tensor(np.zeros(3), dtype=dtype))]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_returns_the_global_norm_and_scales_every_gradient_above_it(norm_type):
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((4, 5)), rng.standard_normal(7), -10 * np.ones(2)]
    params = _with_grads(grads, dtype="float64")
    flat = np.concatenate([g.ravel() for g in grads])
    total = np.linalg.norm(flat, norm_type)
    norm = mdl.nn.utils.clip_grad_norm_(params, max_norm=total / 4, norm_type=norm_type)
    assert isinstance(norm, float) and norm == pytest.approx(total, rel=1e-12)
    scale = (total / 4) / (total + 1e-6)
    for param, grad in zip(params, grads):
        np.testing.assert_allclose(param.grad.numpy(), grad * scale, rtol=1e-12)
    assert params[-1].grad is None
    clipped = np.concatenate([p.grad.numpy().ravel() for p in params[:-1]])
    assert np.linalg.norm(clipped, norm_type) == pytest.approx(total / 4, rel=1e-6)


def test_clip_grad_norm_leaves_gradients_under_max_norm_alone():
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal((3, 3)).astype(np.float32), rng.standard_normal(4)]
    params = _with_grads(grads)
    before = [p.grad for p in params[:-1]]
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    norm = mdl.nn.utils.clip_grad_norm_(params, max_norm=total * 1.01)
    assert norm == pytest.approx(total, rel=1e-6)
    assert all(p.grad is b for p, b in zip(params, before))
    mdl.nn.utils.clip_grad_norm_(params, max_norm=total / 2)
    assert all(p.grad.dtype == "float32" for p in params[:-1])
    np.testing.assert_allclose(params[0].grad.numpy(), grads[0] * 0.5, rtol=1e-5)


def test_clip_grad_norm_skips_parameters_without_gradients():
    params = _with_grads([])
    assert mdl.nn.utils.clip_grad_norm_(params, max_norm=1.0) == 0.0
    assert params[0].grad is None
    with pytest.raises(ValueError, match="norm_type must be positive"):
        mdl.nn.utils.clip_grad_norm_(params, max_norm=1.0, norm_type=0)
