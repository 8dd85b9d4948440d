"""Section 2: layers, with weights loaded from the check's own generator.

Besides float32 inputs that require a gradient, the layers run on inputs that do not (a
constant input, as a network's first layer gets), with a frozen weight, and in float64 (where
float64's tolerance shows any step taken in float32).
"""
import numpy as np

from autograder.checks import graded
from autograder.compare import compare


def _normal(rng, *shape, dtype="float32"):
    return rng.standard_normal(shape).astype(dtype)


def _nearly_constant(x, axis: int):
    """`x` with its first slice along `axis` at variance ~1e-4, where eps (1e-5) counts."""
    index = (slice(None),) * axis + (0,)
    x[index] = 1 + 0.01 * (x[index] - x[index].mean())
    return x


def _load(module, rng, dtype="float32"):
    """Overwrite every parameter of `module` with draws from `rng`; returns the state dict."""
    state = {name: _normal(rng, *value.shape, dtype=dtype)
             for name, value in module.state_dict().items()
             if not name.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    module.load_state_dict(state, strict=False)
    return state


def _gradient(tensor, name: str):
    if tensor.grad is None:
        raise RuntimeError(f"{name} has no gradient after backward(): the layer's output is "
                           "not connected to it in the graph")
    return tensor.grad


def _forward_backward(mdl, rng, module, x, input_grad: bool = True, damp: int | None = None):
    """Output of `module` on x and the gradients of a random projection of it (of x too
    unless `input_grad` is False: then x is a constant).

    With `damp`, the projection's first slice along that axis is scaled by 0.01: a nearly
    constant slice's input gradient is ~100 times its output gradient, and its entries near 0
    are differences of such large terms; damped, their float32 rounding stays within the
    tolerance whatever order a correct answer sums them in."""
    x = mdl.Tensor(x, dtype=str(x.dtype), requires_grad=input_grad)
    out = module(x)
    upstream = _normal(rng, *out.shape, dtype=out.dtype)
    if damp is not None:
        upstream[(slice(None),) * damp + (0,)] *= 0.01
    out.backward(mdl.Tensor(upstream, dtype=out.dtype))
    grads = {f"d{name}": _gradient(p, name) for name, p in module.named_parameters()
             if p.requires_grad}
    return {"out": out, **({"dx": _gradient(x, "the input")} if input_grad else {}), **grads}


def _prefixed(prefix: str, outputs: dict) -> dict:
    return {f"{prefix}: {k}": v for k, v in outputs.items()}


def _only_first(expected: dict, got: dict, axis: int) -> bool:
    """True when the float32 outputs and input gradients (`out`, `dx`, of every run) differ
    from the golden only in their first slice along `axis` (the nearly constant feature or
    example)."""
    differs_elsewhere, differs = False, False
    for key, e in expected.items():
        g = got.get(key)
        if key.split(": ")[-1] not in ("out", "dx") or e.dtype != np.float32 or g is None \
                or g.shape != e.shape or g.dtype != e.dtype:
            continue
        e, g = np.moveaxis(e, axis, 0), np.moveaxis(g, axis, 0)
        differs |= compare(key, e[:1], g[:1]) is not None
        differs_elsewhere |= len(e) > 1 and compare(key, e[1:], g[1:]) is not None
    return differs and not differs_elsewhere


def _stable_variance_hint(axis: int, what: str):
    def hint(expected: dict, got: dict):
        if _only_first(expected, got, axis):
            return (f"only the {what}, of variance ~1e-4, differs; there eps and float32 "
                    "rounding matter: add eps to the variance before the square root, and "
                    "compute the variance in two passes, the mean of (x - mean)^2, not "
                    "mean(x^2) - mean^2, which loses its digits to cancellation")
        return None
    return hint


@graded(points=2, number="2.1")
def linear(mdl, rng):
    """Linear: y = x @ W.T + b, its gradients (a batch of one, a constant input, a frozen
    weight, float64 too), and PyTorch's parameter names and shapes"""
    n, d_in, d_out = (int(v) for v in rng.integers(1, 9, size=3))
    bias = bool(rng.random() < 0.7)
    layer = mdl.nn.Linear(d_in, d_out, bias=bias)
    shapes = {f"shape of {k}": np.array(v.shape) for k, v in layer.state_dict().items()}
    _load(layer, rng)
    batch = _forward_backward(mdl, rng, layer, _normal(rng, n, d_in))
    layer.zero_grad()
    single = _forward_backward(mdl, rng, layer, _normal(rng, 1, d_in))
    layer.zero_grad()
    constant = _forward_backward(mdl, rng, layer, _normal(rng, n, d_in), input_grad=False)
    layer.zero_grad()
    layer.weight.requires_grad = False
    frozen = _forward_backward(mdl, rng, layer, _normal(rng, n, d_in))
    wide = mdl.nn.Linear(d_in, d_out, bias=bias, dtype="float64")
    _load(wide, rng, "float64")
    double = _forward_backward(mdl, rng, wide, _normal(rng, n, d_in, dtype="float64"))
    return {**shapes, **batch, **_prefixed("batch of one", single),
            **_prefixed("constant input", constant), **_prefixed("frozen weight", frozen),
            **_prefixed("float64", double)}


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


def _batchnorm_training_run(mdl, rng, dtype, input_grad):
    n, d = int(rng.integers(2, 9)), int(rng.integers(1, 7))
    layer = mdl.nn.BatchNorm1d(d, momentum=float(rng.choice([0.1, 0.3])), dtype=dtype)
    _load(layer, rng, dtype)
    x = _nearly_constant(_normal(rng, n, d, dtype=dtype) * 3 + 1, 1)
    first = _forward_backward(mdl, rng, layer, x, input_grad, damp=1)
    for _ in range(3):
        layer(mdl.Tensor(_normal(rng, n, d, dtype=dtype) * 2 - 1, dtype=dtype))
    return {**first, "running_mean": layer.running_mean, "running_var": layer.running_var}


@graded(points=2, number="2.3", hint=_stable_variance_hint(1, "nearly constant feature (column 0)"))
def batchnorm_training(mdl, rng):
    """BatchNorm1d in training: batch statistics, gradients, and running statistics (momentum),
    also for a constant input and in float64"""
    return {**_batchnorm_training_run(mdl, rng, "float32", True),
            **_prefixed("constant input", _batchnorm_training_run(mdl, rng, "float32", False)),
            **_prefixed("float64", _batchnorm_training_run(mdl, rng, "float64", True))}


def _batchnorm_eval_run(mdl, rng, dtype):
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 7))
    layer = mdl.nn.BatchNorm1d(d, momentum=float(rng.choice([0.5, 1.0])), dtype=dtype)
    _load(layer, rng, dtype)
    for _ in range(2):  # a nearly constant feature: its running variance ends up small
        layer(mdl.Tensor(_nearly_constant(_normal(rng, 6, d, dtype=dtype) + 2, 1), dtype=dtype))
    layer.eval()
    batch = _forward_backward(mdl, rng, layer, _normal(rng, n, d, dtype=dtype))
    layer.zero_grad()
    single = _forward_backward(mdl, rng, layer, _normal(rng, 1, d, dtype=dtype))
    return {**batch, **_prefixed("batch of one", single)}


@graded(points=1, number="2.4", hint=_stable_variance_hint(1, "nearly constant feature (column 0)"))
def batchnorm_eval(mdl, rng):
    """BatchNorm1d in eval mode normalizes with the running statistics (float64 too)"""
    return {**_batchnorm_eval_run(mdl, rng, "float32"),
            **_prefixed("float64", _batchnorm_eval_run(mdl, rng, "float64"))}


def _layernorm_run(mdl, rng, shape, dtype="float32", input_grad=True):
    layer = mdl.nn.LayerNorm1d(shape[-1], dtype=dtype)
    _load(layer, rng, dtype)
    x = _nearly_constant(_normal(rng, *shape, dtype=dtype) * 2 + 3, 0)
    return _forward_backward(mdl, rng, layer, x, input_grad, damp=0)


@graded(points=2, number="2.5", hint=_stable_variance_hint(0, "nearly constant example (row 0)"))
def layernorm(mdl, rng):
    """LayerNorm1d normalizes each example over its last dimension (of 2-D and 3-D inputs);
    its gradients, for a constant input too, and in float64"""
    n, t, d = int(rng.integers(1, 9)), int(rng.integers(2, 5)), int(rng.integers(2, 9))
    return {**_layernorm_run(mdl, rng, (n, d)),
            **_prefixed("3-D input", _layernorm_run(mdl, rng, (n, t, d))),
            **_prefixed("constant input", _layernorm_run(mdl, rng, (n, d), input_grad=False)),
            **_prefixed("float64", _layernorm_run(mdl, rng, (n, t, d), "float64"))}


@graded(points=2, number="2.6")
def dropout(mdl, rng):
    """Dropout zeroes a fraction p in training, scales the rest by 1/(1-p) (the gradient too),
    is the identity in eval mode and at p = 0, keeps float64, and draws from minidl's seeded
    generator"""
    seed = int(rng.integers(1 << 31))
    mdl.init.manual_seed(seed)
    p = float(rng.choice([0.1, 0.5, 0.8]))
    layer = mdl.nn.Dropout(p)
    x = rng.uniform(1.0, 2.0, (200, 500)).astype("float32")
    inputs = mdl.Tensor(x, requires_grad=True)
    out = layer(inputs)
    out.sum().backward()
    out, dx = out.numpy(), _gradient(inputs, "the input").numpy()
    kept = out != 0
    mdl.init.manual_seed(seed)
    again = layer(mdl.Tensor(x)).numpy()
    small = rng.uniform(1.0, 2.0, (3, 4))

    def identity(module, dtype):
        """Output and input gradient of `module` on `small`, which it must leave as it is."""
        inputs = mdl.Tensor(small, dtype=dtype, requires_grad=True)
        out = module(inputs)
        out.backward(mdl.Tensor(small[::-1], dtype=dtype))
        return {"out": out, "dx": _gradient(inputs, "the input")}

    double = mdl.Tensor(small, dtype="float64")
    wide = layer(double)
    outputs = {"fraction zeroed": round(float(1 - kept.mean()), 1),
               "kept scaled by 1/(1-p)": bool(np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-5)),
               "gradient is the output / input": bool(np.allclose(dx, out / x, rtol=1e-5)),
               "manual_seed repeats the mask": bool(np.array_equal(again, out)),
               "float64 in training keeps float64": wide.dtype == "float64",
               "float64 in training zeroes or scales": bool(np.all(
                   np.isclose(wide.numpy(), 0) | np.isclose(wide.numpy(), small / (1 - p),
                                                            rtol=1e-12, atol=0)))}
    outputs.update(_prefixed("p=0 in training", identity(mdl.nn.Dropout(0.0), "float32")))
    layer.eval()
    outputs.update(_prefixed("eval", identity(layer, "float32")))
    outputs.update(_prefixed("eval float64", identity(layer, "float64")))
    return outputs
