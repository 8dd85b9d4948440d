"""Section 4: optimizers, over several steps of a fixed problem."""
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
