"""Section 4: optimizers, over several steps of a fixed problem."""
import numpy as np

from autograder.checks import graded


def _problem(mdl, rng):
    """A linear model with fixed weights, and a function running one step of an optimizer."""
    layer = mdl.nn.Linear(4, 3)
    layer.load_state_dict({"weight": rng.standard_normal((3, 4)), "bias": rng.standard_normal(3)})
    x = mdl.Tensor(rng.standard_normal((6, 4)))
    y = mdl.Tensor(rng.integers(0, 3, 6))
    loss_fn = mdl.nn.SoftmaxLoss()

    def step(optimizer):
        optimizer.zero_grad()
        loss = loss_fn(layer(x), y)
        loss.backward()
        optimizer.step()
        return loss.numpy()

    return layer, step


@graded(points=2, number="4.1", rtol=1e-3, atol=1e-5)
def sgd(mdl, rng):
    """SGD with momentum and weight decay, as PyTorch's, over 5 steps"""
    layer, step = _problem(mdl, rng)
    momentum = float(rng.choice([0.0, 0.9]))
    weight_decay = float(rng.choice([0.0, 0.01]))
    optimizer = mdl.optim.SGD(layer.parameters(), lr=0.1, momentum=momentum,
                              weight_decay=weight_decay)
    losses = [step(optimizer) for _ in range(5)]
    return {"losses": losses, "weight": layer.weight, "bias": layer.bias}


@graded(points=2, number="4.2", rtol=1e-3, atol=1e-5)
def adam(mdl, rng):
    """Adam with bias correction and weight decay, as PyTorch's, over 5 steps"""
    layer, step = _problem(mdl, rng)
    optimizer = mdl.optim.Adam(layer.parameters(), lr=0.05, betas=(0.9, 0.99),
                               weight_decay=float(rng.choice([0.0, 0.01])))
    losses = [step(optimizer) for _ in range(5)]
    return {"losses": losses, "weight": layer.weight, "bias": layer.bias}


@graded(points=1, number="4.3")
def optimizer_steps_do_not_grow_the_graph(mdl, rng):
    """after optimizer steps, parameters are still leaves with no graph behind them"""
    layer, step = _problem(mdl, rng)
    optimizer = mdl.optim.Adam(layer.parameters(), lr=0.01)
    for _ in range(3):
        step(optimizer)
    return {"leaves": all(p.is_leaf() and p.requires_grad and p.inputs == ()
                          for p in layer.parameters()),
            "dtype float32": all(p.dtype == "float32" for p in layer.parameters())}


def _scaled_steps(mdl, rng, make_optimizer, scale: float, dtype: str, steps: int = 4):
    """Each parameter's displacement from its start after each of `steps` steps on gradients
    of size ~`scale`, divided by `unit`; the last parameter is frozen (it gets no gradient)."""
    shapes = [(3, 4), (4,), (2, 3)]
    params = [mdl.nn.Parameter(mdl.Tensor(rng.standard_normal(s), dtype=dtype))
              for s in shapes]
    start = [p.numpy().astype("float64") for p in params]
    optimizer, unit = make_optimizer(params)
    moved = [[] for _ in params]
    for _ in range(steps):
        for param, shape in zip(params[:-1], shapes):
            param.grad = mdl.Tensor(scale * rng.standard_normal(shape), dtype=dtype)
        optimizer.step()
        for track, param, first in zip(moved, params, start):
            if param.dtype != dtype:
                raise TypeError(f"a step turned a {dtype} parameter into {param.dtype}")
            track.append((param.numpy().astype("float64") - first) / unit)
    return {f"parameter {i}": np.array(track).astype(dtype) for i, track in enumerate(moved)}


def _adam_hint(expected: dict, got: dict):
    def agrees(prefix):
        return all(np.allclose(expected[k], got[k], rtol=1e-3, atol=1e-3)
                   for k in expected if k.startswith(prefix))

    if agrees("Adam, gradients ~1000") and not agrees("Adam, gradients ~1e-06"):
        return ("Adam is wrong only for tiny gradients: eps goes after the square root of the "
                "bias-corrected v, sqrt(v / (1 - beta2^t)) + eps (if the bias corrections are "
                "folded into the step size, eps must be multiplied by sqrt(1 - beta2^t))")
    return None


@graded(points=2, number="4.4", hint=_adam_hint)
def steps_on_tiny_and_huge_gradients(mdl, rng):
    """SGD (momentum, weight decay) and Adam over 4 steps on gradients of size 1e-6 and 1e3,
    in float32 and float64, a parameter without a gradient left alone"""
    lr = float(rng.choice([0.1, 0.05]))
    outputs = {}
    for scale in (1e-6, 1e3):
        sgd = lambda params: (mdl.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=0.01),
                              lr * scale)
        adam = lambda params: (mdl.optim.Adam(params, lr=lr), lr)
        for name, make, dtype in (("SGD", sgd, "float64"), ("Adam", adam, "float32"),
                                  ("Adam", adam, "float64")):
            run = _scaled_steps(mdl, rng, make, scale, dtype)
            outputs.update({f"{name}, gradients ~{scale:g}, {dtype}: {k}": v
                            for k, v in run.items()})
    return outputs
