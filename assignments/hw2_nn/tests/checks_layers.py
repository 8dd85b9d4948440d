"""Section 2: layers, with weights loaded from the check's own generator."""
import numpy as np

from autograder.checks import graded


def _normal(rng, *shape):
    return rng.standard_normal(shape).astype("float32")


def _nearly_constant(x, axis: int):
    """`x` with its first slice along `axis` at variance ~1e-4, where eps (1e-5) counts."""
    index = (slice(None),) * axis + (0,)
    x[index] = 1 + 0.01 * (x[index] - x[index].mean())
    return x


def _load(module, rng):
    """Overwrite every parameter of `module` with draws from `rng`; returns the state dict."""
    state = {name: _normal(rng, *value.shape) for name, value in module.state_dict().items()
             if not name.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    module.load_state_dict(state, strict=False)
    return state


def _forward_backward(mdl, rng, module, x):
    """Output of `module` on x and the gradients of a random projection of it."""
    x = mdl.Tensor(x, requires_grad=True)
    out = module(x)
    out.backward(mdl.Tensor(_normal(rng, *out.shape)))
    grads = {f"d{name}": p.grad for name, p in module.named_parameters()}
    return {"out": out, "dx": x.grad, **grads}


@graded(points=2, number="2.1")
def linear(mdl, rng):
    """Linear: y = x @ W.T + b, its gradients (a batch of one too), and PyTorch's parameter
    names and shapes"""
    n, d_in, d_out = (int(v) for v in rng.integers(1, 9, size=3))
    layer = mdl.nn.Linear(d_in, d_out, bias=bool(rng.random() < 0.7))
    shapes = {f"shape of {k}": np.array(v.shape) for k, v in layer.state_dict().items()}
    _load(layer, rng)
    batch = _forward_backward(mdl, rng, layer, _normal(rng, n, d_in))
    layer.zero_grad()
    single = _forward_backward(mdl, rng, layer, _normal(rng, 1, d_in))
    return {**shapes, **batch, **{f"batch of one: {k}": v for k, v in single.items()}}


@graded(points=1, number="2.2")
def sequential_residual_flatten(mdl, rng):
    """Sequential applies its modules in order; Residual adds its input; Flatten keeps the batch"""
    n, c, h = (int(v) for v in rng.integers(1, 5, size=3))
    nn = mdl.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(c * h * 2, 6), nn.Tanh(),
                          nn.Residual(nn.Sequential(nn.Linear(6, 6), nn.Sigmoid())), nn.ReLU())
    _load(model, rng)
    keys = "|".join(model.state_dict())
    return {"keys": np.frombuffer(keys.encode(), np.uint8),
            **_forward_backward(mdl, rng, model, _normal(rng, n, c, h, 2))}


@graded(points=2, number="2.3")
def batchnorm_training(mdl, rng):
    """BatchNorm1d in training: batch statistics, gradients, and running statistics (momentum)"""
    n, d = int(rng.integers(2, 9)), int(rng.integers(1, 7))
    layer = mdl.nn.BatchNorm1d(d, momentum=float(rng.choice([0.1, 0.3])))
    _load(layer, rng)
    first = _forward_backward(mdl, rng, layer, _nearly_constant(_normal(rng, n, d) * 3 + 1, 1))
    for _ in range(3):
        layer(mdl.Tensor(_normal(rng, n, d) * 2 - 1))
    return {**first, "running_mean": layer.running_mean, "running_var": layer.running_var}


@graded(points=1, number="2.4")
def batchnorm_eval(mdl, rng):
    """BatchNorm1d in eval mode normalizes with the running statistics"""
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 7))
    layer = mdl.nn.BatchNorm1d(d, momentum=float(rng.choice([0.5, 1.0])))
    _load(layer, rng)
    for _ in range(2):  # a nearly constant feature: its running variance ends up small
        layer(mdl.Tensor(_nearly_constant(_normal(rng, 6, d) + 2, 1)))
    layer.eval()
    batch = _forward_backward(mdl, rng, layer, _normal(rng, n, d))
    layer.zero_grad()
    single = _forward_backward(mdl, rng, layer, _normal(rng, 1, d))
    return {**batch, **{f"batch of one: {k}": v for k, v in single.items()}}


@graded(points=2, number="2.5")
def layernorm(mdl, rng):
    """LayerNorm1d normalizes each example over its last dimension; its gradients"""
    n, d = int(rng.integers(1, 9)), int(rng.integers(2, 9))
    layer = mdl.nn.LayerNorm1d(d)
    _load(layer, rng)
    return _forward_backward(mdl, rng, layer, _nearly_constant(_normal(rng, n, d) * 2 + 3, 0))


@graded(points=2, number="2.6")
def dropout(mdl, rng):
    """Dropout zeroes a fraction p in training, scales the rest by 1/(1-p), and is off in eval"""
    mdl.init.manual_seed(int(rng.integers(1 << 31)))
    p = float(rng.choice([0.1, 0.5, 0.8]))
    layer = mdl.nn.Dropout(p)
    x = rng.uniform(1.0, 2.0, (200, 500)).astype("float32")
    out = layer(mdl.Tensor(x)).numpy()
    kept = out != 0
    layer.eval()
    return {"fraction zeroed": round(float(1 - kept.mean()), 1),
            "kept scaled by 1/(1-p)": bool(np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-5)),
            "eval output": layer(mdl.Tensor(x[:3])).numpy()}
