"""Hidden checks: gradient steps on the GPU in float64."""
from autograder.checks import graded


@graded(points=2, number="5.1", cases=2, visibility="after_due_date", rtol=1e-6, atol=1e-8)
def regression_steps_on_gpu(mdl, rng):
    """Two gradient steps of least squares on minidl.cuda() in float64"""
    n, features = int(rng.integers(3, 9)), int(rng.integers(2, 5))
    device = mdl.cuda()
    x = mdl.Tensor(rng.standard_normal((n, features)), device=device, dtype="float64")
    y = mdl.Tensor(rng.standard_normal((n, 1)), device=device, dtype="float64")
    w = mdl.Tensor(rng.standard_normal((features, 1)), device=device, dtype="float64",
                   requires_grad=True)
    losses = []
    for _ in range(2):
        loss = ((x @ w - y) ** 2).sum() / n
        loss.backward()
        losses.append(loss.numpy())
        w = (w - w.grad * 0.1).detach()
        w.requires_grad = True
    return {"losses": losses, "weights": w}
